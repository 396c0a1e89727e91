//! The Client API's bodies (`/public/api/v1/inboxes/{inbox_identifier}/…`), as Chatwoot's
//! `app/views/public/api/v1/models/_contact`, `_conversation` and `_message.json.jbuilder` render
//! them: smaller than the Application API's, since the caller is the contact itself.

use super::{Contact, MessageSender};
use crate::{
    ContactPresence, ConversationView, DisplayId, Message, MessageSender as DomainSender,
    MessageType,
};
use serde::Serialize;
use serde_json::{Map, Value};

/// `inboxes/contacts/{create,show}.json.jbuilder`: the contact and its credentials for this
/// inbox (`source_id` in URLs, `pubsub_token` for `/cable`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PublicContact {
    pub id: i64,
    pub source_id: String,
    pub pubsub_token: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
}

impl PublicContact {
    /// The contact inbox's own ids, without the contact's fields: what a caller that an e-mail
    /// alone attached to an existing contact gets.
    pub fn withheld(contact_id: crate::ContactId, source_id: &str, pubsub_token: &str) -> Self {
        Self {
            id: contact_id.get(),
            source_id: source_id.to_owned(),
            pubsub_token: pubsub_token.to_owned(),
            name: None,
            email: None,
            phone_number: None,
        }
    }

    /// With the values the caller itself sent (never the stored ones).
    pub fn echoing(
        self,
        name: Option<String>,
        email: Option<String>,
        phone_number: Option<String>,
    ) -> Self {
        Self {
            name,
            email,
            phone_number,
            ..self
        }
    }

    pub fn new(contact: &crate::Contact, source_id: &str, pubsub_token: &str) -> Self {
        Self {
            id: contact.id.get(),
            source_id: source_id.to_owned(),
            pubsub_token: pubsub_token.to_owned(),
            name: contact.name.clone(),
            email: contact.email.clone(),
            phone_number: contact.phone_number.clone(),
        }
    }
}

/// `models/_message.json.jbuilder`.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct PublicMessage {
    pub id: i64,
    pub content: Option<String>,
    pub message_type: i64,
    pub content_type: String,
    pub content_attributes: Map<String, Value>,
    pub created_at: i64,
    /// The conversation's display id.
    pub conversation_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<MessageSender>,
    /// Present only when the message has files, as in the jbuilder.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<super::message::Attachment>,
}

impl PublicMessage {
    pub fn new(message: &Message, display_id: DisplayId) -> Self {
        Self {
            id: message.id.get(),
            content: message.content.clone(),
            message_type: message.message_type.code(),
            content_type: message.content_type.clone(),
            content_attributes: message.content_attributes.clone(),
            created_at: message.created_at,
            conversation_id: display_id.get(),
            sender: message.sender.as_ref().map(|sender| match sender {
                DomainSender::Contact(contact) => MessageSender::contact(contact),
                DomainSender::User(user) => MessageSender::user(user),
            }),
            attachments: message.attachments.iter().map(Into::into).collect(),
        }
    }

    /// Whether the contact may see it: private notes are the agents' own (Chatwoot's
    /// `filter_internal_messages`).
    pub fn is_visible(message: &Message) -> bool {
        !message.private
    }
}

/// `models/_conversation.json.jbuilder`: `id` is the display id; `messages` are the chat
/// messages (neither activity nor private).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct PublicConversation {
    pub id: i64,
    pub uuid: String,
    pub inbox_id: i64,
    pub contact_last_seen_at: i64,
    pub status: &'static str,
    pub agent_last_seen_at: i64,
    pub messages: Vec<PublicMessage>,
    pub contact: Contact,
}

impl PublicConversation {
    /// `presence` says whether `contact` is online.
    pub fn new(view: &ConversationView, presence: &dyn ContactPresence) -> Self {
        let c = &view.conversation;
        Self {
            id: c.display_id.get(),
            uuid: c.uuid.clone(),
            inbox_id: c.inbox_id.get(),
            contact_last_seen_at: c.contact_last_seen_at,
            status: c.status.as_str(),
            agent_last_seen_at: c.agent_last_seen_at,
            messages: view
                .messages
                .iter()
                .filter(|m| m.message_type != MessageType::Activity && !m.private)
                .map(|m| PublicMessage::new(m, c.display_id))
                .collect(),
            contact: Contact::new(&view.contact, presence),
        }
    }
}

/// `GET /public/api/v1/inboxes/{inbox_identifier}` (`public/api/v1/inboxes/show.json.jbuilder`):
/// what a client needs to know of the inbox before it starts. CSAT is a setting Switchboard's
/// inboxes do not have; it reads as Chatwoot's default.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct PublicInbox {
    pub identifier: String,
    /// Chatwoot's name for `hmac_mandatory` here.
    pub identity_validation_enabled: bool,
    pub name: String,
    pub timezone: String,
    pub working_hours: Vec<crate::WorkingHour>,
    pub working_hours_enabled: bool,
    pub csat_survey_enabled: bool,
    pub greeting_enabled: bool,
}

impl From<&crate::Inbox> for PublicInbox {
    fn from(inbox: &crate::Inbox) -> Self {
        Self {
            identifier: inbox.inbox_identifier.clone(),
            identity_validation_enabled: inbox.hmac_mandatory,
            name: inbox.name.clone(),
            timezone: inbox.settings.business_hours.timezone.clone(),
            working_hours: inbox.settings.business_hours.working_hours(),
            working_hours_enabled: inbox.settings.business_hours.enabled,
            csat_survey_enabled: false,
            greeting_enabled: inbox.settings.greeting_enabled,
        }
    }
}
