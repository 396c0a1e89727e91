//! The Chatwoot-compatible JSON API: one module per resource, handlers named after Chatwoot's
//! controller actions. Each parses, authorizes, calls domain and store, publishes, serializes.

pub mod agents;
pub mod auth;
pub mod contacts;
pub mod conversations;
pub mod dashboard_apps;
pub mod health;
pub mod inboxes;
pub mod labels;
pub mod messages;
pub mod public;
pub mod webhooks;

use crate::error::ApiError;
use domain::{ConversationView, DisplayId, Member};
use store::Store;

/// A numeric id from the path; anything else is a 404, as an unknown id is.
pub fn path_id(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(ApiError::NotFound)
}

/// The last value of `name` in a raw query string, percent-decoded. Query strings are read by
/// hand so that a repeated or malformed parameter is judged by the handler (a 422 naming it),
/// never turned into a plain-text 400 by an extractor.
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(key, _)| key == name)
        .last()
        .map(|(_, value)| value.into_owned())
}

/// The member's account's conversation with this display id.
pub async fn conversation(
    store: &Store,
    member: &Member,
    display_id: &str,
) -> Result<ConversationView, ApiError> {
    let display_id = DisplayId(path_id(display_id)?);
    Ok(store
        .conversations()
        .find(member.account_id, display_id)
        .await?)
}

/// `{"payload": ...}`, Chatwoot's usual envelope.
#[derive(serde::Serialize)]
pub struct Payload<T> {
    pub payload: T,
}
