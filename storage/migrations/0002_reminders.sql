-- Reminders: the schedule lives in the promises themselves.
-- remind_at is when the next reminder for a pending promise is due (NULL: none left);
-- reminders_sent counts what was delivered, so a restart never sends the same one twice.

ALTER TABLE promises ADD COLUMN remind_at TEXT;
ALTER TABLE promises ADD COLUMN reminders_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE promises ADD COLUMN reminder_chat_message INTEGER;  -- last reminder's message id
ALTER TABLE promises ADD COLUMN auto_broken INTEGER NOT NULL DEFAULT 0;

UPDATE promises SET remind_at = due_at WHERE status = 'pending';

-- The next due reminder over all chats: one seek on this index.
CREATE INDEX promises_next_reminder ON promises (remind_at)
    WHERE status = 'pending' AND remind_at IS NOT NULL;

ALTER TABLE chats ADD COLUMN quiet_start TEXT NOT NULL DEFAULT '22:00';  -- local HH:MM
ALTER TABLE chats ADD COLUMN quiet_end TEXT NOT NULL DEFAULT '08:00';
ALTER TABLE chats ADD COLUMN reminder_repeat_hours INTEGER;  -- NULL: the bot's default

-- The language a reminder is written in when the chat has not chosen one.
ALTER TABLE users ADD COLUMN language_code TEXT;
