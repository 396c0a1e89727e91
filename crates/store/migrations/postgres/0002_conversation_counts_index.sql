-- The list's meta counts (mine / assigned / unassigned / all) for one status read only this
-- index: a range on (account_id, status), assignee_id in each entry, no table lookups.
CREATE INDEX conversations_counts ON conversations (account_id, status, assignee_id);
