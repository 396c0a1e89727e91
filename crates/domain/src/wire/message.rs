//! `Message#push_event_data`: a message as lists, threads, the app context and events show it.

use crate::{Contact, ConversationView, MessageSender as DomainSender};
use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Message {
    pub id: i64,
    pub content: Option<String>,
    pub account_id: i64,
    pub inbox_id: i64,
    /// The conversation's display id.
    pub conversation_id: i64,
    pub message_type: i64,
    pub content_type: String,
    pub status: &'static str,
    pub content_attributes: Map<String, Value>,
    pub created_at: i64,
    pub private: bool,
    pub source_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<MessageSender>,
    /// `Attachment#push_event_data` of each file, in upload order.
    pub attachments: Vec<Attachment>,
    /// The rest of `Message#push_event_data` (the row's attributes, as Rails prints them).
    #[serde(flatten)]
    pub attributes: MessageAttributes,
}

/// `Attachment#push_event_data` for an uploaded file (`base_data` merged with `file_metadata`).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Attachment {
    pub id: i64,
    pub message_id: i64,
    /// `image`, `audio`, `video` or `file`.
    pub file_type: &'static str,
    pub account_id: i64,
    pub extension: Option<String>,
    /// A signed link on this server, valid for about a day; works without a session.
    pub data_url: String,
    /// The thumbnail's signed link; `""` when the file has none (not a picture we decoded).
    pub thumb_url: String,
    pub file_size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
}

impl From<&crate::Attachment> for Attachment {
    fn from(a: &crate::Attachment) -> Self {
        Self {
            id: a.id.get(),
            message_id: a.message_id.get(),
            file_type: a.file_type.as_str(),
            account_id: a.account_id.get(),
            extension: a.extension.clone(),
            data_url: a.data_url.clone(),
            thumb_url: a.thumb_url.clone(),
            file_size: a.file_size,
            width: a.width,
            height: a.height,
        }
    }
}

/// Columns `Message#push_event_data` carries beyond the ones above (`attributes.symbolize_keys`):
/// Chatwoot's dashboard and widget read `sender_type`/`sender_id` and `updated_at`.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct MessageAttributes {
    /// ISO-8601, as Rails prints a time: when the message last changed (its deletion), else
    /// when it was written.
    pub updated_at: String,
    /// `"Contact"` or `"User"` (Rails' polymorphic class name); `null` for system messages.
    pub sender_type: Option<&'static str>,
    pub sender_id: Option<i64>,
    pub external_source_ids: Map<String, Value>,
    pub additional_attributes: Map<String, Value>,
    /// The content with nothing stripped (Chatwoot fills it for e-mail replies).
    pub processed_message_content: Option<String>,
    pub sentiment: Map<String, Value>,
}

impl MessageAttributes {
    fn new(message: &crate::Message) -> Self {
        let (sender_type, sender_id) = match &message.sender {
            Some(DomainSender::Contact(contact)) => (Some("Contact"), Some(contact.id.get())),
            Some(DomainSender::User(user)) => (Some("User"), Some(user.id.get())),
            None => (None, None),
        };
        Self {
            updated_at: crate::time::iso8601(message.updated_at),
            sender_type,
            sender_id,
            external_source_ids: Map::new(),
            additional_attributes: Map::new(),
            processed_message_content: message.content.clone(),
            sentiment: Map::new(),
        }
    }
}

/// The sender block: a contact's or an agent's `push_event_data`.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(untagged)]
pub enum MessageSender {
    Contact {
        additional_attributes: Map<String, Value>,
        custom_attributes: Map<String, Value>,
        email: Option<String>,
        id: i64,
        identifier: Option<String>,
        name: Option<String>,
        phone_number: Option<String>,
        thumbnail: String,
        #[serde(rename = "type")]
        kind: &'static str,
    },
    User {
        id: i64,
        name: String,
        available_name: String,
        avatar_url: String,
        thumbnail: String,
        availability_status: &'static str,
        #[serde(rename = "type")]
        kind: &'static str,
    },
}

impl MessageSender {
    pub fn contact(contact: &Contact) -> Self {
        MessageSender::Contact {
            additional_attributes: contact.additional_attributes.clone(),
            custom_attributes: contact.custom_attributes.clone(),
            email: contact.email.clone(),
            id: contact.id.get(),
            identifier: contact.identifier.clone(),
            name: contact.name.clone(),
            phone_number: contact.phone_number.clone(),
            thumbnail: String::new(),
            kind: "contact",
        }
    }

    pub fn user(user: &crate::User) -> Self {
        MessageSender::User {
            id: user.id.get(),
            name: user.name.clone(),
            available_name: user.available_name().to_owned(),
            avatar_url: String::new(),
            thumbnail: String::new(),
            availability_status: "online",
            kind: "user",
        }
    }
}

impl Message {
    /// `message` of `conversation`, whose display id the wire calls its id and whose
    /// `contact_last_seen_at` makes the message `read` (`crate::Message::status`).
    pub fn new(message: &crate::Message, conversation: &crate::Conversation) -> Self {
        Self {
            id: message.id.get(),
            content: message.content.clone(),
            account_id: message.account_id.get(),
            inbox_id: message.inbox_id.get(),
            conversation_id: conversation.display_id.get(),
            message_type: message.message_type.code(),
            content_type: message.content_type.clone(),
            status: message.status(conversation.contact_last_seen_at).as_str(),
            content_attributes: message.content_attributes.clone(),
            created_at: message.created_at,
            private: message.private,
            source_id: message.source_id.clone(),
            sender: message.sender.as_ref().map(|sender| match sender {
                DomainSender::Contact(contact) => MessageSender::contact(contact),
                DomainSender::User(user) => MessageSender::user(user),
            }),
            attachments: message.attachments.iter().map(Attachment::from).collect(),
            attributes: MessageAttributes::new(message),
        }
    }

    /// Every message of a loaded conversation, in thread order.
    pub fn thread(view: &ConversationView) -> Vec<Self> {
        view.messages
            .iter()
            .map(|m| Self::new(m, &view.conversation))
            .collect()
    }
}
