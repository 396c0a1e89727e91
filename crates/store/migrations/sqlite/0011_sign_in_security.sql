-- Sign-in and sessions (issue 11 item 6).

-- Throttle windows, shared by every instance and kept across restarts: how many hits `key`
-- (an action and a client address, or an address and an e-mail) has had in the window that
-- ends at `resets_at`. Rows whose window has ended are pruned.
CREATE TABLE throttles (
    key TEXT PRIMARY KEY,
    hits INTEGER NOT NULL,
    resets_at INTEGER NOT NULL
);
CREATE INDEX throttles_resets_at ON throttles (resets_at);

-- API tokens and session ids are kept as the hex SHA-256 of the secret, never the secret. Rows
-- written before this migration still hold the secret (`hashed` false); `Store::migrate`
-- replaces each with its digest right after migrating (SQLite has no SHA-256 in SQL).
ALTER TABLE access_tokens ADD COLUMN hashed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sessions ADD COLUMN hashed BOOLEAN NOT NULL DEFAULT FALSE;
-- A session opened by `POST /auth/sign_in` (its secret is the `access_token` it answered, sent
-- back in the `api_access_token` header) rather than by the login page (a cookie).
ALTER TABLE sessions ADD COLUMN api BOOLEAN NOT NULL DEFAULT FALSE;
