-- Round-robin auto-assignment (Chatwoot's AutoAssignment::InboxRoundRobinService keeps a queue
-- of member ids per inbox in Redis; ours is in the database, so it survives restarts and is
-- shared by every instance). A member's turn is when they were last given a conversation of
-- the inbox: the online member with the lowest turn is next, and takes the highest turn + 1.
-- A new member starts at 0, at the front of the queue, as Chatwoot pushes a new member first.
ALTER TABLE inbox_members ADD COLUMN round_robin_turn BIGINT NOT NULL DEFAULT 0;
