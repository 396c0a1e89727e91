//! `api/v1/models/_contact.json.jbuilder`.

use crate::ContactPresence;
use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Contact {
    pub additional_attributes: Map<String, Value>,
    /// `online` while the contact's visitor is connected (`ContactPresence`), else `offline`.
    pub availability_status: &'static str,
    pub email: Option<String>,
    pub id: i64,
    pub name: Option<String>,
    pub phone_number: Option<String>,
    pub blocked: bool,
    pub identifier: Option<String>,
    pub thumbnail: String,
    pub custom_attributes: Map<String, Value>,
    pub last_activity_at: Option<i64>,
    pub created_at: i64,
}

impl Contact {
    /// `availability_status` is `presence`'s answer now (Chatwoot's `availability_status`).
    pub fn new(contact: &crate::Contact, presence: &dyn ContactPresence) -> Self {
        Self {
            additional_attributes: contact.additional_attributes.clone(),
            availability_status: presence.availability_status(contact),
            email: contact.email.clone(),
            id: contact.id.get(),
            name: contact.name.clone(),
            phone_number: contact.phone_number.clone(),
            blocked: false,
            identifier: contact.identifier.clone(),
            thumbnail: String::new(),
            custom_attributes: contact.custom_attributes.clone(),
            last_activity_at: contact.last_activity_at,
            created_at: contact.created_at,
        }
    }
}

/// `api/v1/models/_contact_inbox.json.jbuilder`: the contact's `source_id` in an inbox, with
/// the inbox.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ContactInbox {
    pub source_id: String,
    pub inbox: super::Inbox,
}

impl ContactInbox {
    /// `show_secrets`: whether the inbox's HMAC token is shown (administrators only).
    pub fn new(inbox: &crate::Inbox, source_id: &str, show_secrets: bool) -> Self {
        Self {
            source_id: source_id.to_owned(),
            inbox: super::Inbox::new(inbox, show_secrets),
        }
    }
}

/// A contact with its `contact_inboxes[]` (`_contact.json.jbuilder` with
/// `with_contact_inboxes`), as `GET` and `PATCH contacts/{id}` render it; the key is left out
/// when the caller asked `include_contact_inboxes=false`.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ContactWithInboxes {
    #[serde(flatten)]
    pub contact: Contact,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_inboxes: Option<Vec<ContactInbox>>,
}
