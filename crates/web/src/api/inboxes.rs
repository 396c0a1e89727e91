//! `/api/v1/accounts/{account_id}/inboxes` for API-channel inboxes (`inboxes_controller.rb`).

use super::{path_id, Payload};
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{Resource, Wrapped};
use crate::openapi::{AccountPath, ResourcePath};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use domain::wire::InboxDeleted;
use domain::{wire, InboxChanges, InboxId, Member, NewInbox};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct InboxParams {
    name: Option<String>,
    webhook_url: Option<String>,
    /// Client API contacts only with a valid `identifier_hash` (also under `channel`).
    hmac_mandatory: Option<bool>,
    /// Round-robin assignment among the inbox's online members (default on).
    enable_auto_assignment: Option<bool>,
    greeting_enabled: Option<bool>,
    greeting_message: Option<String>,
    // Chatwoot's settings Switchboard does not have: accepted only with the value Switchboard
    // behaves as (and reports), refused otherwise, never dropped silently.
    /// Always `true`.
    enable_email_collect: Option<bool>,
    /// Always `false`.
    csat_survey_enabled: Option<bool>,
    /// Always `false`.
    working_hours_enabled: Option<bool>,
    /// Always empty.
    out_of_office_message: Option<String>,
    /// Always `UTC`.
    timezone: Option<String>,
    /// Always `true`.
    allow_messages_after_resolved: Option<bool>,
    /// Always `false`.
    lock_to_single_conversation: Option<bool>,
    /// Chatwoot nests channel settings: `{"channel": {"type": "api", "webhook_url": ...}}`.
    channel: Option<ChannelParams>,
}

impl InboxParams {
    /// A 422 naming the first setting asked to differ from how Switchboard's inboxes behave.
    fn check_fixed_settings(&self) -> Result<(), ApiError> {
        let differs = |name: &'static str, asked: Option<bool>, fixed: bool| {
            asked.is_some_and(|asked| asked != fixed).then_some(name)
        };
        let refused = differs("enable_email_collect", self.enable_email_collect, true)
            .or(differs(
                "csat_survey_enabled",
                self.csat_survey_enabled,
                false,
            ))
            .or(differs(
                "working_hours_enabled",
                self.working_hours_enabled,
                false,
            ))
            .or(differs(
                "allow_messages_after_resolved",
                self.allow_messages_after_resolved,
                true,
            ))
            .or(differs(
                "lock_to_single_conversation",
                self.lock_to_single_conversation,
                false,
            ))
            .or(self
                .out_of_office_message
                .as_deref()
                .is_some_and(|m| !m.trim().is_empty())
                .then_some("out_of_office_message"))
            .or(self
                .timezone
                .as_deref()
                .is_some_and(|zone| zone != "UTC" && zone != "Etc/UTC")
                .then_some("timezone"));
        match refused {
            None => Ok(()),
            Some(name) => Err(domain::DomainError::invalid(
                name,
                format!("{name} is not supported by Switchboard's inboxes; only its default value is accepted"),
            )
            .into()),
        }
    }
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

    /// The changes this body asks for, validated.
    fn changes(&self) -> Result<InboxChanges, ApiError> {
        self.check_fixed_settings()?;
        Ok(InboxChanges {
            hmac_mandatory: self.hmac_mandatory(),
            enable_auto_assignment: self.enable_auto_assignment,
            greeting_enabled: self.greeting_enabled,
            greeting_message: self
                .greeting_message
                .as_deref()
                .map(|m| domain::inbox::greeting(Some(m)))
                .transpose()?,
            ..InboxChanges::validate(self.name.as_deref(), self.webhook_url())?
        })
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
    let inboxes = state.store.inboxes().visible(&member).await?;
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
        .find_visible(&member, InboxId(path_id(&id)?))
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
    let changes = params.changes()?;
    let mut new = NewInbox::validate(
        member.account_id,
        params.name.as_deref(),
        params.webhook_url(),
    )?;
    new.hmac_mandatory = changes.hmac_mandatory.unwrap_or(false);
    new.settings.apply(&changes);
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
    let changes = params.changes()?;
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
        .by(member.user.id)
        .inboxes()
        .delete(member.account_id, InboxId(path_id(&id)?))
        .await?;
    Ok(Json(InboxDeleted {
        message: "Your inbox deletion request will be processed in some time.",
    }))
}
