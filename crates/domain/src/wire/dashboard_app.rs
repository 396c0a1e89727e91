//! `api/v1/accounts/dashboard_apps/_dashboard_app.json.jbuilder`: exactly `id, title, content,
//! created_at` — what Chatwoot clients get. Our control fields are served beside them only to
//! clients that ask (`?include=control`), so a Chatwoot client sees Chatwoot's body byte for byte.

use crate::app_setting::SettingDefinition;
use crate::context_token::TokenAlgorithm;
use crate::dashboard_app::{AppAction, DisplayType};
use crate::DashboardAppFrame;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct DashboardApp {
    pub id: i64,
    pub title: String,
    pub content: Vec<DashboardAppFrame>,
    /// ISO-8601, as Rails prints a datetime.
    pub created_at: String,
}

impl From<&crate::DashboardApp> for DashboardApp {
    fn from(app: &crate::DashboardApp) -> Self {
        Self {
            id: app.id.get(),
            title: app.title.clone(),
            content: app.content.clone(),
            created_at: crate::time::iso8601(app.created_at),
        }
    }
}

/// Chatwoot's body plus the control fields (ours).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct DashboardAppWithControl {
    #[serde(flatten)]
    pub app: DashboardApp,
    pub enabled: bool,
    pub position: i64,
    pub display_type: DisplayType,
    /// Where the app is shown (`display_type` names the primary one, for older clients).
    pub placements: Vec<crate::app_placement::Placement>,
    pub inbox_ids: Vec<i64>,
    pub allowed_actions: Vec<AppAction>,
    /// `"EdDSA"` (verify with `/.well-known/jwks.json`) or `"HS256"` (the app's secret).
    pub token_algorithm: TokenAlgorithm,
    /// The roles that see the app (`"administrator"`, `"agent"`); empty: every role.
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<crate::Role>,
    /// The teams whose members see the app; empty: everyone.
    pub team_ids: Vec<i64>,
    /// The settings an administrator defined.
    pub settings_schema: Vec<SettingDefinition>,
    /// The non-secret values, as every context carries them.
    #[schema(value_type = Object)]
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// Each secret setting's state, never its value: `{"api_key": {"set": true}}`.
    pub secrets: BTreeMap<String, SecretState>,
    /// The hosts the app's proxied requests may reach.
    pub request_hosts: Vec<String>,
}

/// Whether a secret setting has a value; the value itself never leaves the server.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct SecretState {
    pub set: bool,
}

impl DashboardAppWithControl {
    /// Marks the secrets stored (`set_keys`) as set.
    pub fn with_secrets_set(mut self, set_keys: &[String]) -> Self {
        for (key, state) in &mut self.secrets {
            state.set = set_keys.contains(key);
        }
        self
    }
}

impl From<&crate::DashboardApp> for DashboardAppWithControl {
    fn from(app: &crate::DashboardApp) -> Self {
        Self {
            app: DashboardApp::from(app),
            enabled: app.enabled,
            position: app.position,
            display_type: app.display_type,
            placements: app.placements.clone(),
            inbox_ids: app.inbox_ids.iter().map(|id| id.get()).collect(),
            allowed_actions: app.allowed_actions.clone(),
            token_algorithm: app.token_algorithm,
            roles: app.visibility.roles.clone(),
            team_ids: app.visibility.team_ids.iter().map(|id| id.get()).collect(),
            settings_schema: app.settings.schema.clone(),
            settings: app.settings.values.clone(),
            secrets: app
                .settings
                .secret_keys()
                .into_iter()
                .map(|key| (key, SecretState { set: false }))
                .collect(),
            request_hosts: app.settings.request_hosts.clone(),
        }
    }
}

/// The answer to an app's action: `{"event": "add-label:result", "ok": true, "error": null}`,
/// what the host posts to the frame (plus the frame's `id`) and what `POST …/app_actions`
/// answers when it performed one.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct AppActionResult {
    pub event: String,
    pub ok: bool,
    pub error: Option<String>,
}

impl AppActionResult {
    pub fn done(action: AppAction) -> Self {
        Self {
            event: format!("{}:result", action.as_str()),
            ok: true,
            error: None,
        }
    }
}
