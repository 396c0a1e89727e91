-- Files attached to messages (issue 13; Chatwoot's attachments table with its Active Storage
-- blob folded in). `storage_key`/`thumb_key` name the file in the file store; a row goes with
-- its message. `conversation_id` lets a thread load its attachments in one statement.
CREATE TABLE attachments (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL,
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    file_type TEXT NOT NULL,
    content_type TEXT NOT NULL,
    filename TEXT NOT NULL,
    extension TEXT,
    file_size BIGINT NOT NULL,
    width BIGINT,
    height BIGINT,
    storage_key TEXT NOT NULL UNIQUE,
    thumb_key TEXT UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE INDEX attachments_conversation ON attachments (conversation_id, message_id);
CREATE INDEX attachments_message ON attachments (message_id);

-- The key that signs file URLs, made once and shared by every instance on this database.
CREATE TABLE file_url_keys (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    secret TEXT NOT NULL
);
