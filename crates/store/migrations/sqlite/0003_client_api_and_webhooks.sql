-- The Client API's contact credentials and outgoing webhooks with their durable outbox.
-- Times are epoch seconds except the *_ms columns, epoch milliseconds (retry backoff starts at
-- one second, so the outbox needs finer times than the rest of the schema).

-- What a contact of an API inbox subscribes to `/cable` with (Chatwoot's contact_inboxes.pubsub_token).
-- Nullable: contact inboxes created before this migration, or by the Application API, get one
-- the first time the Client API reads them.
ALTER TABLE contact_inboxes ADD COLUMN pubsub_token TEXT;
CREATE UNIQUE INDEX contact_inboxes_pubsub_token ON contact_inboxes (pubsub_token);

-- Account-level webhook subscriptions (Chatwoot's webhooks, account_type).
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- only this inbox's events when set
    inbox_id INTEGER REFERENCES inboxes (id) ON DELETE CASCADE,
    name TEXT,
    url TEXT NOT NULL,
    subscriptions_json TEXT NOT NULL DEFAULT '[]',
    -- signs every delivery (HMAC-SHA256); shown once, on creation
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, url)
);
CREATE INDEX webhooks_account ON webhooks (account_id, id);

-- The outbox: one row per event and destination, written when the event is published and
-- delivered by the worker. Exactly one of webhook_id (an account webhook) and inbox_id (the
-- inbox's webhook_url) is set.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    webhook_id INTEGER REFERENCES webhooks (id) ON DELETE CASCADE,
    inbox_id INTEGER REFERENCES inboxes (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    -- 'pending', 'delivered' or 'failed' (gave up)
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    -- a worker holds the row until then (a crashed worker's claim expires)
    locked_until_ms INTEGER,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
);
-- The worker's question: which pending rows are due?
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_ms);
-- The delivery log of one webhook, newest first.
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_inbox ON webhook_deliveries (inbox_id, id);

-- Every attempt of a delivery: what was sent where, and what came back.
CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    url TEXT NOT NULL,
    -- the HTTP status, when an answer came
    response_status INTEGER,
    -- why it failed, when it did (never the secret or the signature)
    error TEXT,
    duration_ms INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);
