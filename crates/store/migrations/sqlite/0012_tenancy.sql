-- Who may be whom: identity on the Client API, and invitations between accounts (issue 11).

-- Chatwoot's channel_api.hmac_mandatory: when set, a Client API contact is created or identified
-- only with an `identifier` and its valid `identifier_hash`.
ALTER TABLE inboxes ADD COLUMN hmac_mandatory BOOLEAN NOT NULL DEFAULT FALSE;

-- Whether the Client API caller holding this contact inbox may read and change its contact's
-- fields: it created the contact, or an agent made the contact inbox. A caller that an e-mail
-- alone attached to an existing contact does not (until it proves an identifier by HMAC).
ALTER TABLE contact_inboxes ADD COLUMN owns_contact BOOLEAN NOT NULL DEFAULT TRUE;
-- Rows from before: a contact inbox made well after its contact (more than a minute) or not
-- the contact's first one was attached to an existing contact; it loses the contact's fields.
UPDATE contact_inboxes SET owns_contact = FALSE
WHERE hmac_verified = FALSE
  AND (id <> (SELECT MIN(first.id) FROM contact_inboxes first WHERE first.contact_id = contact_inboxes.contact_id)
       OR created_at > (SELECT c.created_at + 60 FROM contacts c WHERE c.id = contact_inboxes.contact_id));

-- A user invited into an account: no membership until they accept it (then it becomes an
-- account_users row) or decline it (the row goes).
CREATE TABLE account_invitations (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    -- the name the inviting administrator typed: the account's label for the invitation, never
    -- written to the user's own profile
    name TEXT NOT NULL,
    inviter_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, user_id)
);
CREATE INDEX account_invitations_user ON account_invitations (user_id, id);
