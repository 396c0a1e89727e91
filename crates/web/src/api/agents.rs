//! `/api/v1/accounts/{account_id}/agents` (Chatwoot's `agents_controller.rb`): a bare array of
//! agents; writes for administrators. Adding the e-mail of a user who already exists invites
//! them (they accept after signing in) and answers as for a new user; an administrator changes
//! a member's role and availability in their account, never the user's name or password.

use super::path_id;
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{Resource, Wrapped};
use crate::openapi::{AccountPath, ResourcePath};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::user::{AgentChanges, Availability, NewAgent};
use domain::{wire, DomainError, Member, Role, UserId};
use serde::Deserialize;
use store::AddExisting;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AgentParams {
    name: Option<String>,
    email: Option<String>,
    role: Option<String>,
    /// `online`, `busy` or `offline` (updates only).
    availability: Option<String>,
    /// Go offline when the last dashboard tab closes (updates only).
    auto_offline: Option<bool>,
    /// Ours: an initial password, since we send no invitation e-mail.
    password: Option<String>,
}

impl Resource for AgentParams {
    const KEY: &'static str = "agent";
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/agents",
    tag = "agents",
    params(AccountPath),
    responses((status = 200, body = Vec<wire::Agent>))
)]
pub async fn index(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Vec<wire::Agent>>, ApiError> {
    let agents = state.store.users().agents(member.account_id).await?;
    Ok(Json(agents.iter().map(wire::Agent::from).collect()))
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/agents",
    tag = "agents",
    params(AccountPath),
    request_body = AgentParams,
    responses(
        (status = 200, body = wire::Agent, description = "The new member, or, for a user who already exists, their invitation (accepted on their invitations page), answered alike"),
        (status = 422, body = wire::Invalid, description = "`email` already a member or already invited"),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Admin(member): Admin,
    Wrapped(params): Wrapped<AgentParams>,
) -> Result<Json<wire::Agent>, ApiError> {
    let new = NewAgent::validate(
        member.account_id,
        params.name.as_deref(),
        params.email.as_deref(),
        params.role.as_deref(),
    )?;
    let password = params.password.as_deref();
    if let Some(password) = password {
        domain::password::require_strong(password, &[&new.name, &new.email])?;
    }
    let existing = AddExisting::Invite {
        inviter: member.user.id,
    };
    let agent = state
        .store
        .users()
        .add_agent(&new, password, existing)
        .await?;
    Ok(Json(wire::Agent::from(&agent)))
}

#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/agents/{id}",
    tag = "agents",
    params(ResourcePath),
    request_body = AgentParams,
    responses(
        (status = 200, body = wire::Agent),
        (status = 422, body = wire::Invalid, description = "A different `name`: only the user changes it"),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
    Wrapped(params): Wrapped<AgentParams>,
) -> Result<Json<wire::Agent>, ApiError> {
    let id = UserId(path_id(&id)?);
    let agent = state.store.users().agent(member.account_id, id).await?;
    // A user's name is theirs, shared by every account they belong to: no administrator
    // renames them. Sending the name unchanged (a client echoing the agent) is fine.
    if let Some(name) = params.name.as_deref() {
        if name.trim() != agent.user.name {
            return Err(DomainError::invalid(
                "name",
                "An agent's name is their own: they change it in their profile",
            )
            .into());
        }
    }
    let changes = AgentChanges {
        role: params.role.as_deref().map(Role::parse).transpose()?,
        availability: params
            .availability
            .as_deref()
            .map(Availability::parse)
            .transpose()?,
        auto_offline: params.auto_offline,
    };
    let agent = state
        .store
        .users()
        .update_agent(member.account_id, id, &changes)
        .await?;
    Ok(Json(wire::Agent::from(&agent)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/agents/{id}",
    tag = "agents",
    params(ResourcePath),
    responses(
        (status = 200, description = "Removed from the account, or their invitation withdrawn"),
        (status = 422, body = wire::Invalid, description = "The account's last administrator"),
    )
)]
pub async fn destroy(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = UserId(path_id(&id)?);
    state
        .store
        .by(member.user.id)
        .users()
        .remove_agent(member.account_id, id)
        .await?;
    Ok(StatusCode::OK)
}
