-- Notes agents keep on a contact (issue 13; Chatwoot's notes table). Times are epoch seconds.
-- A note goes with its contact; its author may leave (user_id becomes NULL, the note stays).
CREATE TABLE contact_notes (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    content TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX contact_notes_contact ON contact_notes (contact_id, created_at);
