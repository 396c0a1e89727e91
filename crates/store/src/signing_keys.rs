//! The server's Ed25519 keys for EdDSA context tokens. The newest key signs; every key whose
//! `retire_at` is unset or still ahead is published at `/.well-known/jwks.json`, so a token signed
//! just before a rotation verifies until it expires. A key past its `retire_at` is deleted: its
//! tokens have all expired, and a private key nobody needs is one nobody can steal.

use crate::{on_pool, on_writer, Store, StoreError};
use domain::context_token::SigningKey;

const NEWEST: &str = concat!(
    "SELECT kid, private_key, public_key FROM signing_keys WHERE retire_at IS NULL ",
    "ORDER BY id DESC LIMIT 1"
);
const PUBLISHED: &str = concat!(
    "SELECT kid, private_key, public_key FROM signing_keys ",
    "WHERE retire_at IS NULL OR retire_at > $1 ORDER BY id"
);
const INSERT: &str = concat!(
    "INSERT INTO signing_keys (kid, private_key, public_key, created_at) ",
    "VALUES ($1, $2, $3, $4)"
);
/// Retires every current key but the newest at `$1` (when the last token it signed expires).
const RETIRE_OLDER: &str =
    "UPDATE signing_keys SET retire_at = $1 WHERE retire_at IS NULL AND kid <> $2";
const FORGET_RETIRED: &str = "DELETE FROM signing_keys WHERE retire_at <= $1";

#[derive(sqlx::FromRow)]
struct KeyRow {
    kid: String,
    private_key: String,
    public_key: String,
}

impl From<KeyRow> for SigningKey {
    fn from(row: KeyRow) -> Self {
        SigningKey {
            kid: row.kid,
            secret: row.private_key,
            public: row.public_key,
        }
    }
}

pub struct SigningKeys<'a> {
    pub(crate) store: &'a Store,
}

impl SigningKeys<'_> {
    /// The key that signs now; the first one is made on first use.
    pub async fn current(&self) -> Result<SigningKey, StoreError> {
        if let Some(key) = self.newest().await? {
            return Ok(key);
        }
        let key = SigningKey::generate();
        self.insert(&key).await?;
        // Two first uses at once each insert a key; both are published, the newer one signs.
        Ok(self.newest().await?.unwrap_or(key))
    }

    /// The keys to publish at `now`.
    pub async fn published(&self, now: i64) -> Result<Vec<SigningKey>, StoreError> {
        let rows: Vec<KeyRow> = on_pool!(self.store, |pool| sqlx::query_as(PUBLISHED)
            .bind(now)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(SigningKey::from).collect())
    }

    /// Adds a key that signs from now on; the keys it replaces stay published for `lifetime`
    /// seconds (the tokens they signed are valid that long), and keys whose time has passed are
    /// deleted. Returns the new key. One transaction: a failure leaves the keys as they were.
    pub async fn rotate(&self, lifetime: i64) -> Result<SigningKey, StoreError> {
        let now = domain::time::now();
        let key = SigningKey::generate();
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(INSERT)
                .bind(&key.kid)
                .bind(&key.secret)
                .bind(&key.public)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(RETIRE_OLDER)
                .bind(now + lifetime)
                .bind(&key.kid)
                .execute(&mut *tx)
                .await?;
            sqlx::query(FORGET_RETIRED)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        Ok(key)
    }

    async fn newest(&self) -> Result<Option<SigningKey>, StoreError> {
        let row: Option<KeyRow> = on_pool!(self.store, |pool| sqlx::query_as(NEWEST)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(SigningKey::from))
    }

    async fn insert(&self, key: &SigningKey) -> Result<(), StoreError> {
        on_pool!(self.store, |pool| sqlx::query(INSERT)
            .bind(&key.kid)
            .bind(&key.secret)
            .bind(&key.public)
            .bind(domain::time::now())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }
}
