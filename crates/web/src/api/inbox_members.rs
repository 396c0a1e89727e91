//! `/api/v1/accounts/{account_id}/inbox_members` (`inbox_members_controller.rb`): which agents
//! belong to an inbox, as `{"payload": [agent…]}`. Administrators write; an agent may read the
//! members of an inbox they belong to (Chatwoot's `InboxPolicy#show?`).

use super::{path_id, Payload};
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::{wire, Agent, DomainError, InboxId, Member};
use serde::Deserialize;

/// `/api/v1/accounts/{account_id}/inbox_members/{inbox_id}`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct InboxMembersPath {
    /// The account's id.
    account_id: i64,
    /// The inbox's id.
    inbox_id: i64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct InboxMembersParams {
    inbox_id: Option<i64>,
    /// Agents of the account.
    user_ids: Option<Vec<i64>>,
}

impl InboxMembersParams {
    fn inbox_id(&self) -> Result<InboxId, ApiError> {
        match self.inbox_id {
            Some(id) if id > 0 => Ok(InboxId(id)),
            Some(_) => Err(ApiError::NotFound),
            None => Err(DomainError::blank("inbox_id").into()),
        }
    }
}

fn payload(list: &[Agent]) -> Json<Payload<Vec<wire::Agent>>> {
    Json(Payload {
        payload: list.iter().map(wire::Agent::from).collect(),
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/inbox_members/{inbox_id}",
    tag = "inbox_members",
    params(InboxMembersPath),
    responses((status = 200, body = Payload<Vec<wire::Agent>>))
)]
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, inbox_id)): Path<(String, String)>,
) -> Result<Json<Payload<Vec<wire::Agent>>>, ApiError> {
    let inbox = InboxId(path_id(&inbox_id)?);
    let members = state.store.inbox_members();
    let agents = members.agents(member.account_id, inbox).await?;
    if !member.is_admin() && !agents.iter().any(|a| a.user.id == member.user.id) {
        return Err(ApiError::forbidden());
    }
    Ok(payload(&agents))
}

/// Adds `user_ids` to the inbox; answers every member.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/inbox_members",
    tag = "inbox_members",
    params(crate::openapi::AccountPath),
    request_body = InboxMembersParams,
    responses((status = 200, body = Payload<Vec<wire::Agent>>))
)]
pub async fn create(
    State(state): State<AppState>,
    Admin(member): Admin,
    JsonBody(p): JsonBody<InboxMembersParams>,
) -> Result<Json<Payload<Vec<wire::Agent>>>, ApiError> {
    let inbox = p.inbox_id()?;
    let user_ids = domain::team::user_ids(p.user_ids.as_deref())?;
    let agents = state
        .store
        .inbox_members()
        .add(member.account_id, inbox, &user_ids)
        .await?;
    Ok(payload(&agents))
}

/// Makes `user_ids` the inbox's whole membership; answers every member.
#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/inbox_members",
    tag = "inbox_members",
    params(crate::openapi::AccountPath),
    request_body = InboxMembersParams,
    responses((status = 200, body = Payload<Vec<wire::Agent>>))
)]
pub async fn update(
    State(state): State<AppState>,
    Admin(member): Admin,
    JsonBody(p): JsonBody<InboxMembersParams>,
) -> Result<Json<Payload<Vec<wire::Agent>>>, ApiError> {
    let inbox = p.inbox_id()?;
    let user_ids = domain::team::user_ids(p.user_ids.as_deref())?;
    let agents = state
        .store
        .inbox_members()
        .replace(member.account_id, inbox, &user_ids)
        .await?;
    Ok(payload(&agents))
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/inbox_members",
    tag = "inbox_members",
    params(crate::openapi::AccountPath),
    request_body = InboxMembersParams,
    responses((status = 200, description = "Removed"))
)]
pub async fn destroy(
    State(state): State<AppState>,
    Admin(member): Admin,
    JsonBody(p): JsonBody<InboxMembersParams>,
) -> Result<StatusCode, ApiError> {
    let inbox = p.inbox_id()?;
    let user_ids = domain::team::user_ids(p.user_ids.as_deref())?;
    state
        .store
        .inbox_members()
        .remove(member.account_id, inbox, &user_ids)
        .await?;
    Ok(StatusCode::OK)
}
