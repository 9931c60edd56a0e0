-- Shared audit groups: membership, the workspace a user logs into from private chat,
-- reviewer links, and retention after the bot leaves a group.

ALTER TABLE chats ADD COLUMN left_at TEXT;  -- when the bot was removed; purged after retention

ALTER TABLE users ADD COLUMN active_workspace INTEGER;  -- a group chat id, NULL: personal

-- Members seen in a group workspace (with privacy mode on: commands and replies to the bot).
CREATE TABLE members (
    chat_id INTEGER NOT NULL REFERENCES chats(chat_id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    seen_at TEXT    NOT NULL,
    PRIMARY KEY (chat_id, user_id)
) WITHOUT ROWID;
CREATE INDEX members_by_user ON members (user_id);

-- Read-only links for reviewers: only a hash of the token is stored.
CREATE TABLE share_links (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id    INTEGER NOT NULL REFERENCES chats(chat_id) ON DELETE CASCADE,
    token_hash TEXT    NOT NULL UNIQUE,
    created_by INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    revoked_at TEXT
);
CREATE INDEX share_links_by_chat ON share_links (chat_id);

CREATE TABLE reviewers (
    link_id   INTEGER NOT NULL REFERENCES share_links(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL,
    joined_at TEXT    NOT NULL,
    PRIMARY KEY (link_id, user_id)
) WITHOUT ROWID;
CREATE INDEX reviewers_by_user ON reviewers (user_id);
