//! `/api/v1/accounts/{account_id}/dashboard_apps`, exactly Chatwoot's
//! (`dashboard_apps_controller.rb`): a bare array; each app `id, title, content, created_at`;
//! bodies wrapped in `dashboard_app` or bare; writes for administrators; delete answers 204.
//!
//! Ours on top: the control fields (`enabled`, `position`, `display_type`, `placements`,
//! `inbox_ids`, `allowed_actions`) are accepted in every write and returned only with `?include=control`,
//! so Chatwoot clients keep getting Chatwoot's exact body; the signing secret; and the context
//! of a sidebar app.

use super::{path_id, query_param};
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{Resource, Wrapped};
use crate::openapi::{AccountPath, ResourcePath};
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use domain::dashboard_app::{AppAction, ControlChanges, DashboardAppChanges, DisplayType};
use domain::{
    wire, DashboardApp, DashboardAppFrame, DashboardAppId, DomainError, InboxId, Member,
    NewDashboardApp,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DashboardAppParams {
    title: Option<String>,
    /// Kept raw: any shape that is not a list of frames is Chatwoot's "Content : Invalid data".
    #[schema(value_type = Option<Vec<DashboardAppFrame>>)]
    content: Option<Value>,
    enabled: Option<bool>,
    position: Option<i64>,
    display_type: Option<DisplayType>,
    #[schema(value_type = Option<Vec<i64>>)]
    inbox_ids: Option<Vec<InboxId>>,
    allowed_actions: Option<Vec<AppAction>>,
    /// `"EdDSA"` (the default for new apps) or `"HS256"`.
    token_algorithm: Option<domain::context_token::TokenAlgorithm>,
    /// Where the app is shown (`conversation_tab`, `conversation_panel`, `contact_page`,
    /// `full_page`); wins over `display_type` when both are sent.
    placements: Option<Vec<domain::app_placement::Placement>>,
    /// The roles that see the app (`"administrator"`, `"agent"`); empty: every role.
    #[schema(value_type = Option<Vec<String>>)]
    roles: Option<Vec<domain::Role>>,
    /// The teams whose members see the app; empty: everyone.
    #[schema(value_type = Option<Vec<i64>>)]
    team_ids: Option<Vec<domain::TeamId>>,
    /// The app's settings: `[{key, label, type: text|number|boolean|select|secret, required,
    /// options}]`. Kept raw so that a bad one is a 422 naming `settings_schema`.
    #[schema(value_type = Option<Vec<domain::app_setting::SettingDefinition>>)]
    settings_schema: Option<Value>,
    /// The hostnames the app's proxied requests may reach.
    request_hosts: Option<Vec<String>>,
}

impl DashboardAppParams {
    fn control(&self) -> Result<ControlChanges, DomainError> {
        Ok(ControlChanges {
            enabled: self.enabled,
            position: self.position,
            display_type: self.display_type,
            inbox_ids: self.inbox_ids.clone(),
            allowed_actions: self.allowed_actions.clone(),
            token_algorithm: self.token_algorithm,
            placements: self.placements.clone(),
            roles: self.roles.clone(),
            team_ids: self.team_ids.clone(),
            settings_schema: self
                .settings_schema
                .as_ref()
                .map(domain::app_setting::schema_of)
                .transpose()?,
            request_hosts: self.request_hosts.clone(),
        })
    }
}

/// `?include=control`: also return the control fields (ours).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncludeQuery {
    /// `control` adds `enabled`, `position`, `display_type`, `placements`, `inbox_ids`,
    /// `allowed_actions`, `token_algorithm`.
    #[allow(dead_code)]
    include: Option<String>,
}

/// Which body the client asked for: Chatwoot's, or Chatwoot's plus the control fields.
#[derive(Debug, Clone, Copy)]
pub struct View {
    control: bool,
}

impl View {
    /// `?include=control` (a comma-separated list; `control` is the one thing to include).
    fn from_query(query: Option<&str>) -> Result<Self, ApiError> {
        let Some(include) = query_param(query, "include") else {
            return Ok(Self { control: false });
        };
        let mut control = false;
        for part in include.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part != "control" {
                return Err(DomainError::invalid(
                    "include",
                    format!("Include must be \"control\"; {part:?} is not something to include"),
                )
                .into());
            }
            control = true;
        }
        Ok(Self { control })
    }

    /// `secrets_set`: the keys of the app's secrets that have a value (shown as `{"set": true}`).
    fn body(self, app: &DashboardApp, secrets_set: &[String]) -> AppBody {
        if self.control {
            AppBody::WithControl(Box::new(
                wire::DashboardAppWithControl::from(app).with_secrets_set(secrets_set),
            ))
        } else {
            AppBody::Chatwoot(wire::DashboardApp::from(app))
        }
    }
}

/// Chatwoot's body, or with `?include=control` Chatwoot's plus the control fields.
#[derive(Serialize)]
#[serde(untagged)]
pub enum AppBody {
    Chatwoot(wire::DashboardApp),
    WithControl(Box<wire::DashboardAppWithControl>),
}

/// Written by hand: the derived schema of an untagged enum is `oneOf`, which a body with the
/// control fields fails, since it is also a valid Chatwoot body (that schema allows other keys).
impl utoipa::PartialSchema for AppBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::AnyOfBuilder;
        use utoipa::openapi::Ref;
        AnyOfBuilder::new()
            .item(Ref::from_schema_name("DashboardApp"))
            .item(Ref::from_schema_name("DashboardAppWithControl"))
            .description(Some(
                "Chatwoot's body, or with `?include=control` Chatwoot's plus the control fields.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for AppBody {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema;
        schemas.push((
            wire::DashboardApp::name().into(),
            wire::DashboardApp::schema(),
        ));
        wire::DashboardApp::schemas(schemas);
        schemas.push((
            wire::DashboardAppWithControl::name().into(),
            wire::DashboardAppWithControl::schema(),
        ));
        wire::DashboardAppWithControl::schemas(schemas);
    }
}

impl Resource for DashboardAppParams {
    const KEY: &'static str = "dashboard_app";
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/dashboard_apps",
    tag = "dashboard_apps",
    params(AccountPath, IncludeQuery),
    responses((status = 200, body = Vec<AppBody>))
)]
pub async fn index(
    State(state): State<AppState>,
    member: Member,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<AppBody>>, ApiError> {
    let view = View::from_query(query.as_deref())?;
    let apps = state.store.dashboard_apps().list(member.account_id).await?;
    let secrets = if view.control {
        state
            .store
            .dashboard_app_secrets()
            .keys_by_app(member.account_id)
            .await?
    } else {
        Default::default()
    };
    let none = Vec::new();
    Ok(Json(
        apps.iter()
            .map(|app| view.body(app, secrets.get(&app.id).unwrap_or(&none)))
            .collect(),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/dashboard_apps/{id}",
    tag = "dashboard_apps",
    params(ResourcePath, IncludeQuery),
    responses((status = 200, body = AppBody))
)]
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Json<AppBody>, ApiError> {
    let view = View::from_query(query.as_deref())?;
    let id = DashboardAppId(path_id(&id)?);
    let app = state
        .store
        .dashboard_apps()
        .find(member.account_id, id)
        .await?;
    let secrets = secrets_set(&state, &app).await?;
    Ok(Json(view.body(&app, &secrets)))
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/dashboard_apps",
    tag = "dashboard_apps",
    params(AccountPath, IncludeQuery),
    request_body = DashboardAppParams,
    responses((status = 200, body = AppBody))
)]
pub async fn create(
    State(state): State<AppState>,
    Admin(member): Admin,
    RawQuery(query): RawQuery,
    Wrapped(params): Wrapped<DashboardAppParams>,
) -> Result<Json<AppBody>, ApiError> {
    let view = View::from_query(query.as_deref())?;
    let new = NewDashboardApp::validate(
        member.account_id,
        params.title.as_deref(),
        params.content.as_ref(),
        params.control()?,
    )?;
    let app = state.store.dashboard_apps().create(&new).await?;
    Ok(Json(view.body(&app, &[])))
}

#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/dashboard_apps/{id}",
    tag = "dashboard_apps",
    params(ResourcePath, IncludeQuery),
    request_body = DashboardAppParams,
    responses((status = 200, body = AppBody))
)]
pub async fn update(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    Wrapped(params): Wrapped<DashboardAppParams>,
) -> Result<Json<AppBody>, ApiError> {
    let view = View::from_query(query.as_deref())?;
    let id = DashboardAppId(path_id(&id)?);
    let changes = DashboardAppChanges::validate(
        params.title.as_deref(),
        params.content.as_ref(),
        params.control()?,
    )?;
    let app = state
        .store
        .dashboard_apps()
        .update(member.account_id, id, &changes)
        .await?;
    let secrets = secrets_set(&state, &app).await?;
    Ok(Json(view.body(&app, &secrets)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/dashboard_apps/{id}",
    tag = "dashboard_apps",
    params(ResourcePath),
    responses((status = 204, description = "Deleted"))
)]
pub async fn destroy(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = DashboardAppId(path_id(&id)?);
    state
        .store
        .dashboard_apps()
        .delete(member.account_id, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SigningSecret {
    signing_secret: String,
}

/// `POST …/dashboard_apps/{id}/signing_secret` (ours, administrators): a new secret for the
/// app's context tokens, shown this once; the previous one stops working.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/dashboard_apps/{id}/signing_secret",
    tag = "dashboard_apps",
    params(ResourcePath),
    responses((status = 200, body = SigningSecret))
)]
pub async fn rotate_secret(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<SigningSecret>, ApiError> {
    let id = DashboardAppId(path_id(&id)?);
    let signing_secret = state
        .store
        .dashboard_apps()
        .rotate_secret(member.account_id, id)
        .await?;
    Ok(Json(SigningSecret { signing_secret }))
}

/// A sidebar app's context and, when the app has a secret, its token.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SignedSidebarContext {
    #[serde(flatten)]
    context: wire::SidebarContext,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    /// The app's non-secret setting values (ours, beside `token` and `meta`).
    #[schema(value_type = Object)]
    settings: serde_json::Map<String, Value>,
}

/// `GET …/dashboard_apps/{id}/app_context` (ours): what the host posts to a sidebar app — the
/// agent and the account, signed for that app. Agents get it for enabled sidebar apps only;
/// administrators for any of the account's apps (the playground tries apps out before they are
/// switched on).
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/dashboard_apps/{id}/app_context",
    tag = "dashboard_apps",
    params(ResourcePath),
    responses((status = 200, body = SignedSidebarContext))
)]
pub async fn sidebar_context(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<SignedSidebarContext>, ApiError> {
    let id = DashboardAppId(path_id(&id)?);
    let apps = state.store.dashboard_apps();
    let app = apps.find(member.account_id, id).await?;
    let viewer = super::viewer(&state, &member).await?;
    let shown = app.shows_in_sidebar() && app.visible_to(&viewer);
    if !member.is_admin() && !shown {
        return Err(ApiError::NotFound);
    }
    let account = state.store.accounts().find(member.account_id).await?;
    let token = super::sign_context(&state, &member, &app, None).await?;
    let definitions = state
        .store
        .custom_attribute_definitions()
        .list(member.account_id, None)
        .await?;
    Ok(Json(SignedSidebarContext {
        context: wire::SidebarContext::new(&account, &member.user, &definitions),
        token,
        settings: crate::app_proxy::context_settings(&app),
    }))
}

/// The keys of `app`'s secrets that have a value.
async fn secrets_set(state: &AppState, app: &DashboardApp) -> Result<Vec<String>, ApiError> {
    let sealed = state.store.dashboard_app_secrets().sealed(app.id).await?;
    Ok(sealed.into_keys().collect())
}

/// The values of an app's settings, as an administrator saves them.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SettingsParams {
    /// `{key: value}`: a key left out keeps its value, `null` clears it, a secret sent as `""`
    /// keeps its value.
    #[schema(value_type = Object)]
    settings: serde_json::Map<String, Value>,
}

/// `PATCH …/dashboard_apps/{id}/settings` (ours, administrators): saves setting values, checked
/// against the app's settings (422 naming `settings.<key>`); secrets are sealed with the
/// server's key. Answers the app with its control fields: secrets only as `{"set": true}`.
#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/dashboard_apps/{id}/settings",
    tag = "dashboard_apps",
    params(ResourcePath),
    request_body = SettingsParams,
    responses((status = 200, body = wire::DashboardAppWithControl))
)]
pub async fn update_settings(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
    crate::extract::JsonBody(params): crate::extract::JsonBody<SettingsParams>,
) -> Result<Json<wire::DashboardAppWithControl>, ApiError> {
    let id = DashboardAppId(path_id(&id)?);
    let apps = state.store.dashboard_apps();
    let app = apps.find(member.account_id, id).await?;
    let set = secrets_set(&state, &app).await?;
    let update = domain::app_setting::apply_values(
        &app.settings.schema,
        &app.settings.values,
        &set,
        &params.settings,
    )?;
    apps.save_settings(&app, &update, &state.secret_key).await?;
    let app = apps.find(member.account_id, id).await?;
    let set = secrets_set(&state, &app).await?;
    Ok(Json(
        wire::DashboardAppWithControl::from(&app).with_secrets_set(&set),
    ))
}
