//! The audit log of dashboard apps' proxied requests: one row per request an app asked the
//! server to send (refused ones too), for administrators to read. Rows carry the method, host
//! and the path as the app wrote it — never a query string, a header or a body, so never a
//! secret.

use crate::{on_pool, Store, StoreError};
use domain::{AccountId, DashboardAppId, UserId};

const INSERT: &str = "INSERT INTO dashboard_app_requests (account_id, dashboard_app_id, user_id, \
     method, host, path, status, error, duration_ms, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
const LIST: &str =
    "SELECT id, user_id, method, host, path, status, error, duration_ms, created_at \
     FROM dashboard_app_requests WHERE account_id = $1 AND dashboard_app_id = $2 \
     ORDER BY id DESC LIMIT $3";

/// One proxied request, as logged.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AppRequestRecord {
    pub id: i64,
    pub user_id: i64,
    pub method: String,
    pub host: String,
    pub path: String,
    /// The answer's status; `None` when none came (refused, failed, timed out).
    pub status: Option<i64>,
    /// Why no answer came, in words safe to show.
    pub error: Option<String>,
    pub duration_ms: i64,
    pub created_at: i64,
}

/// What to log about one request.
#[derive(Debug, Clone)]
pub struct NewAppRequest<'a> {
    pub account_id: AccountId,
    pub app_id: DashboardAppId,
    pub user_id: UserId,
    pub method: &'a str,
    pub host: &'a str,
    pub path: &'a str,
    pub status: Option<i64>,
    pub error: Option<&'a str>,
    pub duration_ms: i64,
}

pub struct DashboardAppRequests<'a> {
    pub(crate) store: &'a Store,
}

impl DashboardAppRequests<'_> {
    pub async fn record(&self, entry: &NewAppRequest<'_>) -> Result<(), StoreError> {
        let now = domain::time::now();
        on_pool!(self.store, |pool| sqlx::query(INSERT)
            .bind(entry.account_id.get())
            .bind(entry.app_id.get())
            .bind(entry.user_id.get())
            .bind(entry.method)
            .bind(entry.host)
            .bind(entry.path)
            .bind(entry.status)
            .bind(entry.error)
            .bind(entry.duration_ms)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The app's latest `limit` requests, newest first.
    pub async fn list(
        &self,
        account_id: AccountId,
        app_id: DashboardAppId,
        limit: i64,
    ) -> Result<Vec<AppRequestRecord>, StoreError> {
        let rows = on_pool!(self.store, |pool| sqlx::query_as(LIST)
            .bind(account_id.get())
            .bind(app_id.get())
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        Ok(rows)
    }
}
