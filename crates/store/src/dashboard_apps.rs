//! Dashboard apps; `content` is stored as JSON text.

use crate::error::found;
use crate::{on_pool, Store, StoreError};
use domain::dashboard_app::DashboardAppChanges;
use domain::{AccountId, DashboardApp, DashboardAppId, NewDashboardApp};

const INSERT: &str =
    "INSERT INTO dashboard_apps (account_id, title, content_json, created_at, signing_secret) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id, account_id, title, content_json, created_at";
const SELECT_SECRET: &str =
    "SELECT signing_secret FROM dashboard_apps WHERE account_id = $1 AND id = $2";
const SET_SECRET: &str =
    "UPDATE dashboard_apps SET signing_secret = $1 WHERE account_id = $2 AND id = $3";
const SELECT_ALL: &str = "SELECT id, account_id, title, content_json, created_at \
     FROM dashboard_apps WHERE account_id = $1 ORDER BY id";
const SELECT_ONE: &str = "SELECT id, account_id, title, content_json, created_at \
     FROM dashboard_apps WHERE account_id = $1 AND id = $2";
const UPDATE: &str =
    "UPDATE dashboard_apps SET title = $1, content_json = $2 WHERE account_id = $3 AND id = $4";
const DELETE: &str = "DELETE FROM dashboard_apps WHERE account_id = $1 AND id = $2";

#[derive(sqlx::FromRow)]
struct DashboardAppRow {
    id: i64,
    account_id: i64,
    title: String,
    content_json: String,
    created_at: i64,
}

impl From<DashboardAppRow> for DashboardApp {
    fn from(row: DashboardAppRow) -> Self {
        DashboardApp {
            id: DashboardAppId(row.id),
            account_id: AccountId(row.account_id),
            title: row.title,
            content: serde_json::from_str(&row.content_json).unwrap_or_default(),
            created_at: row.created_at,
        }
    }
}

pub struct DashboardApps<'a> {
    pub(crate) store: &'a Store,
}

impl DashboardApps<'_> {
    pub async fn create(&self, new: &NewDashboardApp) -> Result<DashboardApp, StoreError> {
        let content = serde_json::to_string(&new.content).expect("frames always serialize");
        let now = domain::time::now();
        let row: DashboardAppRow = on_pool!(self.store, |pool| sqlx::query_as(INSERT)
            .bind(new.account_id.get())
            .bind(&new.title)
            .bind(&content)
            .bind(now)
            .bind(domain::context_token::new_secret())
            .fetch_one(pool)
            .await)?;
        Ok(row.into())
    }

    /// The app's signing secret (`None` for an app made before secrets existed); `NotFound`
    /// for an app of another account.
    pub async fn signing_secret(
        &self,
        account_id: AccountId,
        id: DashboardAppId,
    ) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> =
            on_pool!(self.store, |pool| sqlx::query_as(SELECT_SECRET)
                .bind(account_id.get())
                .bind(id.get())
                .fetch_optional(pool)
                .await)?;
        found(row).map(|(secret,)| secret)
    }

    /// Replaces the app's signing secret and returns the new one (the only time it is shown).
    pub async fn rotate_secret(
        &self,
        account_id: AccountId,
        id: DashboardAppId,
    ) -> Result<String, StoreError> {
        let secret = domain::context_token::new_secret();
        let done = on_pool!(self.store, |pool| sqlx::query(SET_SECRET)
            .bind(&secret)
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        crate::error::touched(done)?;
        Ok(secret)
    }

    /// The account's apps in creation order: the order of the tabs.
    pub async fn list(&self, account_id: AccountId) -> Result<Vec<DashboardApp>, StoreError> {
        let rows: Vec<DashboardAppRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ALL)
            .bind(account_id.get())
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(DashboardApp::from).collect())
    }

    pub async fn find(
        &self,
        account_id: AccountId,
        id: DashboardAppId,
    ) -> Result<DashboardApp, StoreError> {
        let row: Option<DashboardAppRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ONE)
            .bind(account_id.get())
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        found(row).map(DashboardApp::from)
    }

    pub async fn update(
        &self,
        account_id: AccountId,
        id: DashboardAppId,
        changes: &DashboardAppChanges,
    ) -> Result<DashboardApp, StoreError> {
        let mut app = self.find(account_id, id).await?;
        if let Some(title) = &changes.title {
            app.title = title.clone();
        }
        if let Some(content) = &changes.content {
            app.content = content.clone();
        }
        let content = serde_json::to_string(&app.content).expect("frames always serialize");
        on_pool!(self.store, |pool| sqlx::query(UPDATE)
            .bind(&app.title)
            .bind(&content)
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(app)
    }

    pub async fn delete(
        &self,
        account_id: AccountId,
        id: DashboardAppId,
    ) -> Result<(), StoreError> {
        let done = on_pool!(self.store, |pool| sqlx::query(DELETE)
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        crate::error::touched(done)
    }
}
