-- The snooze sweeper's index, made whole. As a partial index (`WHERE status = 'snoozed'`) it
-- made SQLite's planner compare every `status = ?` parameter with the index's condition, which
-- marks that parameter as plan-changing: the conversation list's statement was then re-prepared
-- on every execution (13% of the list's instructions, measured with callgrind). A plain index
-- on (status, snoozed_until) serves the sweeper's `status = 'snoozed' AND snoozed_until <= ?`
-- just as well. PostgreSQL keeps its partial index: its generic plans never re-plan on a value.
DROP INDEX IF EXISTS conversations_snooze_due;
CREATE INDEX conversations_status_snoozed_until ON conversations (status, snoozed_until);
