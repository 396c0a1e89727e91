-- Fields Chatwoot's clients send that were answered 200 and dropped (issue 10): now stored.

-- Chatwoot's inbox settings: round-robin assignment among the inbox's members (on by default,
-- as in Chatwoot) and the greeting sent when a conversation starts.
ALTER TABLE inboxes ADD COLUMN enable_auto_assignment BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE inboxes ADD COLUMN greeting_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE inboxes ADD COLUMN greeting_message TEXT;

-- Chatwoot's account_users.auto_offline: go offline when the last dashboard tab closes.
ALTER TABLE account_users ADD COLUMN auto_offline BOOLEAN NOT NULL DEFAULT TRUE;
