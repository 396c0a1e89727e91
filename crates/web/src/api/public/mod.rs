//! Chatwoot's public Client API for API-channel inboxes (`public/api/v1/inboxes/*_controller.rb`):
//! `/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/…`. No access token: the
//! inbox's public identifier and the contact's `source_id` are the credentials, so an unknown
//! one, or a conversation of another contact inbox, is a 404 like any missing resource.

pub mod contacts;
pub mod conversations;
pub mod inboxes;
pub mod messages;
pub mod widget;

use crate::error::ApiError;
use domain::{wire, ConversationView, DisplayId, DomainError, Inbox};
use store::{ContactInbox, Store};

/// Chatwoot's answer when an `hmac_mandatory` inbox gets no valid identity.
const HMAC_FAILED: &str = "HMAC failed: Invalid Identifier Hash Provided";

/// The contact inbox a path names: inbox by public identifier, then contact by `source_id`.
/// In an `hmac_mandatory` inbox only a contact inbox that proved its identifier is let in (one
/// made before the setting was switched on proves it with `PATCH …/contacts/{source_id}`).
pub async fn contact_inbox(
    store: &Store,
    inbox_identifier: &str,
    source_id: &str,
) -> Result<ContactInbox, ApiError> {
    let ci = unverified_contact_inbox(store, inbox_identifier, source_id).await?;
    if ci.inbox.requires_verified_contacts() && !ci.hmac_verified {
        return Err(ApiError::Unauthorized(HMAC_FAILED));
    }
    Ok(ci)
}

/// The contact inbox a path names, whether or not its inbox requires a verified identity.
pub async fn unverified_contact_inbox(
    store: &Store,
    inbox_identifier: &str,
    source_id: &str,
) -> Result<ContactInbox, ApiError> {
    let inbox = store.contact_inboxes().inbox(inbox_identifier).await?;
    Ok(store.contact_inboxes().find(&inbox, source_id).await?)
}

/// The conversation as this caller may see it: without its contact's fields unless the caller
/// may see the contact (`ContactInbox::may_see_contact`).
pub fn as_seen_by(
    ci: &ContactInbox,
    view: &ConversationView,
    presence: &dyn domain::ContactPresence,
) -> wire::PublicConversation {
    if ci.may_see_contact() {
        wire::PublicConversation::new(view, presence)
    } else {
        wire::PublicConversation::new(&view.withholding_contact(), presence)
    }
}

/// A message as this caller may see it (as `as_seen_by`).
pub fn message_as_seen_by(
    ci: &ContactInbox,
    message: &domain::Message,
    display_id: DisplayId,
) -> wire::PublicMessage {
    if ci.may_see_contact() {
        wire::PublicMessage::new(message, display_id)
    } else {
        wire::PublicMessage::new(&message.withholding_contact(), display_id)
    }
}

/// What an `hmac_mandatory` inbox demands of a caller that `claims_identifier`, or of every
/// caller of an API inbox: a valid `identifier_hash` (a 422 naming it).
pub fn require_identity(
    inbox: &Inbox,
    verified: bool,
    claims_identifier: bool,
) -> Result<(), ApiError> {
    if !inbox.accepts_identity(verified, claims_identifier) {
        return Err(DomainError::invalid("identifier_hash", HMAC_FAILED).into());
    }
    Ok(())
}

/// The conversation a path names, with the contact inbox that may see it (`…/{id}` is the
/// display id; anything else, or a conversation outside the contact inbox, is a 404).
pub async fn conversation(
    store: &Store,
    inbox_identifier: &str,
    source_id: &str,
    id: &str,
) -> Result<(ContactInbox, ConversationView), ApiError> {
    let ci = contact_inbox(store, inbox_identifier, source_id).await?;
    let display_id = DisplayId(super::path_id(id)?);
    let view = store
        .contact_inboxes()
        .conversation(&ci, display_id)
        .await?;
    Ok((ci, view))
}

/// Whether `identifier_hash` proves `identifier` (HMAC-SHA256 with the inbox's HMAC token, as
/// Chatwoot's `process_hmac`): `Ok(false)` when no hash came, a 422 naming `identifier_hash`
/// when it is wrong.
pub fn verified(
    inbox: &Inbox,
    identifier: Option<&str>,
    identifier_hash: Option<&str>,
) -> Result<bool, ApiError> {
    let Some(hash) = identifier_hash.filter(|h| !h.is_empty()) else {
        return Ok(false);
    };
    let identifier = identifier.unwrap_or_default();
    if identifier.is_empty() {
        return Err(DomainError::blank("identifier").into());
    }
    if !webhooks::sign::verify_hex(inbox.hmac_token.as_bytes(), identifier.as_bytes(), hash) {
        return Err(DomainError::invalid(
            "identifier_hash",
            "Identifier hash is not the HMAC of the identifier",
        )
        .into());
    }
    Ok(true)
}
