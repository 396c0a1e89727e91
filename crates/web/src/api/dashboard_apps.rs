//! `/api/v1/accounts/{account_id}/dashboard_apps`, exactly Chatwoot's
//! (`dashboard_apps_controller.rb`): a bare array; each app `id, title, content, created_at`;
//! bodies wrapped in `dashboard_app` or bare; writes for administrators; delete answers 204.

use super::path_id;
use crate::auth::RequireAdmin;
use crate::error::ApiError;
use crate::extract::{Resource, Wrapped};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::dashboard_app::DashboardAppChanges;
use domain::{wire, DashboardAppId, Member, NewDashboardApp};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
pub struct DashboardAppParams {
    title: Option<String>,
    /// Kept raw: any shape that is not a list of frames is Chatwoot's "Content : Invalid data".
    content: Option<Value>,
}

impl Resource for DashboardAppParams {
    const KEY: &'static str = "dashboard_app";
}

pub async fn index(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Vec<wire::DashboardApp>>, ApiError> {
    let apps = state.store.dashboard_apps().list(member.account_id).await?;
    Ok(Json(apps.iter().map(wire::DashboardApp::from).collect()))
}

pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<wire::DashboardApp>, ApiError> {
    let id = DashboardAppId(path_id(&id)?);
    let app = state
        .store
        .dashboard_apps()
        .find(member.account_id, id)
        .await?;
    Ok(Json(wire::DashboardApp::from(&app)))
}

pub async fn create(
    State(state): State<AppState>,
    member: Member,
    Wrapped(params): Wrapped<DashboardAppParams>,
) -> Result<Json<wire::DashboardApp>, ApiError> {
    member.require_admin()?;
    let new = NewDashboardApp::validate(
        member.account_id,
        params.title.as_deref(),
        params.content.as_ref(),
    )?;
    let app = state.store.dashboard_apps().create(&new).await?;
    Ok(Json(wire::DashboardApp::from(&app)))
}

pub async fn update(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    Wrapped(params): Wrapped<DashboardAppParams>,
) -> Result<Json<wire::DashboardApp>, ApiError> {
    member.require_admin()?;
    let id = DashboardAppId(path_id(&id)?);
    let changes = DashboardAppChanges::validate(params.title.as_deref(), params.content.as_ref())?;
    let app = state
        .store
        .dashboard_apps()
        .update(member.account_id, id, &changes)
        .await?;
    Ok(Json(wire::DashboardApp::from(&app)))
}

pub async fn destroy(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    member.require_admin()?;
    let id = DashboardAppId(path_id(&id)?);
    state
        .store
        .dashboard_apps()
        .delete(member.account_id, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Serialize)]
pub struct SigningSecret {
    signing_secret: String,
}

/// `POST …/dashboard_apps/{id}/signing_secret` (ours, administrators): a new secret for the
/// app's context tokens, shown this once; the previous one stops working.
pub async fn rotate_secret(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<SigningSecret>, ApiError> {
    member.require_admin()?;
    let id = DashboardAppId(path_id(&id)?);
    let signing_secret = state
        .store
        .dashboard_apps()
        .rotate_secret(member.account_id, id)
        .await?;
    Ok(Json(SigningSecret { signing_secret }))
}
