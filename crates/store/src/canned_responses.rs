//! An account's canned responses.

use crate::error::{found, taken, touched};
use crate::{on_pool, Store, StoreError};
use domain::{
    AccountId, CannedResponse, CannedResponseChanges, CannedResponseId, NewCannedResponse,
};

const INSERT: &str = "INSERT INTO canned_responses (account_id, short_code, content, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $4) RETURNING id, account_id, short_code, content, created_at, updated_at";
const SELECT_ALL: &str = "SELECT id, account_id, short_code, content, created_at, updated_at \
     FROM canned_responses WHERE account_id = $1 ORDER BY id";
const SELECT_ONE: &str = "SELECT id, account_id, short_code, content, created_at, updated_at \
     FROM canned_responses WHERE account_id = $1 AND id = $2";
const UPDATE: &str = "UPDATE canned_responses SET short_code = $1, content = $2, updated_at = $3 \
     WHERE account_id = $4 AND id = $5";
const DELETE: &str = "DELETE FROM canned_responses WHERE account_id = $1 AND id = $2";

#[derive(sqlx::FromRow)]
struct CannedRow {
    id: i64,
    account_id: i64,
    short_code: String,
    content: String,
    created_at: i64,
    updated_at: i64,
}

impl From<CannedRow> for CannedResponse {
    fn from(row: CannedRow) -> Self {
        CannedResponse {
            id: CannedResponseId(row.id),
            account_id: AccountId(row.account_id),
            short_code: row.short_code,
            content: row.content,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

pub struct CannedResponses<'a> {
    pub(crate) store: &'a Store,
}

impl CannedResponses<'_> {
    pub async fn create(&self, new: &NewCannedResponse) -> Result<CannedResponse, StoreError> {
        let row: CannedRow = on_pool!(self.store, |pool| sqlx::query_as(INSERT)
            .bind(new.account_id.get())
            .bind(&new.short_code)
            .bind(&new.content)
            .bind(domain::time::now())
            .fetch_one(pool)
            .await)
        .map_err(taken("short_code"))?;
        Ok(row.into())
    }

    /// Every canned response of the account, oldest first (Chatwoot's default order).
    pub async fn list(&self, account_id: AccountId) -> Result<Vec<CannedResponse>, StoreError> {
        let rows: Vec<CannedRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ALL)
            .bind(account_id.get())
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(CannedResponse::from).collect())
    }

    pub async fn find(
        &self,
        account_id: AccountId,
        id: CannedResponseId,
    ) -> Result<CannedResponse, StoreError> {
        let row: Option<CannedRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ONE)
            .bind(account_id.get())
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        found(row).map(CannedResponse::from)
    }

    pub async fn update(
        &self,
        account_id: AccountId,
        id: CannedResponseId,
        changes: &CannedResponseChanges,
    ) -> Result<CannedResponse, StoreError> {
        let mut canned = self.find(account_id, id).await?;
        changes.apply(&mut canned);
        canned.updated_at = domain::time::now();
        let done = on_pool!(self.store, |pool| sqlx::query(UPDATE)
            .bind(&canned.short_code)
            .bind(&canned.content)
            .bind(canned.updated_at)
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .map_err(taken("short_code"))?;
        touched(done)?;
        Ok(canned)
    }

    pub async fn delete(
        &self,
        account_id: AccountId,
        id: CannedResponseId,
    ) -> Result<(), StoreError> {
        let done = on_pool!(self.store, |pool| sqlx::query(DELETE)
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        touched(done)
    }
}
