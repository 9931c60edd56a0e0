-- callback-tracker schema, version 1.
-- All timestamps are UTC, stored as 'YYYY-MM-DD HH:MM:SS' text (sortable, SQLite's own format).
-- Every row belongs to exactly one chat (a workspace).
-- AUTOINCREMENT: ids are never reused, so a button on an old message can never reach a
-- newer entry that happened to get the id of a deleted one.

CREATE TABLE chats (
    chat_id      INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL DEFAULT 'private',
    title        TEXT,
    timezone     TEXT,              -- IANA name; NULL until the chat chooses one
    language     TEXT,              -- NULL: follow each user's Telegram language
    phone_region TEXT,              -- ISO 3166 alpha-2 override for phone numbers
    created_at   TEXT    NOT NULL
);

CREATE TABLE users (
    user_id    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    username   TEXT,
    updated_at TEXT    NOT NULL
);

CREATE TABLE companies (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id    INTEGER NOT NULL REFERENCES chats(chat_id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    norm       TEXT    NOT NULL,    -- case, quotes and legal forms removed
    created_at TEXT    NOT NULL,
    UNIQUE (chat_id, norm)
);

CREATE TABLE attempts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id    INTEGER NOT NULL REFERENCES chats(chat_id) ON DELETE CASCADE,
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    phone      TEXT,                -- E.164
    outcome    TEXT    NOT NULL CHECK (outcome IN
                   ('no_answer', 'busy', 'hung_up', 'ivr', 'transferred', 'voicemail', 'answered')),
    note       TEXT,
    called_at  TEXT    NOT NULL,
    logged_by  INTEGER REFERENCES users(user_id),
    created_at TEXT    NOT NULL
);
-- Covers per-company aggregation (company x outcome) and timelines.
CREATE INDEX attempts_by_company ON attempts (chat_id, company_id, outcome, called_at);
CREATE INDEX attempts_by_logger ON attempts (chat_id, logged_by, id);

CREATE TABLE promises (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id     INTEGER NOT NULL REFERENCES chats(chat_id) ON DELETE CASCADE,
    company_id  INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    attempt_id  INTEGER REFERENCES attempts(id) ON DELETE SET NULL,
    previous_id INTEGER REFERENCES promises(id) ON DELETE SET NULL,  -- the deadline this one moved
    promised_by TEXT,
    made_at     TEXT    NOT NULL,
    due_at      TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN
                    ('pending', 'kept', 'late', 'broken', 'cancelled')),
    resolved_at TEXT,
    logged_by   INTEGER REFERENCES users(user_id),
    created_at  TEXT    NOT NULL
);
-- The next due deadline over all chats: one index seek.
CREATE INDEX promises_pending_due ON promises (due_at) WHERE status = 'pending';
CREATE INDEX promises_by_company ON promises (chat_id, company_id, status, due_at);
CREATE INDEX promises_by_logger ON promises (chat_id, logged_by, id);

-- Half-finished entries: a message the bot is asking about, or a /call in progress.
-- Kept in the database so a restart in the middle of a question loses nothing.
CREATE TABLE drafts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    payload    TEXT    NOT NULL,    -- JSON
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE INDEX drafts_by_user ON drafts (chat_id, user_id, id);
