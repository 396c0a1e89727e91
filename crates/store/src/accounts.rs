//! Accounts.

use crate::{on_pool, Store, StoreError};
use domain::{Account, AccountId};

const INSERT: &str = "INSERT INTO accounts (name, created_at) VALUES ($1, $2) RETURNING id, name";
const SELECT: &str = "SELECT id, name FROM accounts WHERE id = $1";
const COUNT: &str = "SELECT COUNT(*) FROM accounts";

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    name: String,
}

impl From<AccountRow> for Account {
    fn from(row: AccountRow) -> Self {
        Account {
            id: AccountId(row.id),
            name: row.name,
        }
    }
}

pub struct Accounts<'a> {
    pub(crate) store: &'a Store,
}

impl Accounts<'_> {
    pub async fn create(&self, name: &str) -> Result<Account, StoreError> {
        let now = domain::time::now();
        let row: AccountRow = on_pool!(self.store, |pool| sqlx::query_as(INSERT)
            .bind(name)
            .bind(now)
            .fetch_one(pool)
            .await)?;
        Ok(row.into())
    }

    pub async fn find(&self, id: AccountId) -> Result<Account, StoreError> {
        let row: Option<AccountRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT)
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        crate::error::found(row).map(Account::from)
    }

    /// Whether the database holds no account yet (a fresh install gets demo data).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let count: i64 = on_pool!(self.store, |pool| sqlx::query_scalar(COUNT)
            .fetch_one(pool)
            .await)?;
        Ok(count == 0)
    }
}
