//! Dashboard apps; `content`, `inbox_ids`, `allowed_actions`, `placements`, the settings schema
//! and values, request hosts, roles and teams are stored as JSON text (secret values in
//! `dashboard_app_secrets`).
//! Positions are kept dense (1..=n per account), so `position` always reads as a rank.

use crate::error::found;
use crate::{on_pool, on_writer, Store, StoreError};
use domain::app_placement::Placement;
use domain::app_setting::AppSettings;
use domain::app_setting::SettingsUpdate;
use domain::app_visibility::Visibility;
use domain::context_token::TokenAlgorithm;
use domain::dashboard_app::{DashboardAppChanges, DisplayType};
use domain::sealed::SecretKey;
use domain::{AccountId, DashboardApp, DashboardAppId, DomainError, InboxId, NewDashboardApp};

/// The columns of a `DashboardAppRow`, spelled once for both selects (`concat!` keeps the SQL a
/// `&'static str`, with no `format!`).
macro_rules! select_apps {
    ($rest:literal) => {
        concat!(
            "SELECT id, account_id, title, content_json, created_at, enabled, position, ",
            "display_type, inbox_ids_json, allowed_actions_json, token_algorithm, placements_json, ",
            "settings_schema_json, settings_json, request_hosts_json, roles_json, team_ids_json ",
            "FROM dashboard_apps ",
            $rest
        )
    };
}
const LIST: &str = select_apps!("WHERE account_id = $1 ORDER BY position, id");
const FIND: &str = select_apps!("WHERE account_id = $1 AND id = $2");

const INSERT: &str = "INSERT INTO dashboard_apps (account_id, title, content_json, created_at, \
     signing_secret, enabled, position, display_type, inbox_ids_json, allowed_actions_json, \
     token_algorithm, placements_json, settings_schema_json, request_hosts_json, roles_json, \
     team_ids_json) \
     VALUES ($1, $2, $3, $4, $5, $6, \
     (SELECT COALESCE(MAX(position), 0) + 1 FROM dashboard_apps WHERE account_id = $1), \
     $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id";
const SELECT_SECRET: &str =
    "SELECT signing_secret FROM dashboard_apps WHERE account_id = $1 AND id = $2";
const SET_SECRET: &str =
    "UPDATE dashboard_apps SET signing_secret = $1 WHERE account_id = $2 AND id = $3";
const UPDATE: &str = "UPDATE dashboard_apps SET title = $1, content_json = $2, enabled = $3, \
     display_type = $4, inbox_ids_json = $5, allowed_actions_json = $6, token_algorithm = $7, \
     settings_schema_json = $8, settings_json = $9, request_hosts_json = $10, roles_json = $11, \
     team_ids_json = $12, placements_json = $15 \
     WHERE account_id = $13 AND id = $14";
const DELETE: &str = "DELETE FROM dashboard_apps WHERE account_id = $1 AND id = $2";
/// Touches the app first, so a SQLite transaction takes the write lock before it reads.
const LOCK_ONE: &str =
    "UPDATE dashboard_apps SET position = position WHERE account_id = $1 AND id = $2";
const ORDER: &str = "SELECT id FROM dashboard_apps WHERE account_id = $1 ORDER BY position, id";
const SET_POSITION: &str = "UPDATE dashboard_apps SET position = $1 WHERE id = $2";
/// Closes the gap a deleted app leaves.
const CLOSE_GAP: &str =
    "UPDATE dashboard_apps SET position = position - 1 WHERE account_id = $1 AND position > $2";
const ACCOUNT_INBOXES: &str = "SELECT id FROM inboxes WHERE account_id = $1";
const ACCOUNT_TEAMS: &str = "SELECT id FROM teams WHERE account_id = $1";
const SET_VALUES: &str =
    "UPDATE dashboard_apps SET settings_json = $1 WHERE account_id = $2 AND id = $3";

#[derive(sqlx::FromRow)]
struct DashboardAppRow {
    id: i64,
    account_id: i64,
    title: String,
    content_json: String,
    created_at: i64,
    enabled: bool,
    position: i64,
    display_type: String,
    inbox_ids_json: String,
    allowed_actions_json: String,
    token_algorithm: String,
    placements_json: String,
    settings_schema_json: String,
    settings_json: String,
    request_hosts_json: String,
    roles_json: String,
    team_ids_json: String,
}

impl From<DashboardAppRow> for DashboardApp {
    fn from(row: DashboardAppRow) -> Self {
        let display_type = match row.display_type.as_str() {
            "sidebar" => DisplayType::Sidebar,
            _ => DisplayType::Conversation,
        };
        // Only validated lists are written; an unreadable or empty one falls back to where
        // `display_type` says, so the app is never shown nowhere by accident.
        let placements: Vec<Placement> = serde_json::from_str(&row.placements_json)
            .ok()
            .filter(|p: &Vec<Placement>| !p.is_empty())
            .unwrap_or_else(|| vec![Placement::of_display_type(display_type)]);
        DashboardApp {
            id: DashboardAppId(row.id),
            account_id: AccountId(row.account_id),
            title: row.title,
            content: serde_json::from_str(&row.content_json).unwrap_or_default(),
            created_at: row.created_at,
            enabled: row.enabled,
            position: row.position,
            display_type,
            placements,
            inbox_ids: serde_json::from_str(&row.inbox_ids_json).unwrap_or_default(),
            allowed_actions: serde_json::from_str(&row.allowed_actions_json).unwrap_or_default(),
            // Only the two names are ever written; an unreadable one signs as before EdDSA.
            token_algorithm: TokenAlgorithm::parse(&row.token_algorithm)
                .unwrap_or(TokenAlgorithm::Hs256),
            visibility: Visibility {
                roles: serde_json::from_str(&row.roles_json).unwrap_or_default(),
                team_ids: serde_json::from_str(&row.team_ids_json).unwrap_or_default(),
            },
            settings: AppSettings {
                schema: serde_json::from_str(&row.settings_schema_json).unwrap_or_default(),
                values: serde_json::from_str(&row.settings_json).unwrap_or_default(),
                request_hosts: serde_json::from_str(&row.request_hosts_json).unwrap_or_default(),
            },
        }
    }
}

/// A new app's placements: `NewDashboardApp::validate` resolves them; a tab if it did not.
fn new_placements(control: &domain::dashboard_app::ControlChanges) -> Vec<Placement> {
    control.placements.clone().unwrap_or_else(|| {
        vec![Placement::of_display_type(
            control.display_type.unwrap_or_default(),
        )]
    })
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("dashboard-app fields always serialize")
}

pub struct DashboardApps<'a> {
    pub(crate) store: &'a Store,
}

impl DashboardApps<'_> {
    /// Creates the app at the end of the order (or at `control.position`), with its signing
    /// secret.
    pub async fn create(&self, new: &NewDashboardApp) -> Result<DashboardApp, StoreError> {
        let control = &new.control;
        let inbox_ids = control.inbox_ids.clone().unwrap_or_default();
        self.check_inboxes(new.account_id, &inbox_ids).await?;
        let team_ids = control.team_ids.clone().unwrap_or_default();
        self.check_teams(new.account_id, &team_ids).await?;
        let now = domain::time::now();
        let id: i64 = on_pool!(self.store, |pool| sqlx::query_scalar(INSERT)
            .bind(new.account_id.get())
            .bind(&new.title)
            .bind(json(&new.content))
            .bind(now)
            .bind(domain::context_token::new_secret())
            .bind(control.enabled.unwrap_or(true))
            .bind(control.display_type.unwrap_or_default().as_str())
            .bind(json(&inbox_ids))
            .bind(json(&control.allowed_actions.clone().unwrap_or_default()))
            .bind(control.token_algorithm.unwrap_or_default().as_str())
            .bind(json(&new_placements(control)))
            .bind(json(&control.settings_schema.clone().unwrap_or_default()))
            .bind(json(&control.request_hosts.clone().unwrap_or_default()))
            .bind(json(&control.roles.clone().unwrap_or_default()))
            .bind(json(&team_ids))
            .fetch_one(pool)
            .await)?;
        let id = DashboardAppId(id);
        if let Some(position) = control.position {
            self.move_to(new.account_id, id, position).await?;
        }
        self.find(new.account_id, id).await
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

    /// The account's apps in their order: the order of tabs and sidebar entries.
    pub async fn list(&self, account_id: AccountId) -> Result<Vec<DashboardApp>, StoreError> {
        let rows: Vec<DashboardAppRow> = on_pool!(self.store, |pool| sqlx::query_as(LIST)
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
        let row: Option<DashboardAppRow> = on_pool!(self.store, |pool| sqlx::query_as(FIND)
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
        let app = changes.applied_to(self.find(account_id, id).await?)?;
        if changes.control.inbox_ids.is_some() {
            self.check_inboxes(account_id, &app.inbox_ids).await?;
        }
        if changes.control.team_ids.is_some() {
            self.check_teams(account_id, &app.visibility.team_ids)
                .await?;
        }
        let done = on_pool!(self.store, |pool| sqlx::query(UPDATE)
            .bind(&app.title)
            .bind(json(&app.content))
            .bind(app.enabled)
            .bind(app.display_type.as_str())
            .bind(json(&app.inbox_ids))
            .bind(json(&app.allowed_actions))
            .bind(app.token_algorithm.as_str())
            .bind(json(&app.settings.schema))
            .bind(json(&app.settings.values))
            .bind(json(&app.settings.request_hosts))
            .bind(json(&app.visibility.roles))
            .bind(json(&app.visibility.team_ids))
            .bind(account_id.get())
            .bind(id.get())
            .bind(json(&app.placements))
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        crate::error::touched(done)?;
        if changes.control.settings_schema.is_some() {
            // Secrets of settings that are gone, or no longer secret, go with them.
            self.store
                .dashboard_app_secrets()
                .keep_only(id, &app.settings.secret_keys())
                .await?;
        }
        if let Some(position) = changes.control.position {
            self.move_to(account_id, id, position).await?;
        }
        self.find(account_id, id).await
    }

    /// Moves the app to 1-based `position` (past the end means last) and renumbers the
    /// account's apps 1..=n, in one transaction.
    pub async fn move_to(
        &self,
        account_id: AccountId,
        id: DashboardAppId,
        position: i64,
    ) -> Result<(), StoreError> {
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let touched = sqlx::query(LOCK_ONE)
                .bind(account_id.get())
                .bind(id.get())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if touched == 0 {
                return Err(StoreError::NotFound);
            }
            let mut order: Vec<i64> = sqlx::query_scalar(ORDER)
                .bind(account_id.get())
                .fetch_all(&mut *tx)
                .await?;
            order.retain(|other| *other != id.get());
            let index = usize::try_from(position - 1).unwrap_or(0).min(order.len());
            order.insert(index, id.get());
            for (rank, app) in order.iter().enumerate() {
                sqlx::query(SET_POSITION)
                    .bind(rank as i64 + 1)
                    .bind(app)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn delete(
        &self,
        account_id: AccountId,
        id: DashboardAppId,
    ) -> Result<(), StoreError> {
        let app = self.find(account_id, id).await?;
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(DELETE)
                .bind(account_id.get())
                .bind(id.get())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            crate::error::touched(done)?;
            sqlx::query(CLOSE_GAP)
                .bind(account_id.get())
                .bind(app.position)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })
    }

    /// Every team an app is limited to must be one of the account's.
    async fn check_teams(
        &self,
        account_id: AccountId,
        team_ids: &[domain::TeamId],
    ) -> Result<(), StoreError> {
        let ids: Vec<i64> = team_ids.iter().map(|id| id.get()).collect();
        self.check_owned(
            account_id,
            &ids,
            ACCOUNT_TEAMS,
            ("team_ids", "Team", "teams"),
        )
        .await
    }

    /// Every one of `ids` must be among those `sql` lists for the account; else a 422 naming
    /// `what.0` ("Team 7 is not one of this account's teams").
    async fn check_owned(
        &self,
        account_id: AccountId,
        ids: &[i64],
        sql: &'static str,
        what: (&str, &str, &str),
    ) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let known: Vec<i64> = on_pool!(self.store, |pool| sqlx::query_scalar(sql)
            .bind(account_id.get())
            .fetch_all(pool)
            .await)?;
        let (field, noun, plural) = what;
        match ids.iter().find(|id| !known.contains(id)) {
            None => Ok(()),
            Some(unknown) => Err(DomainError::invalid(
                field,
                format!("{noun} {unknown} is not one of this account's {plural}"),
            )
            .into()),
        }
    }

    /// Saves an administrator's setting values (already checked against the app's schema by
    /// `domain::app_setting::apply_values`): the non-secret values, and each secret sealed
    /// under `key` (or cleared), in one transaction.
    pub async fn save_settings(
        &self,
        app: &DashboardApp,
        update: &SettingsUpdate,
        key: &SecretKey,
    ) -> Result<(), StoreError> {
        let now = domain::time::now();
        let sealed: Vec<(&str, Option<String>)> = update
            .secrets
            .iter()
            .map(|(name, value)| {
                let context = domain::sealed::setting_context(app.id, name);
                (name.as_str(), value.as_ref().map(|v| key.seal(v, &context)))
            })
            .collect();
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(SET_VALUES)
                .bind(json(&update.values))
                .bind(app.account_id.get())
                .bind(app.id.get())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            crate::error::touched(done)?;
            for (name, sealed) in &sealed {
                match sealed {
                    Some(sealed) => {
                        sqlx::query(crate::dashboard_app_secrets::UPSERT)
                            .bind(app.id.get())
                            .bind(*name)
                            .bind(sealed)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?
                    }
                    None => {
                        sqlx::query(crate::dashboard_app_secrets::DELETE_ONE)
                            .bind(app.id.get())
                            .bind(*name)
                            .execute(&mut *tx)
                            .await?
                    }
                };
            }
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })
    }

    /// Every inbox an app is limited to must be one of the account's.
    async fn check_inboxes(
        &self,
        account_id: AccountId,
        inbox_ids: &[InboxId],
    ) -> Result<(), StoreError> {
        let ids: Vec<i64> = inbox_ids.iter().map(|id| id.get()).collect();
        self.check_owned(
            account_id,
            &ids,
            ACCOUNT_INBOXES,
            ("inbox_ids", "Inbox", "inboxes"),
        )
        .await
    }
}
