//! A contact's inboxes: `GET …/contacts/{id}/contactable_inboxes` (`contacts_controller.rb`'s
//! action and `Contacts::ContactableInboxesService`) and `POST …/contacts/{id}/contact_inboxes`
//! (`contacts/contact_inboxes_controller.rb`). Each answers `{source_id, inbox}` pairs, the
//! `source_id` a client needs to start a conversation.

use super::{path_id, Payload};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::openapi::ResourcePath;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use domain::{validate, wire, ContactId, DomainError, InboxId, Member};
use serde::Deserialize;

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/contacts/{id}/contactable_inboxes",
    tag = "contact_inboxes",
    params(ResourcePath),
    responses((status = 200, body = Payload<Vec<wire::ContactInbox>>))
)]
pub async fn contactable(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Payload<Vec<wire::ContactInbox>>>, ApiError> {
    let contact_id = ContactId(path_id(&id)?);
    let existing = state
        .store
        .contact_inboxes()
        .of_contact(member.account_id, contact_id)
        .await?;
    state
        .store
        .contacts()
        .find(member.account_id, contact_id)
        .await?;
    let inboxes = state.store.inboxes().visible(&member).await?;
    let show_secrets = member.is_admin();
    // Every inbox is an API inbox: its latest source_id for the contact, or a fresh one that
    // the conversation's creation will take (Chatwoot's `api_contactable_inbox`).
    let payload = inboxes
        .iter()
        .map(|inbox| {
            let source_id = existing
                .iter()
                .rev()
                .find(|(i, _)| i.id == inbox.id)
                .map(|(_, source)| source.clone())
                .unwrap_or_else(|| domain::password::random_token(32));
            wire::ContactInbox::new(inbox, &source_id, show_secrets)
        })
        .collect();
    Ok(Json(Payload { payload }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ContactInboxParams {
    inbox_id: Option<i64>,
    /// Generated when absent.
    source_id: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/contacts/{id}/contact_inboxes",
    tag = "contact_inboxes",
    params(ResourcePath),
    request_body = ContactInboxParams,
    responses((status = 200, body = wire::ContactInbox))
)]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    JsonBody(p): JsonBody<ContactInboxParams>,
) -> Result<Json<wire::ContactInbox>, ApiError> {
    let inbox_id = InboxId(p.inbox_id.ok_or_else(|| DomainError::blank("inbox_id"))?);
    // An inbox the member may not see is one that does not exist (the store's 404).
    if !member.scope.allows(inbox_id) {
        return Err(ApiError::NotFound);
    }
    let source_id = validate::optional(
        "source_id",
        p.source_id.as_deref(),
        validate::MAX_SHORT_TEXT,
    )?;
    let (inbox, source_id) = state
        .store
        .contact_inboxes()
        .add(
            member.account_id,
            ContactId(path_id(&id)?),
            inbox_id,
            source_id.as_deref(),
        )
        .await?;
    Ok(Json(wire::ContactInbox::new(
        &inbox,
        &source_id,
        member.is_admin(),
    )))
}
