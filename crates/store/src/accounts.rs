//! Accounts.

use crate::{on_pool, Store, StoreError};
use domain::user::NewAgent;
use domain::{Account, AccountId, Agent};

const INSERT: &str = "INSERT INTO accounts (name, created_at) VALUES ($1, $2) RETURNING id, name";
const SELECT: &str = "SELECT id, name FROM accounts WHERE id = $1";
const COUNT: &str = "SELECT COUNT(*) FROM accounts";
const DELETE: &str = "DELETE FROM accounts WHERE id = $1";
const USER_EXISTS: &str = "SELECT COUNT(*) FROM users WHERE email = $1";

/// A new account and its first administrator.
#[derive(Debug)]
pub struct CreatedAccount {
    pub account: Account,
    pub admin: Agent,
    /// Whether the administrator's user was made for it (else an existing user was added).
    pub new_user: bool,
}

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

    /// Creates an account with `email` as its administrator: a new user with `name` and
    /// `password`, or the existing user with that e-mail (their profile untouched). Nothing is
    /// left behind when the administrator cannot be made.
    pub async fn create_with_admin(
        &self,
        account_name: &str,
        name: &str,
        email: &str,
        password: &str,
    ) -> Result<CreatedAccount, StoreError> {
        let account = self.create(account_name).await?;
        let made = async {
            let admin =
                NewAgent::validate(account.id, Some(name), Some(email), Some("administrator"))?;
            let known: i64 = on_pool!(self.store, |pool| sqlx::query_scalar(USER_EXISTS)
                .bind(admin.email.to_lowercase())
                .fetch_one(pool)
                .await)?;
            let agent = self
                .store
                .users()
                .add_agent(&admin, Some(password), crate::AddExisting::Join)
                .await?;
            Ok::<_, StoreError>((agent, known == 0))
        }
        .await;
        match made {
            Ok((admin, new_user)) => Ok(CreatedAccount {
                account,
                admin,
                new_user,
            }),
            Err(error) => {
                on_pool!(self.store, |pool| sqlx::query(DELETE)
                    .bind(account.id.get())
                    .execute(pool)
                    .await
                    .map(|_| ()))?;
                Err(error)
            }
        }
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
