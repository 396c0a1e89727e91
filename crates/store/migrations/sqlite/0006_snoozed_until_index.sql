-- The snooze sweeper's scan: only snoozed conversations, by when their snooze ends.
CREATE INDEX conversations_snooze_due ON conversations (snoozed_until) WHERE status = 'snoozed';
