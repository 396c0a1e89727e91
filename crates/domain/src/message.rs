//! Messages in a conversation thread.

use crate::{validate, AccountId, ConversationId, DomainError, InboxId, MessageId};
use serde_json::{Map, Value};

/// Chatwoot's `message_type` enum, numbered as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    Incoming = 0,
    Outgoing = 1,
    Activity = 2,
    Template = 3,
}

impl MessageType {
    pub fn code(self) -> i64 {
        self as i64
    }

    pub fn from_code(code: i64) -> MessageType {
        match code {
            0 => MessageType::Incoming,
            2 => MessageType::Activity,
            3 => MessageType::Template,
            _ => MessageType::Outgoing,
        }
    }

    /// Chatwoot accepts the name (`"incoming"`) in requests.
    pub fn parse(text: &str) -> Result<MessageType, DomainError> {
        match text {
            "incoming" => Ok(MessageType::Incoming),
            "outgoing" => Ok(MessageType::Outgoing),
            _ => Err(DomainError::invalid(
                "message_type",
                "Message type must be incoming or outgoing",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Incoming => "incoming",
            MessageType::Outgoing => "outgoing",
            MessageType::Activity => "activity",
            MessageType::Template => "template",
        }
    }
}

/// Who wrote a message, resolved for display.
#[derive(Debug, Clone, PartialEq)]
pub enum MessageSender {
    Contact(Box<crate::Contact>),
    User(crate::User),
}

/// Chatwoot's `Message#status` as far as a contact's reading moves it: `sent`, then `read`
/// once the contact has seen the thread past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageStatus {
    Sent,
    Read,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Sent => "sent",
            MessageStatus::Read => "read",
        }
    }
}

impl Message {
    /// Its status, given when the contact last read the conversation
    /// (`contact_last_seen_at`, 0 for never). Chatwoot's `Conversations::UpdateMessageStatusJob`
    /// marks `read` the outgoing and template messages written up to that moment when the
    /// contact reads; the dashboard's read tick is the same comparison
    /// (`contact_last_seen_at >= created_at`). Derived rather than stored, as the moment only
    /// moves forward. A private note is never read: the contact cannot see it (Chatwoot's job
    /// marks it too).
    pub fn status(&self, contact_last_seen_at: i64) -> MessageStatus {
        let reaches_contact = matches!(
            self.message_type,
            MessageType::Outgoing | MessageType::Template
        ) && !self.private;
        if reaches_contact && contact_last_seen_at > 0 && self.created_at <= contact_last_seen_at {
            MessageStatus::Read
        } else {
            MessageStatus::Sent
        }
    }

    /// The message with a contact sender's fields withheld (`Contact::withheld`).
    pub fn withholding_contact(&self) -> Message {
        let mut message = self.clone();
        if let Some(MessageSender::Contact(contact)) = &mut message.sender {
            **contact = contact.withheld();
        }
        message
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: MessageId,
    pub account_id: AccountId,
    pub inbox_id: InboxId,
    pub conversation_id: ConversationId,
    pub message_type: MessageType,
    pub content: Option<String>,
    pub content_type: String,
    pub content_attributes: Map<String, Value>,
    pub private: bool,
    pub source_id: Option<String>,
    pub sender: Option<MessageSender>,
    pub created_at: i64,
    /// When it last changed (a deletion, an answer, the contact reading it); its `created_at`
    /// until then.
    pub updated_at: i64,
    /// Its files, in upload order.
    pub attachments: Vec<crate::Attachment>,
}

/// Who is writing a new message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Contact(crate::ContactId),
    User(crate::UserId),
    /// Activity messages written by the system.
    System,
}

#[derive(Debug, Clone)]
pub struct NewMessage {
    pub content: Option<String>,
    pub message_type: MessageType,
    pub content_type: ContentType,
    pub private: bool,
    pub content_attributes: Map<String, Value>,
    pub source_id: Option<String>,
    pub author: Author,
    /// Files already in the file store, recorded with the message in its transaction.
    pub attachments: Vec<NewAttachment>,
}

/// A file stored for a message that is about to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub file_type: crate::FileType,
    pub content_type: String,
    pub filename: String,
    pub file_size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub storage_key: String,
    pub thumb_key: Option<String>,
}

impl NewAttachment {
    /// Every key this file occupies in the file store.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.storage_key).chain(self.thumb_key.as_ref())
    }
}

impl NewMessage {
    /// An agent's reply or note (`message_type` defaults to outgoing, as in Chatwoot).
    pub fn validate(
        content: Option<&str>,
        message_type: Option<&str>,
        private: Option<bool>,
        content_attributes: Option<Value>,
        author: Author,
    ) -> Result<Self, DomainError> {
        Self::validate_with_attachments(
            content,
            message_type,
            private,
            content_attributes,
            author,
            Vec::new(),
        )
    }

    /// A message that may carry files; with at least one file its content may be blank (as in
    /// Chatwoot, where a picture can be sent alone).
    pub fn validate_with_attachments(
        content: Option<&str>,
        message_type: Option<&str>,
        private: Option<bool>,
        content_attributes: Option<Value>,
        author: Author,
        attachments: Vec<NewAttachment>,
    ) -> Result<Self, DomainError> {
        let content = content.map(str::trim).unwrap_or_default();
        if content.is_empty() && attachments.is_empty() {
            return Err(DomainError::blank("content"));
        }
        validate::limit("content", content, validate::MAX_MESSAGE)?;
        let message_type = MessageType::parse(message_type.unwrap_or("outgoing"))?;
        Ok(Self {
            content: (!content.is_empty() || attachments.is_empty()).then(|| content.to_owned()),
            message_type,
            content_type: ContentType::Text,
            private: private.unwrap_or(false),
            content_attributes: validate::object("content_attributes", content_attributes)?,
            source_id: None,
            author,
            attachments,
        })
    }

    /// The same message with Chatwoot's `content_type` (absent: `text`), its
    /// `content_attributes` checked as Chatwoot's `ContentAttributeValidator` checks them.
    pub fn with_content_type(mut self, content_type: Option<&str>) -> Result<Self, DomainError> {
        self.content_type = content_type.map_or(Ok(ContentType::Text), ContentType::parse)?;
        self.content_type
            .check_attributes(&self.content_attributes)?;
        Ok(self)
    }

    /// A system note in the thread ("Conversation was resolved by Sam").
    pub fn activity(content: String) -> Self {
        Self {
            content: Some(content),
            message_type: MessageType::Activity,
            content_type: ContentType::Text,
            private: false,
            content_attributes: Map::new(),
            source_id: None,
            author: Author::System,
            attachments: Vec::new(),
        }
    }
}

/// The most answers one submission may carry.
pub const MAX_SUBMITTED_VALUES: usize = 100;

/// A contact's answer to a message (Chatwoot's `submitted_values`): objects with only `name`,
/// `title` and `value`, each a string, number or boolean.
pub fn submitted_values(value: Option<Value>) -> Result<Vec<Value>, DomainError> {
    const FIELD: &str = "submitted_values";
    let invalid = |why: &str| DomainError::invalid(FIELD, why);
    let items = match value {
        None => return Err(DomainError::blank(FIELD)),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid("Submitted values must be a list")),
    };
    if items.len() > MAX_SUBMITTED_VALUES {
        return Err(invalid("Too many submitted values (the most is 100)"));
    }
    for item in &items {
        let Value::Object(fields) = item else {
            return Err(invalid("Each submitted value must be an object"));
        };
        for (key, field) in fields {
            if !matches!(key.as_str(), "name" | "title" | "value") {
                return Err(invalid("Submitted values have only name, title and value"));
            }
            let scalar = match field {
                Value::String(text) => text.chars().count() <= validate::MAX_SHORT_TEXT * 4,
                Value::Number(_) | Value::Bool(_) | Value::Null => true,
                _ => false,
            };
            if !scalar {
                return Err(invalid(
                    "A submitted name, title or value must be short text, a number or a boolean",
                ));
            }
        }
    }
    Ok(items)
}

/// Chatwoot's `Message#content_type`: how a client renders the message (`input_select` shows
/// its `content_attributes.items` as choices, `cards` as cards…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentType {
    Text,
    InputText,
    InputTextarea,
    InputEmail,
    InputSelect,
    Cards,
    Form,
    Article,
    IncomingEmail,
    InputCsat,
    Integrations,
    Sticker,
    VoiceCall,
}

impl ContentType {
    const ALL: [ContentType; 13] = [
        ContentType::Text,
        ContentType::InputText,
        ContentType::InputTextarea,
        ContentType::InputEmail,
        ContentType::InputSelect,
        ContentType::Cards,
        ContentType::Form,
        ContentType::Article,
        ContentType::IncomingEmail,
        ContentType::InputCsat,
        ContentType::Integrations,
        ContentType::Sticker,
        ContentType::VoiceCall,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContentType::Text => "text",
            ContentType::InputText => "input_text",
            ContentType::InputTextarea => "input_textarea",
            ContentType::InputEmail => "input_email",
            ContentType::InputSelect => "input_select",
            ContentType::Cards => "cards",
            ContentType::Form => "form",
            ContentType::Article => "article",
            ContentType::IncomingEmail => "incoming_email",
            ContentType::InputCsat => "input_csat",
            ContentType::Integrations => "integrations",
            ContentType::Sticker => "sticker",
            ContentType::VoiceCall => "voice_call",
        }
    }

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| {
                DomainError::invalid(
                    "content_type",
                    format!("{text} is not a valid content_type"),
                )
            })
    }

    /// The keys an item of `content_attributes.items` may have, for the types that carry items.
    fn item_keys(self) -> Option<&'static [&'static str]> {
        match self {
            ContentType::InputSelect => Some(&["title", "value"]),
            ContentType::Cards => Some(&["title", "description", "media_url", "actions"]),
            ContentType::Form => Some(&[
                "type",
                "placeholder",
                "label",
                "name",
                "options",
                "default",
                "required",
                "pattern",
                "title",
                "pattern_error",
            ]),
            ContentType::Article => Some(&["title", "description", "link"]),
            _ => None,
        }
    }

    /// Refuses `content_attributes` that a client could not render as this type: the item
    /// types need `items`, each an object with only the keys the type knows, and each card
    /// needs `actions` with only `text`, `type`, `payload` and `uri`.
    pub fn check_attributes(self, attributes: &Map<String, Value>) -> Result<(), DomainError> {
        let Some(allowed) = self.item_keys() else {
            return Ok(());
        };
        let invalid = |why: String| DomainError::invalid("content_attributes", why);
        let items = match attributes.get("items") {
            Some(Value::Array(items)) if !items.is_empty() => items,
            _ => return Err(invalid(format!("items are required for {}", self.as_str()))),
        };
        for item in items {
            let Value::Object(item) = item else {
                return Err(invalid("each item must be an object".into()));
            };
            if let Some(key) = item.keys().find(|key| !allowed.contains(&key.as_str())) {
                return Err(invalid(format!(
                    "item key {key} is not allowed for {}",
                    self.as_str()
                )));
            }
            if self == ContentType::Cards {
                let actions = match item.get("actions") {
                    Some(Value::Array(actions)) if !actions.is_empty() => actions,
                    _ => return Err(invalid("each card needs actions".into())),
                };
                let action_keys = ["text", "type", "payload", "uri"];
                for action in actions {
                    let Value::Object(action) = action else {
                        return Err(invalid("each card action must be an object".into()));
                    };
                    if let Some(key) = action.keys().find(|k| !action_keys.contains(&k.as_str())) {
                        return Err(invalid(format!("card action key {key} is not allowed")));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_are_chatwoots_and_their_items_are_checked() {
        let author = Author::User(crate::UserId(1));
        let with = |attributes: Value, kind: &str| {
            NewMessage::validate(Some("Pick"), None, None, Some(attributes), author)
                .unwrap()
                .with_content_type(Some(kind))
        };
        let select = with(
            serde_json::json!({"items": [{"title": "A", "value": "a"}]}),
            "input_select",
        )
        .unwrap();
        assert_eq!(select.content_type, ContentType::InputSelect);
        assert_eq!(
            ContentType::parse("voice_call").unwrap().as_str(),
            "voice_call"
        );
        let refused = [
            (serde_json::json!({}), "input_select"),
            (serde_json::json!({"items": ["a"]}), "input_select"),
            (
                serde_json::json!({"items": [{"title": "A", "colour": "red"}]}),
                "input_select",
            ),
            (serde_json::json!({"items": [{"title": "A"}]}), "cards"),
            (
                serde_json::json!({"items": [{"title": "A", "actions": [{"href": "x"}]}]}),
                "cards",
            ),
        ];
        for (attributes, kind) in refused {
            let error = with(attributes.clone(), kind).unwrap_err();
            assert_eq!(
                error.attributes,
                ["content_attributes"],
                "{attributes} as {kind}"
            );
        }
        let error = with(serde_json::json!({}), "hologram").unwrap_err();
        assert_eq!(error.attributes, ["content_type"]);
        assert!(with(serde_json::json!({}), "input_email").is_ok());
    }

    fn message(message_type: MessageType, private: bool, created_at: i64) -> Message {
        Message {
            id: MessageId(1),
            account_id: AccountId(1),
            inbox_id: InboxId(1),
            conversation_id: ConversationId(1),
            message_type,
            content: Some("hi".into()),
            content_type: "text".into(),
            content_attributes: Map::new(),
            private,
            source_id: None,
            sender: None,
            created_at,
            updated_at: created_at,
            attachments: Vec::new(),
        }
    }

    #[test]
    fn replies_the_contact_has_seen_past_are_read_and_nothing_else_is() {
        let reply = message(MessageType::Outgoing, false, 100);
        assert_eq!(reply.status(0), MessageStatus::Sent, "never read");
        assert_eq!(reply.status(99), MessageStatus::Sent, "read before it");
        assert_eq!(reply.status(100), MessageStatus::Read, "the same second");
        assert_eq!(reply.status(250), MessageStatus::Read);
        let template = message(MessageType::Template, false, 100);
        assert_eq!(template.status(250).as_str(), "read");
        for unseen in [
            message(MessageType::Outgoing, true, 100),
            message(MessageType::Incoming, false, 100),
            message(MessageType::Activity, false, 100),
        ] {
            assert_eq!(unseen.status(250).as_str(), "sent", "{unseen:?}");
        }
    }

    #[test]
    fn a_reply_needs_content_and_a_known_type() {
        let author = Author::User(crate::UserId(1));
        assert!(NewMessage::validate(Some("hi"), None, None, None, author).is_ok());
        assert_eq!(
            NewMessage::validate(Some(" "), None, None, None, author)
                .unwrap_err()
                .attributes,
            ["content"]
        );
        assert_eq!(
            NewMessage::validate(Some("hi"), Some("sideways"), None, None, author)
                .unwrap_err()
                .attributes,
            ["message_type"]
        );
    }
}
