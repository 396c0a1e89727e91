-- Switchboard's first schema. Times are epoch seconds; *_json columns hold JSON text.
CREATE TABLE accounts (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    -- the last conversation display id handed out in this account
    conversation_seq BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    display_name TEXT,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    pubsub_token TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE account_users (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    availability TEXT NOT NULL DEFAULT 'online',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, user_id)
);
CREATE INDEX account_users_user ON account_users (user_id);

CREATE TABLE access_tokens (
    token TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE inboxes (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    channel_type TEXT NOT NULL,
    webhook_url TEXT,
    inbox_identifier TEXT NOT NULL UNIQUE,
    hmac_token TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX inboxes_account ON inboxes (account_id);

CREATE TABLE contacts (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT,
    email TEXT,
    phone_number TEXT,
    identifier TEXT,
    additional_attributes_json TEXT NOT NULL DEFAULT '{}',
    custom_attributes_json TEXT NOT NULL DEFAULT '{}',
    last_activity_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, email),
    UNIQUE (account_id, identifier)
);
CREATE INDEX contacts_account ON contacts (account_id, id);

CREATE TABLE contact_inboxes (
    id BIGSERIAL PRIMARY KEY,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    inbox_id BIGINT NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    source_id TEXT NOT NULL,
    hmac_verified BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    UNIQUE (inbox_id, source_id)
);
CREATE INDEX contact_inboxes_contact ON contact_inboxes (contact_id);

CREATE TABLE conversations (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    display_id BIGINT NOT NULL,
    inbox_id BIGINT NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    contact_inbox_id BIGINT REFERENCES contact_inboxes (id) ON DELETE SET NULL,
    uuid TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    labels_json TEXT NOT NULL DEFAULT '[]',
    custom_attributes_json TEXT NOT NULL DEFAULT '{}',
    additional_attributes_json TEXT NOT NULL DEFAULT '{}',
    muted BOOLEAN NOT NULL DEFAULT FALSE,
    snoozed_until BIGINT,
    last_activity_at BIGINT NOT NULL,
    agent_last_seen_at BIGINT NOT NULL DEFAULT 0,
    assignee_last_seen_at BIGINT NOT NULL DEFAULT 0,
    contact_last_seen_at BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, display_id)
);
-- The conversation list: filter by account and status, newest activity first.
CREATE INDEX conversations_list ON conversations (account_id, status, last_activity_at DESC, id DESC);
CREATE INDEX conversations_assignee ON conversations (account_id, assignee_id, status, last_activity_at DESC);
CREATE INDEX conversations_inbox ON conversations (inbox_id, status, last_activity_at DESC);
CREATE INDEX conversations_contact ON conversations (contact_id);

-- Conversation labels by title, for the labels[] filter; labels_json keeps their order for display.
CREATE TABLE conversation_labels (
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (conversation_id, title)
);
CREATE INDEX conversation_labels_title ON conversation_labels (account_id, title, conversation_id);

CREATE TABLE messages (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    inbox_id BIGINT NOT NULL,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    message_type BIGINT NOT NULL,
    content TEXT,
    content_type TEXT NOT NULL DEFAULT 'text',
    content_attributes_json TEXT NOT NULL DEFAULT '{}',
    private BOOLEAN NOT NULL DEFAULT FALSE,
    source_id TEXT,
    -- 'contact' or 'user'; NULL for activity messages
    sender_type TEXT,
    sender_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

CREATE TABLE labels (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT,
    color TEXT NOT NULL,
    show_on_sidebar BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, title)
);

CREATE TABLE dashboard_apps (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    content_json TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX dashboard_apps_account ON dashboard_apps (account_id, id);
