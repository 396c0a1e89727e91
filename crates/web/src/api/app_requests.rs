//! `…/dashboard_apps/{id}/requests` (ours): `POST` sends a request for a dashboard app through
//! the request proxy (`crate::app_proxy`), `GET` reads the app's audit log (administrators).
//!
//! Who may send: a member signed in (session or token) looking at the app where it is shown —
//! the app enabled and visible to them (roles, teams), and, for a conversation app, a
//! conversation they may see whose inbox shows the app (`conversation_id`, its display id); a
//! sidebar app needs none. Each send counts in a window per app and account, and is logged.

use super::path_id;
use crate::app_proxy::{self, AppRequest, AppResponse, Audit};
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::openapi::ResourcePath;
use crate::state::AppState;
use crate::throttle::Throttled;
use axum::extract::{Path, State};
use axum::Json;
use domain::{DashboardApp, DashboardAppId, DisplayId, DomainError, Member};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::Instant;

const THROTTLED: &str = "This app has sent too many requests, try again later";
/// How many audit rows `GET` returns.
const AUDIT_PAGE: i64 = 100;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ProxyParams {
    #[serde(flatten)]
    request: AppRequest,
    /// The display id of the conversation the app is shown on (conversation apps).
    conversation_id: Option<i64>,
}

/// `POST /api/v1/accounts/{account_id}/dashboard_apps/{id}/requests`: the answer of the app's
/// request, `{status, headers, body}`, with secrets filled in on the server and scrubbed from
/// the answer. 404 where the member does not see the app; 422 naming the field for a host not
/// on the app's list, plain http, a private address (unless the operator opted in), a missing
/// value; 429 past the rate limit; 502 when no usable answer came (too large, timed out).
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/dashboard_apps/{id}/requests",
    tag = "dashboard_apps",
    operation_id = "dashboard_app_requests_create",
    params(ResourcePath),
    request_body = ProxyParams,
    responses((status = 200, body = AppResponse))
)]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    JsonBody(params): JsonBody<ProxyParams>,
) -> Result<Json<AppResponse>, ApiError> {
    let id = DashboardAppId(path_id(&id)?);
    let app = state
        .store
        .dashboard_apps()
        .find(member.account_id, id)
        .await?;
    require_shown(&state, &member, &app, params.conversation_id).await?;
    throttle(&state, &app).await?;
    let audit = app_proxy::audit_of(&app, &params.request);
    let started = Instant::now();
    let outcome = send(&state, &app, &params.request).await;
    record(&state, &member, &app, &audit, &outcome, started).await?;
    outcome.map(Json)
}

/// The app is shown to `member` where the request comes from.
async fn require_shown(
    state: &AppState,
    member: &Member,
    app: &DashboardApp,
    conversation_id: Option<i64>,
) -> Result<(), ApiError> {
    if !app.visible_to(&super::viewer(state, member).await?) {
        return Err(ApiError::NotFound);
    }
    let shown = match conversation_id {
        Some(display_id) => {
            let view = state
                .store
                .conversations()
                .find_without_thread(member.account_id, DisplayId(display_id))
                .await?;
            let view = crate::auth::within(&member.scope, view)?;
            app.shows_beside_conversation_of(view.conversation.inbox_id)
        }
        None if app.display_type == domain::DisplayType::Conversation => {
            return Err(DomainError::invalid(
                "conversation_id",
                "Conversation id is required for an app shown in conversations",
            )
            .into())
        }
        None => app.shows_in_sidebar(),
    };
    if shown {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// Counts the request in the app's window (per app and account).
async fn throttle(state: &AppState, app: &DashboardApp) -> Result<(), ApiError> {
    let limit = state.config.app_requests.limit;
    let now = domain::time::now();
    let key = format!("app_requests/account:{}/app:{}", app.account_id, app.id);
    let window = state
        .store
        .throttles()
        .hit(&key, limit.seconds, now)
        .await?;
    if window.hits > limit.max {
        return Err(ApiError::TooManyRequests(Throttled {
            retry_after: window.resets_at - now,
            message: THROTTLED,
        }));
    }
    Ok(())
}

/// Opens the secrets the request names, fills and checks it, sends it, shapes the answer.
async fn send(
    state: &AppState,
    app: &DashboardApp,
    request: &AppRequest,
) -> Result<AppResponse, ApiError> {
    let secrets = open_secrets(state, app).await?;
    let policy = &state.config.app_requests;
    let prepared = app_proxy::prepare(app, request, &secrets, policy)?;
    let client = if prepared.local {
        &state.app_local_egress
    } else {
        &state.app_egress
    };
    match client.send(prepared.request).await {
        Ok(response) => Ok(app_proxy::answer(&response, &secrets)),
        Err(error @ (egress::EgressError::Blocked(_) | egress::EgressError::InvalidUrl)) => {
            Err(DomainError::invalid("url", format!("Url refused: {error}")).into())
        }
        Err(egress::EgressError::TooLarge) => Err(ApiError::BadGateway(format!(
            "The answer is larger than {} bytes",
            policy.max_response_bytes
        ))),
        Err(error) => Err(ApiError::BadGateway(format!("The request failed: {error}"))),
    }
}

/// The app's stored secrets, opened with the server's key.
async fn open_secrets(
    state: &AppState,
    app: &DashboardApp,
) -> Result<HashMap<String, String>, ApiError> {
    let sealed = state.store.dashboard_app_secrets().sealed(app.id).await?;
    let mut secrets = HashMap::with_capacity(sealed.len());
    for (key, sealed) in sealed {
        let context = domain::sealed::setting_context(app.id, &key);
        secrets.insert(key, state.secret_key.open(&sealed, &context)?);
    }
    Ok(secrets)
}

/// Logs the request: its status, or why it got none (in words that never hold a secret).
async fn record(
    state: &AppState,
    member: &Member,
    app: &DashboardApp,
    audit: &Audit,
    outcome: &Result<AppResponse, ApiError>,
    started: Instant,
) -> Result<(), ApiError> {
    let (status, error) = match outcome {
        Ok(answer) => (Some(i64::from(answer.status)), None),
        Err(ApiError::Invalid(error)) => (None, Some(error.message.clone())),
        Err(ApiError::BadGateway(why)) => (None, Some(why.clone())),
        Err(_) => (None, Some("failed".to_owned())),
    };
    let entry = store::NewAppRequest {
        account_id: app.account_id,
        app_id: app.id,
        user_id: member.user.id,
        method: &audit.method,
        host: &audit.host,
        path: &audit.path,
        status,
        error: error.as_deref(),
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
    };
    state.store.dashboard_app_requests().record(&entry).await?;
    Ok(())
}

/// One row of an app's audit log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    /// ISO-8601.
    pub created_at: String,
    pub user_id: i64,
    pub method: String,
    pub host: String,
    /// The path as the app wrote it, secrets replaced by `[secret]`; never a query string.
    pub path: String,
    pub status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// `GET …/dashboard_apps/{id}/requests` (administrators): the app's latest proxied requests,
/// newest first.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/dashboard_apps/{id}/requests",
    tag = "dashboard_apps",
    operation_id = "dashboard_app_requests_index",
    params(ResourcePath),
    responses((status = 200, body = Vec<AuditEntry>))
)]
pub async fn index(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let id = DashboardAppId(path_id(&id)?);
    let app = state
        .store
        .dashboard_apps()
        .find(member.account_id, id)
        .await?;
    let rows = state
        .store
        .dashboard_app_requests()
        .list(member.account_id, app.id, AUDIT_PAGE)
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|row| AuditEntry {
                id: row.id,
                created_at: domain::time::iso8601(row.created_at),
                user_id: row.user_id,
                method: row.method,
                host: row.host,
                path: row.path,
                status: row.status,
                error: row.error,
                duration_ms: row.duration_ms,
            })
            .collect(),
    ))
}
