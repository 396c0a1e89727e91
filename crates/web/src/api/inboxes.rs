//! `/api/v1/accounts/{account_id}/inboxes` for API-channel inboxes (`inboxes_controller.rb`).

use super::{path_id, Payload};
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{Resource, Wrapped};
use crate::openapi::{AccountPath, ResourcePath};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use domain::{wire, InboxChanges, InboxId, Member, NewInbox};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct InboxParams {
    name: Option<String>,
    webhook_url: Option<String>,
    /// Client API contacts only with a valid `identifier_hash` (also under `channel`).
    hmac_mandatory: Option<bool>,
    /// Chatwoot nests channel settings: `{"channel": {"type": "api", "webhook_url": ...}}`.
    channel: Option<ChannelParams>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ChannelParams {
    #[serde(rename = "type")]
    kind: Option<String>,
    webhook_url: Option<String>,
    hmac_mandatory: Option<bool>,
}

impl Resource for InboxParams {
    const KEY: &'static str = "inbox";
}

impl InboxParams {
    fn webhook_url(&self) -> Option<&str> {
        self.webhook_url
            .as_deref()
            .or(self.channel.as_ref().and_then(|c| c.webhook_url.as_deref()))
    }

    fn hmac_mandatory(&self) -> Option<bool> {
        self.hmac_mandatory
            .or(self.channel.as_ref().and_then(|c| c.hmac_mandatory))
    }

    fn require_api_channel(&self) -> Result<(), ApiError> {
        match self.channel.as_ref().and_then(|c| c.kind.as_deref()) {
            None | Some("api") => Ok(()),
            Some(_) => Err(domain::DomainError::invalid(
                "channel",
                "Only the api channel type is supported",
            )
            .into()),
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/inboxes",
    tag = "inboxes",
    params(AccountPath),
    responses((status = 200, body = Payload<Vec<wire::Inbox>>, description = "`hmac_token` for administrators only"))
)]
pub async fn index(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Payload<Vec<wire::Inbox>>>, ApiError> {
    let inboxes = state.store.inboxes().list(member.account_id).await?;
    let payload = inboxes
        .iter()
        .map(|inbox| wire::Inbox::new(inbox, member.is_admin()))
        .collect();
    Ok(Json(Payload { payload }))
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/inboxes/{id}",
    tag = "inboxes",
    params(ResourcePath),
    responses((status = 200, body = wire::Inbox))
)]
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<wire::Inbox>, ApiError> {
    let inbox = state
        .store
        .inboxes()
        .find(member.account_id, InboxId(path_id(&id)?))
        .await?;
    Ok(Json(wire::Inbox::new(&inbox, member.is_admin())))
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/inboxes",
    tag = "inboxes",
    params(AccountPath),
    request_body = InboxParams,
    responses((status = 200, body = wire::Inbox))
)]
pub async fn create(
    State(state): State<AppState>,
    Admin(member): Admin,
    Wrapped(params): Wrapped<InboxParams>,
) -> Result<Json<wire::Inbox>, ApiError> {
    params.require_api_channel()?;
    let new = NewInbox::validate(
        member.account_id,
        params.name.as_deref(),
        params.webhook_url(),
    )?;
    let inbox = state.store.inboxes().create(&new).await?;
    Ok(Json(wire::Inbox::new(&inbox, true)))
}

#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/inboxes/{id}",
    tag = "inboxes",
    params(ResourcePath),
    request_body = InboxParams,
    responses((status = 200, body = wire::Inbox))
)]
pub async fn update(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
    Wrapped(params): Wrapped<InboxParams>,
) -> Result<Json<wire::Inbox>, ApiError> {
    let changes = InboxChanges {
        hmac_mandatory: params.hmac_mandatory(),
        ..InboxChanges::validate(params.name.as_deref(), params.webhook_url())?
    };
    let inbox = state
        .store
        .inboxes()
        .update(member.account_id, InboxId(path_id(&id)?), &changes)
        .await?;
    Ok(Json(wire::Inbox::new(&inbox, true)))
}

/// `POST …/inboxes/{id}/rotate_hmac_token` (Chatwoot's `InboxSecretManagement`): a new HMAC
/// token; identifier hashes signed with the old one stop verifying at once.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/inboxes/{id}/rotate_hmac_token",
    tag = "inboxes",
    params(ResourcePath),
    responses((status = 200, body = wire::Inbox))
)]
pub async fn rotate_hmac_token(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<wire::Inbox>, ApiError> {
    let inbox = state
        .store
        .inboxes()
        .rotate_hmac_token(member.account_id, InboxId(path_id(&id)?))
        .await?;
    Ok(Json(wire::Inbox::new(&inbox, true)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/inboxes/{id}",
    tag = "inboxes",
    params(ResourcePath),
    responses((status = 200, body = InboxDeleted))
)]
pub async fn destroy(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<InboxDeleted>, ApiError> {
    state
        .store
        .inboxes()
        .delete(member.account_id, InboxId(path_id(&id)?))
        .await?;
    Ok(Json(InboxDeleted {
        message: "Your inbox deletion request will be processed in some time.",
    }))
}

/// Chatwoot's answer to an inbox deletion (its deletion is a background job; ours is not).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct InboxDeleted {
    message: &'static str,
}
