-- Weekly reports: one schedule per chat, in the chat's local time.
-- next_at is the UTC moment of the next report; a report missed while the bot was down is sent
-- once on start and next_at jumps to the next future slot (never one report per missed week).
CREATE TABLE weekly_reports (
    chat_id    INTEGER PRIMARY KEY REFERENCES chats(chat_id) ON DELETE CASCADE,
    weekday    INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),  -- Monday = 0
    at_time    TEXT    NOT NULL,                                   -- local HH:MM
    next_at    TEXT    NOT NULL,
    last_sent  TEXT,
    created_by INTEGER
);
CREATE INDEX weekly_reports_next ON weekly_reports (next_at);
