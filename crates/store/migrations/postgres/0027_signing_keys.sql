-- Context tokens anyone can verify (issue 14, item 5). Each app chooses how its tokens are
-- signed; apps that exist keep HS256 (their backends hold the secret), apps created from now on
-- are given EdDSA by the application.
ALTER TABLE dashboard_apps ADD COLUMN token_algorithm TEXT NOT NULL DEFAULT 'HS256';

-- The server's Ed25519 keys: the newest signs; each is published at /.well-known/jwks.json until
-- `retire_at` (set by `switchboard keys rotate` to when the last token it signed expires).
-- `private_key` is the 32-byte seed, base64url; `public_key` the public key, base64url. Times are epoch
-- seconds.
CREATE TABLE signing_keys (
    id BIGSERIAL PRIMARY KEY,
    kid TEXT NOT NULL UNIQUE,
    private_key TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retire_at BIGINT
);
