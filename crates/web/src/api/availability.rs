//! `POST /api/v1/profile/availability` and `POST /api/v1/profile/auto_offline` (Chatwoot's
//! `ProfilesController#availability` and `#auto_offline`): the signed-in user's presence in one
//! of their accounts, answered with their profile.

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::extract::{Resource, Wrapped};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use domain::user::{AgentChanges, Availability};
use domain::wire::Profile;
use domain::{AccountId, DomainError};
use serde::Deserialize;
use store::StoreError;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PresenceParams {
    /// The account whose availability changes.
    account_id: Option<i64>,
    /// `online`, `busy` or `offline` (`availability` only).
    availability: Option<String>,
    /// Go offline when the last tab closes (`auto_offline` only; absent means `false`, as in
    /// Chatwoot).
    auto_offline: Option<bool>,
}

impl Resource for PresenceParams {
    const KEY: &'static str = "profile";
}

#[utoipa::path(
    post,
    path = "/api/v1/profile/availability",
    tag = "auth",
    request_body = PresenceParams,
    responses((status = 200, body = Profile), (status = 404, description = "Not a member of that account"))
)]
pub async fn availability(
    State(state): State<AppState>,
    current: CurrentUser,
    Wrapped(params): Wrapped<PresenceParams>,
) -> Result<Json<Profile>, ApiError> {
    let availability = params
        .availability
        .as_deref()
        .ok_or_else(|| DomainError::blank("availability"))
        .and_then(Availability::parse)?;
    let changes = AgentChanges {
        availability: Some(availability),
        ..AgentChanges::default()
    };
    apply(&state, &current, params.account_id, &changes).await
}

#[utoipa::path(
    post,
    path = "/api/v1/profile/auto_offline",
    tag = "auth",
    request_body = PresenceParams,
    responses((status = 200, body = Profile), (status = 404, description = "Not a member of that account"))
)]
pub async fn auto_offline(
    State(state): State<AppState>,
    current: CurrentUser,
    Wrapped(params): Wrapped<PresenceParams>,
) -> Result<Json<Profile>, ApiError> {
    let changes = AgentChanges {
        auto_offline: Some(params.auto_offline.unwrap_or(false)),
        ..AgentChanges::default()
    };
    apply(&state, &current, params.account_id, &changes).await
}

/// Changes the user's own membership of `account_id` (a 404 when they have none there).
async fn apply(
    state: &AppState,
    current: &CurrentUser,
    account_id: Option<i64>,
    changes: &AgentChanges,
) -> Result<Json<Profile>, ApiError> {
    let account_id = account_id
        .filter(|id| *id > 0)
        .map(AccountId)
        .ok_or_else(|| DomainError::blank("account_id"))?;
    match state
        .store
        .users()
        .update_agent(account_id, current.user.id, changes)
        .await
    {
        Ok(_) => {}
        Err(StoreError::NotFound) => return Err(ApiError::NotFound),
        Err(other) => return Err(other.into()),
    }
    Ok(Json(
        super::auth::profile(&state.store, &current.user, current.access_token.as_deref()).await?,
    ))
}
