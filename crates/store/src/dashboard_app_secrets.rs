//! Dashboard apps' secret setting values, sealed (`domain::sealed`): written with the app's
//! other values (`DashboardApps::save_settings`), read back only as sealed text for the request
//! proxy to open, and otherwise only ever listed by key ("is it set?").
//! Callers reach an app's secrets only through an app they found in their own account.

use crate::{on_pool, Store, StoreError};
use domain::{AccountId, DashboardAppId};
use std::collections::HashMap;

pub(crate) const UPSERT: &str = "INSERT INTO dashboard_app_secrets \
     (dashboard_app_id, key, sealed, updated_at) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (dashboard_app_id, key) DO UPDATE SET sealed = $3, updated_at = $4";
pub(crate) const DELETE_ONE: &str =
    "DELETE FROM dashboard_app_secrets WHERE dashboard_app_id = $1 AND key = $2";
const KEYS_OF_ACCOUNT: &str = "SELECT s.dashboard_app_id, s.key FROM dashboard_app_secrets s \
     JOIN dashboard_apps a ON a.id = s.dashboard_app_id WHERE a.account_id = $1 \
     ORDER BY s.dashboard_app_id, s.key";
const SEALED_OF_APP: &str =
    "SELECT key, sealed FROM dashboard_app_secrets WHERE dashboard_app_id = $1 ORDER BY key";
const ALL_OF_APP: &str = "DELETE FROM dashboard_app_secrets WHERE dashboard_app_id = $1";

pub struct DashboardAppSecrets<'a> {
    pub(crate) store: &'a Store,
}

impl DashboardAppSecrets<'_> {
    /// The keys of the secrets set, per app of the account.
    pub async fn keys_by_app(
        &self,
        account_id: AccountId,
    ) -> Result<HashMap<DashboardAppId, Vec<String>>, StoreError> {
        let rows: Vec<(i64, String)> =
            on_pool!(self.store, |pool| sqlx::query_as(KEYS_OF_ACCOUNT)
                .bind(account_id.get())
                .fetch_all(pool)
                .await)?;
        let mut keys: HashMap<DashboardAppId, Vec<String>> = HashMap::new();
        for (app, key) in rows {
            keys.entry(DashboardAppId(app)).or_default().push(key);
        }
        Ok(keys)
    }

    /// The app's secrets as stored: `key → sealed text`.
    pub async fn sealed(&self, app: DashboardAppId) -> Result<HashMap<String, String>, StoreError> {
        let rows: Vec<(String, String)> =
            on_pool!(self.store, |pool| sqlx::query_as(SEALED_OF_APP)
                .bind(app.get())
                .fetch_all(pool)
                .await)?;
        Ok(rows.into_iter().collect())
    }

    /// Deletes the app's secrets whose key is not in `keys` (the schema's secret settings).
    pub async fn keep_only(&self, app: DashboardAppId, keys: &[String]) -> Result<(), StoreError> {
        let stored = self.sealed(app).await?;
        let gone: Vec<&String> = stored.keys().filter(|key| !keys.contains(key)).collect();
        if gone.is_empty() {
            return Ok(());
        }
        if keys.is_empty() {
            on_pool!(self.store, |pool| sqlx::query(ALL_OF_APP)
                .bind(app.get())
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
            return Ok(());
        }
        for key in gone {
            on_pool!(self.store, |pool| sqlx::query(DELETE_ONE)
                .bind(app.get())
                .bind(key)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
        }
        Ok(())
    }
}
