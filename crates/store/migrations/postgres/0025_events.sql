-- The event log (issue 12): every write inserts the events it causes here, in its own
-- transaction, so what was committed is announced and what rolled back is not. Local
-- subscribers, other instances, the webhook outbox and /cable resume read it by id.
-- `event_json` is the domain::Event; `performer_id` the agent whose request caused it (no
-- foreign key: the agent may be removed later, the event stays). Times are epoch seconds.
-- Writers take a transaction-scoped advisory lock before inserting, so ids commit in order.
CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    event_json TEXT NOT NULL,
    performer_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_created_at ON events (created_at);
-- How far each durable consumer (the webhook recorder) has read the log.
CREATE TABLE event_cursors (
    consumer TEXT PRIMARY KEY,
    last_id BIGINT NOT NULL
);
-- The webhook recorder reads from the log's start: nothing written before it first runs is
-- missed.
INSERT INTO event_cursors (consumer, last_id) VALUES ('webhooks', 0);
