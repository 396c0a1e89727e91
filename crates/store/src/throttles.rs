//! Throttle windows in the database, so a limit holds across restarts and across instances:
//! a fixed window per key, counted by one upsert.

use crate::{on_pool, Store, StoreError};

/// One more hit on `$1`: a new window ending at `$2 + $3` when there is none or it has ended,
/// else the count goes up. Both dialects read the old row in `SET`.
const HIT: &str = "INSERT INTO throttles (key, hits, resets_at) VALUES ($1, 1, $2 + $3) \
     ON CONFLICT (key) DO UPDATE SET \
     hits = CASE WHEN throttles.resets_at <= $2 THEN 1 ELSE throttles.hits + 1 END, \
     resets_at = CASE WHEN throttles.resets_at <= $2 THEN $2 + $3 ELSE throttles.resets_at END \
     RETURNING hits, resets_at";
const SELECT: &str = "SELECT hits, resets_at FROM throttles WHERE key = $1 AND resets_at > $2";
const DELETE: &str = "DELETE FROM throttles WHERE key = $1";
const PRUNE: &str = "DELETE FROM throttles WHERE resets_at <= $1";

/// A key's hits in its current window, and when that window ends (epoch seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Window {
    pub hits: i64,
    pub resets_at: i64,
}

pub struct Throttles<'a> {
    pub(crate) store: &'a Store,
}

impl Throttles<'_> {
    /// Counts a hit on `key` at `now`, in a window of `seconds` that starts with the first hit.
    pub async fn hit(&self, key: &str, seconds: i64, now: i64) -> Result<Window, StoreError> {
        let window: Window = on_pool!(self.store, |pool| sqlx::query_as(HIT)
            .bind(key)
            .bind(now)
            .bind(seconds)
            .fetch_one(pool)
            .await)?;
        Ok(window)
    }

    /// `key`'s window at `now`, if one is open.
    pub async fn window(&self, key: &str, now: i64) -> Result<Option<Window>, StoreError> {
        let window: Option<Window> = on_pool!(self.store, |pool| sqlx::query_as(SELECT)
            .bind(key)
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        Ok(window)
    }

    /// Forgets `key`'s hits.
    pub async fn clear(&self, key: &str) -> Result<(), StoreError> {
        on_pool!(self.store, |pool| sqlx::query(DELETE)
            .bind(key)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Drops every window that has ended by `now`; returns how many.
    pub async fn prune(&self, now: i64) -> Result<u64, StoreError> {
        let done = on_pool!(self.store, |pool| sqlx::query(PRUNE)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done)
    }
}
