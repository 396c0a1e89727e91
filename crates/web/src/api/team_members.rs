//! `/api/v1/accounts/{account_id}/teams/{team_id}/team_members` (`team_members_controller.rb`):
//! the team's agents as a bare array; every member reads, administrators write. `POST` adds
//! `user_ids` and answers them, `PATCH` makes them the whole team and answers them, `DELETE`
//! removes them.

use super::path_id;
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::{wire, Agent, Member, TeamId};
use serde::Deserialize;

/// `/api/v1/accounts/{account_id}/teams/{team_id}/team_members`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct TeamMembersPath {
    /// The account's id.
    account_id: i64,
    /// The team's id.
    team_id: i64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TeamMembersParams {
    /// Agents of the account.
    user_ids: Option<Vec<i64>>,
}

fn agents(list: &[Agent]) -> Json<Vec<wire::Agent>> {
    Json(list.iter().map(wire::Agent::from).collect())
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/teams/{team_id}/team_members",
    tag = "team_members",
    params(TeamMembersPath),
    responses((status = 200, body = Vec<wire::Agent>))
)]
pub async fn index(
    State(state): State<AppState>,
    member: Member,
    Path((_, team_id)): Path<(String, String)>,
) -> Result<Json<Vec<wire::Agent>>, ApiError> {
    let id = TeamId(path_id(&team_id)?);
    let list = state.store.teams().members(member.account_id, id).await?;
    Ok(agents(&list))
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/teams/{team_id}/team_members",
    tag = "team_members",
    params(TeamMembersPath),
    request_body = TeamMembersParams,
    responses((status = 200, body = Vec<wire::Agent>, description = "The agents added"))
)]
pub async fn create(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, team_id)): Path<(String, String)>,
    JsonBody(p): JsonBody<TeamMembersParams>,
) -> Result<Json<Vec<wire::Agent>>, ApiError> {
    let id = TeamId(path_id(&team_id)?);
    let user_ids = domain::team::user_ids(p.user_ids.as_deref())?;
    let added = state
        .store
        .teams()
        .add_members(member.account_id, id, &user_ids)
        .await?;
    Ok(agents(&added))
}

#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/teams/{team_id}/team_members",
    tag = "team_members",
    params(TeamMembersPath),
    request_body = TeamMembersParams,
    responses((status = 200, body = Vec<wire::Agent>, description = "The team's members now"))
)]
pub async fn update(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, team_id)): Path<(String, String)>,
    JsonBody(p): JsonBody<TeamMembersParams>,
) -> Result<Json<Vec<wire::Agent>>, ApiError> {
    let id = TeamId(path_id(&team_id)?);
    let user_ids = domain::team::user_ids(p.user_ids.as_deref())?;
    let members = state
        .store
        .teams()
        .replace_members(member.account_id, id, &user_ids)
        .await?;
    Ok(agents(&members))
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/teams/{team_id}/team_members",
    tag = "team_members",
    params(TeamMembersPath),
    request_body = TeamMembersParams,
    responses((status = 200, description = "Removed"))
)]
pub async fn destroy(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, team_id)): Path<(String, String)>,
    JsonBody(p): JsonBody<TeamMembersParams>,
) -> Result<StatusCode, ApiError> {
    let id = TeamId(path_id(&team_id)?);
    let user_ids = domain::team::user_ids(p.user_ids.as_deref())?;
    state
        .store
        .teams()
        .remove_members(member.account_id, id, &user_ids)
        .await?;
    Ok(StatusCode::OK)
}
