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
