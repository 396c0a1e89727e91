//! `/public/api/v1/inboxes/{inbox_identifier}/contacts` (`inboxes/contacts_controller.rb`):
//! create a contact of the inbox (→ its `source_id` and `pubsub_token`), show and update it.

use super::{contact_inbox, verified};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::openapi::{ContactInboxPath, InboxPath};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use domain::contact::ContactFields;
use domain::{validate, wire, ContactChanges, NewContact};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = PublicContactParams)]
pub struct ContactParams {
    source_id: Option<String>,
    name: Option<String>,
    email: Option<String>,
    phone_number: Option<String>,
    /// Taken only with a valid `identifier_hash`.
    identifier: Option<String>,
    identifier_hash: Option<String>,
    custom_attributes: Option<Value>,
}

impl ContactParams {
    fn fields(&self, verified: bool) -> ContactFields<'_> {
        ContactFields {
            name: self.name.as_deref(),
            email: self.email.as_deref(),
            phone_number: self.phone_number.as_deref(),
            identifier: self.identifier.as_deref().filter(|_| verified),
            additional_attributes: None,
            custom_attributes: self.custom_attributes.clone(),
        }
    }
}

/// `POST …/contacts`: Chatwoot's `ContactBuilder` (an existing `source_id` answers its contact).
#[utoipa::path(
    post,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts",
    tag = "public_contacts",
    security(()),
    params(InboxPath),
    request_body = ContactParams,
    responses((status = 200, body = wire::PublicContact))
)]
pub async fn create(
    State(state): State<AppState>,
    Path(inbox_identifier): Path<String>,
    JsonBody(p): JsonBody<ContactParams>,
) -> Result<Json<wire::PublicContact>, ApiError> {
    let inbox = state
        .store
        .contact_inboxes()
        .inbox(&inbox_identifier)
        .await?;
    let source_id = validate::optional(
        "source_id",
        p.source_id.as_deref(),
        validate::MAX_SHORT_TEXT,
    )?;
    let verified = verified(
        &inbox,
        p.identifier.as_deref(),
        p.identifier_hash.as_deref(),
    )?;
    let new = NewContact::validate(inbox.account_id, p.fields(verified), None)?;
    let created = state
        .store
        .contact_inboxes()
        .create(&inbox, &new, source_id.as_deref(), verified)
        .await?;
    let ci = &created.contact_inbox;
    Ok(Json(wire::PublicContact::new(
        &created.contact,
        &ci.source_id,
        &ci.pubsub_token,
    )))
}

#[utoipa::path(
    get,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}",
    tag = "public_contacts",
    security(()),
    params(ContactInboxPath),
    responses((status = 200, body = wire::PublicContact))
)]
pub async fn show(
    State(state): State<AppState>,
    Path((inbox_identifier, source_id)): Path<(String, String)>,
) -> Result<Json<wire::PublicContact>, ApiError> {
    let ci = contact_inbox(&state.store, &inbox_identifier, &source_id).await?;
    let contact = state
        .store
        .contacts()
        .find(ci.account_id(), ci.contact_id)
        .await?;
    Ok(Json(wire::PublicContact::new(
        &contact,
        &ci.source_id,
        &ci.pubsub_token,
    )))
}

/// `PATCH …/contacts/{source_id}`: Chatwoot's `ContactIdentifyAction` (attributes merged; the
/// identifier only with a valid `identifier_hash`, which also verifies the contact inbox).
#[utoipa::path(
    patch,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}",
    tag = "public_contacts",
    security(()),
    params(ContactInboxPath),
    request_body = ContactParams,
    responses((status = 200, body = wire::PublicContact))
)]
pub async fn update(
    State(state): State<AppState>,
    Path((inbox_identifier, source_id)): Path<(String, String)>,
    JsonBody(p): JsonBody<ContactParams>,
) -> Result<Json<wire::PublicContact>, ApiError> {
    let ci = contact_inbox(&state.store, &inbox_identifier, &source_id).await?;
    let verified = verified(
        &ci.inbox,
        p.identifier.as_deref(),
        p.identifier_hash.as_deref(),
    )?;
    let changes = ContactChanges::validate(p.fields(verified))?;
    if verified && !ci.hmac_verified {
        state.store.contact_inboxes().verify(&ci).await?;
    }
    let outcome = state
        .store
        .contacts()
        .update(ci.account_id(), ci.contact_id, &changes)
        .await?;
    state.bus.publish(outcome.events);
    Ok(Json(wire::PublicContact::new(
        &outcome.value,
        &ci.source_id,
        &ci.pubsub_token,
    )))
}
