//! Chatwoot's public Client API for API-channel inboxes (`public/api/v1/inboxes/*_controller.rb`):
//! `/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/…`. No access token: the
//! inbox's public identifier and the contact's `source_id` are the credentials, so an unknown
//! one, or a conversation of another contact inbox, is a 404 like any missing resource.

pub mod contacts;
pub mod conversations;
pub mod messages;

use crate::error::ApiError;
use domain::{ConversationView, DisplayId, DomainError, Inbox};
use store::{ContactInbox, Store};

/// The contact inbox a path names: inbox by public identifier, then contact by `source_id`.
pub async fn contact_inbox(
    store: &Store,
    inbox_identifier: &str,
    source_id: &str,
) -> Result<ContactInbox, ApiError> {
    let inbox = store.contact_inboxes().inbox(inbox_identifier).await?;
    Ok(store.contact_inboxes().find(&inbox, source_id).await?)
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
