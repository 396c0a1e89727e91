//! Cross-instance fan-out on PostgreSQL: events go out with `NOTIFY` and come back to every
//! instance (this one included) through `LISTEN`. SQLite has one instance, so nothing here.

use crate::{Pool, Store, StoreError};
use sqlx::postgres::PgListener;

/// The channel every instance listens on.
pub const CHANNEL: &str = "switchboard_events";
const NOTIFY: &str = "SELECT pg_notify($1, $2)";

impl Store {
    /// Sends `payload` to every listening instance; a no-op on SQLite.
    pub async fn notify(&self, payload: &str) -> Result<(), StoreError> {
        if let Pool::Postgres(pool) = &self.pool {
            sqlx::query(NOTIFY)
                .bind(CHANNEL)
                .bind(payload)
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// A listener on [`CHANNEL`], on PostgreSQL only.
    pub async fn listener(&self) -> Result<Option<PgListener>, StoreError> {
        match &self.pool {
            Pool::Postgres(pool) => {
                let mut listener = PgListener::connect_with(pool).await?;
                listener.listen(CHANNEL).await?;
                Ok(Some(listener))
            }
            Pool::Sqlite(_) => Ok(None),
        }
    }
}
