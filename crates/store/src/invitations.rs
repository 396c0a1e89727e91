//! Invitations into an account for users who already exist (issue 11): an administrator's
//! `POST …/agents` with a known e-mail makes one; the user accepts it (a membership with the
//! invited role) or declines it after signing in. Until then they are no member.

use crate::error::{found, taken};
use crate::{on_pool, on_writer, Store, StoreError};
use domain::user::NewAgent;
use domain::{Account, AccountId, Role, UserId};

const INSERT: &str = "INSERT INTO account_invitations \
     (account_id, user_id, role, name, inviter_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
const SELECT_PENDING: &str = "SELECT i.id, i.account_id, a.name AS account_name, i.role, \
     inviter.name AS inviter_name FROM account_invitations i \
     JOIN accounts a ON a.id = i.account_id \
     LEFT JOIN users inviter ON inviter.id = i.inviter_id \
     WHERE i.user_id = $1 ORDER BY i.id";
const SELECT_ONE: &str =
    "SELECT account_id, role FROM account_invitations WHERE id = $1 AND user_id = $2";
const DELETE_ONE: &str = "DELETE FROM account_invitations WHERE id = $1 AND user_id = $2";
const WITHDRAW: &str = "DELETE FROM account_invitations WHERE account_id = $1 AND user_id = $2";
const INSERT_MEMBERSHIP: &str =
    "INSERT INTO account_users (account_id, user_id, role, created_at) \
     VALUES ($1, $2, $3, $4)";
const IS_MEMBER: &str = "SELECT COUNT(*) FROM account_users WHERE account_id = $1 AND user_id = $2";

/// An invitation as its user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: i64,
    pub account: Account,
    pub role: Role,
    /// Who invited them, while that user exists.
    pub inviter_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: i64,
    account_id: i64,
    account_name: String,
    role: String,
    inviter_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    account_id: i64,
    role: String,
}

pub struct Invitations<'a> {
    pub(crate) store: &'a Store,
}

impl Invitations<'_> {
    /// Invites `user_id` into `new.account_id` with `new.role`; inviting them twice is the
    /// same 422 (`email` taken) as adding a new e-mail twice.
    pub async fn invite(
        &self,
        new: &NewAgent,
        user_id: UserId,
        inviter: UserId,
    ) -> Result<(), StoreError> {
        on_pool!(self.store, |pool| sqlx::query(INSERT)
            .bind(new.account_id.get())
            .bind(user_id.get())
            .bind(new.role.as_str())
            .bind(&new.name)
            .bind(inviter.get())
            .bind(domain::time::now())
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(taken("email"))
    }

    /// The user's pending invitations, oldest first.
    pub async fn pending(&self, user_id: UserId) -> Result<Vec<Invitation>, StoreError> {
        let rows: Vec<InvitationRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_PENDING)
            .bind(user_id.get())
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(|row| Invitation {
                id: row.id,
                account: Account {
                    id: AccountId(row.account_id),
                    name: row.account_name,
                },
                role: Role::parse(&row.role).unwrap_or(Role::Agent),
                inviter_name: row.inviter_name,
            })
            .collect())
    }

    /// Accepts the user's invitation `id`: a membership with the invited role, in one
    /// transaction with the invitation's removal. `NotFound` for anyone else's invitation.
    pub async fn accept(&self, user_id: UserId, id: i64) -> Result<AccountId, StoreError> {
        let now = domain::time::now();
        let account_id = on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let row: Option<PendingRow> = sqlx::query_as(SELECT_ONE)
                .bind(id)
                .bind(user_id.get())
                .fetch_optional(&mut *tx)
                .await?;
            let row = found(row)?;
            // A membership made meanwhile (the operator's CLI) stands; the invitation goes.
            let members: i64 = sqlx::query_scalar(IS_MEMBER)
                .bind(row.account_id)
                .bind(user_id.get())
                .fetch_one(&mut *tx)
                .await?;
            if members == 0 {
                sqlx::query(INSERT_MEMBERSHIP)
                    .bind(row.account_id)
                    .bind(user_id.get())
                    .bind(&row.role)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(DELETE_ONE)
                .bind(id)
                .bind(user_id.get())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, StoreError>(AccountId(row.account_id))
        })?;
        Ok(account_id)
    }

    /// Declines the user's invitation `id` (`NotFound` for anyone else's).
    pub async fn decline(&self, user_id: UserId, id: i64) -> Result<(), StoreError> {
        let deleted = on_pool!(self.store, |pool| sqlx::query(DELETE_ONE)
            .bind(id)
            .bind(user_id.get())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Withdraws the account's invitation of `user_id` (`DELETE …/agents/{id}` before they
    /// accepted); whether there was one.
    pub async fn withdraw(
        &self,
        account_id: AccountId,
        user_id: UserId,
    ) -> Result<bool, StoreError> {
        let deleted = on_pool!(self.store, |pool| sqlx::query(WITHDRAW)
            .bind(account_id.get())
            .bind(user_id.get())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(deleted > 0)
    }
}
