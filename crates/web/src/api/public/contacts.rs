//! `/public/api/v1/inboxes/{inbox_identifier}/contacts` (`inboxes/contacts_controller.rb`):
//! create a contact of the inbox (→ its `source_id` and `pubsub_token`), show and update it.
//!
//! Identity: the caller is whoever holds the `source_id`, so what it may see of the contact is
//! decided here. A caller that created its contact, or proved the contact's `identifier` with
//! `identifier_hash`, reads and changes the contact's fields as in Chatwoot. One that an e-mail
//! alone attached to an existing contact (Chatwoot's `ContactBuilder` matches by e-mail) keeps
//! that attachment, so its conversations land on the right contact for the agents, but it never
//! reads the contact's stored fields (its answers echo only what it sent) and its changes are
//! not written, until it proves an identifier. We chose this over a second contact because an
//! account's contacts are unique by e-mail, and agents expect one contact per person. With the
//! inbox's `hmac_mandatory` on, contacts are created and identified by `identifier` with a
//! valid `identifier_hash` only, and never looked up by e-mail.

use super::{contact_inbox, require_identity, unverified_contact_inbox, verified};
use crate::api::check_custom_attributes;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::openapi::{ContactInboxPath, InboxPath};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use domain::contact::ContactFields;
use domain::AttributeModel::ContactAttribute as CONTACT;
use domain::{validate, wire, ContactChanges, DomainError, NewContact};
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
    fn claims_identifier(&self) -> bool {
        self.identifier.as_deref().is_some_and(|i| !i.is_empty())
    }

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
    require_identity(&inbox, verified, p.claims_identifier())?;
    let new = NewContact::validate(inbox.account_id, p.fields(verified), None)?;
    check_custom_attributes(
        &state.store,
        inbox.account_id,
        CONTACT,
        &new.custom_attributes,
    )
    .await?;
    let created = state
        .store
        .contact_inboxes()
        .create(&inbox, &new, source_id.as_deref(), verified)
        .await?;
    let ci = &created.contact_inbox;
    if !ci.may_see_contact() {
        let echo =
            wire::PublicContact::withheld(created.contact.id, &ci.source_id, &ci.pubsub_token)
                .echoing(new.name, new.email, new.phone_number);
        return Ok(Json(echo));
    }
    Ok(Json(wire::PublicContact::new(
        &created.contact,
        &ci.source_id,
        &ci.pubsub_token,
    )))
}

/// `GET …/contacts/{source_id}`: the contact, or only its ids for a caller that may not see it.
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
    if !ci.may_see_contact() {
        return Ok(Json(wire::PublicContact::withheld(
            ci.contact_id,
            &ci.source_id,
            &ci.pubsub_token,
        )));
    }
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
/// identifier only with a valid `identifier_hash`, which also verifies the contact inbox, and
/// only when the contact has no other identifier). A caller that may not see the contact
/// changes nothing and gets back what it sent.
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
    let ci = unverified_contact_inbox(&state.store, &inbox_identifier, &source_id).await?;
    let verified = verified(
        &ci.inbox,
        p.identifier.as_deref(),
        p.identifier_hash.as_deref(),
    )?;
    require_identity(
        &ci.inbox,
        verified || ci.hmac_verified,
        p.claims_identifier(),
    )?;
    let changes = ContactChanges::validate(p.fields(verified))?;
    if let Some(custom) = &changes.custom_attributes {
        check_custom_attributes(&state.store, ci.account_id(), CONTACT, custom).await?;
    }
    if verified {
        let contact = state
            .store
            .contacts()
            .find(ci.account_id(), ci.contact_id)
            .await?;
        if contact.identifier.is_some()
            && contact.identifier != changes.identifier.clone().flatten()
        {
            return Err(DomainError::invalid(
                "identifier",
                "Identifier belongs to another contact",
            )
            .into());
        }
    } else if !ci.may_see_contact() {
        let echo = wire::PublicContact::withheld(ci.contact_id, &ci.source_id, &ci.pubsub_token)
            .echoing(
                changes.name.flatten(),
                changes.email.flatten(),
                changes.phone_number.flatten(),
            );
        return Ok(Json(echo));
    }
    let outcome = state
        .store
        .contacts()
        .update(ci.account_id(), ci.contact_id, &changes)
        .await?;
    if verified && !ci.hmac_verified {
        state.store.contact_inboxes().verify(&ci).await?;
    }
    Ok(Json(wire::PublicContact::new(
        &outcome.value,
        &ci.source_id,
        &ci.pubsub_token,
    )))
}
