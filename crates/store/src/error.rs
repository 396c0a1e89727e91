//! Storage failures. A unique violation becomes `Taken(attribute)` where the statement knows the
//! attribute; everything else is `Database`, whose cause is logged and never shown.

use domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique attribute already in use (e.g. a label title): a 422 naming it.
    #[error("{0} has already been taken")]
    Taken(&'static str),
    /// A rule only the store can check (e.g. the inbox belongs to another account).
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// Whether the database could not be reached (down, restarting, refusing connections, or
    /// no pooled connection freed up in time), as opposed to a statement failing: the same
    /// request may well succeed in a moment, so the web layer answers 503, not 500.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(error) => is_unavailable(error),
            _ => false,
        }
    }
}

fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        // SQLSTATE class 08 (connection exception) and 57P (operator intervention: shutdown,
        // crash shutdown, "cannot connect now" while starting). PostgreSQL only; SQLite's codes
        // are numbers and never start so.
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        StoreError::Database(sqlx::Error::Migrate(Box::new(error)))
    }
}

/// Maps a unique violation to `Taken(attribute)`, for `.map_err(taken("title"))`.
pub(crate) fn taken(attribute: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |error| match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Taken(attribute),
        _ => StoreError::Database(error),
    }
}

/// `NotFound` when a write touched no row: the id is unknown, or another account's.
pub(crate) fn touched(rows: u64) -> Result<(), StoreError> {
    if rows == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// `fetch_optional` → `NotFound` when absent.
pub(crate) fn found<T>(row: Option<T>) -> Result<T, StoreError> {
    row.ok_or(StoreError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_is_unavailable_and_a_failed_statement_is_not() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(StoreError::Database(sqlx::Error::Io(refused)).is_unavailable());
        assert!(StoreError::Database(sqlx::Error::PoolTimedOut).is_unavailable());
        assert!(!StoreError::Database(sqlx::Error::RowNotFound).is_unavailable());
        assert!(!StoreError::Database(sqlx::Error::Protocol("bad".into())).is_unavailable());
        assert!(!StoreError::NotFound.is_unavailable());
        assert!(!StoreError::Taken("title").is_unavailable());
    }
}
