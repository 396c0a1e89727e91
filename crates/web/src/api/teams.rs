//! `/api/v1/accounts/{account_id}/teams` (`teams_controller.rb`, `models/_team.json.jbuilder`):
//! bare arrays and objects, no `payload` envelope; every member reads, administrators write.

use super::path_id;
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{Resource, Wrapped};
use crate::openapi::{AccountPath, ResourcePath};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::{wire, Member, NewTeam, Team, TeamChanges, TeamId};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TeamParams {
    name: Option<String>,
    description: Option<String>,
    allow_auto_assign: Option<bool>,
    /// Chatwoot's Slack mention for the team: Switchboard has no Slack integration, so only
    /// null or empty is accepted.
    slack_mention_code: Option<String>,
}

impl Resource for TeamParams {
    const KEY: &'static str = "team";
}

/// The team as `member` sees it (`is_member` is theirs).
async fn body(state: &AppState, member: &Member, team: &Team) -> Result<wire::Team, ApiError> {
    let mine = state
        .store
        .teams()
        .team_ids_of(member.account_id, member.user.id)
        .await?;
    Ok(wire::Team::new(team, mine.contains(&team.id)))
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/teams",
    tag = "teams",
    params(AccountPath),
    responses((status = 200, body = Vec<wire::Team>))
)]
pub async fn index(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Vec<wire::Team>>, ApiError> {
    let teams = state.store.teams();
    let mine = teams.team_ids_of(member.account_id, member.user.id).await?;
    let list = teams.list(member.account_id).await?;
    Ok(Json(
        list.iter()
            .map(|t| wire::Team::new(t, mine.contains(&t.id)))
            .collect(),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/teams/{id}",
    tag = "teams",
    params(ResourcePath),
    responses((status = 200, body = wire::Team))
)]
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<wire::Team>, ApiError> {
    let id = TeamId(path_id(&id)?);
    let team = state.store.teams().find(member.account_id, id).await?;
    Ok(Json(body(&state, &member, &team).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/teams",
    tag = "teams",
    params(AccountPath),
    request_body = TeamParams,
    responses((status = 200, body = wire::Team))
)]
pub async fn create(
    State(state): State<AppState>,
    Admin(member): Admin,
    Wrapped(p): Wrapped<TeamParams>,
) -> Result<Json<wire::Team>, ApiError> {
    domain::team::refuse_slack_mention_code(p.slack_mention_code.as_deref())?;
    let new = NewTeam::validate(
        member.account_id,
        p.name.as_deref(),
        p.description.as_deref(),
        p.allow_auto_assign,
    )?;
    let team = state.store.teams().create(&new).await?;
    Ok(Json(wire::Team::new(&team, false)))
}

#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/teams/{id}",
    tag = "teams",
    params(ResourcePath),
    request_body = TeamParams,
    responses((status = 200, body = wire::Team))
)]
pub async fn update(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
    Wrapped(p): Wrapped<TeamParams>,
) -> Result<Json<wire::Team>, ApiError> {
    let id = TeamId(path_id(&id)?);
    domain::team::refuse_slack_mention_code(p.slack_mention_code.as_deref())?;
    let changes = TeamChanges::validate(
        p.name.as_deref(),
        p.description.as_deref(),
        p.allow_auto_assign,
    )?;
    let team = state
        .store
        .teams()
        .update(member.account_id, id, &changes)
        .await?;
    Ok(Json(body(&state, &member, &team).await?))
}

/// Deletes the team; its conversations keep their agent and lose the team.
#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/teams/{id}",
    tag = "teams",
    params(ResourcePath),
    responses((status = 200, description = "Deleted"))
)]
pub async fn destroy(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = TeamId(path_id(&id)?);
    state.store.teams().delete(member.account_id, id).await?;
    Ok(StatusCode::OK)
}
