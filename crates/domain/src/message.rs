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

impl Message {
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
    pub private: bool,
    pub content_attributes: Map<String, Value>,
    pub source_id: Option<String>,
    pub author: Author,
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
        let content = content.map(str::trim).unwrap_or_default();
        if content.is_empty() {
            return Err(DomainError::blank("content"));
        }
        validate::limit("content", content, validate::MAX_MESSAGE)?;
        let message_type = MessageType::parse(message_type.unwrap_or("outgoing"))?;
        Ok(Self {
            content: Some(content.to_owned()),
            message_type,
            private: private.unwrap_or(false),
            content_attributes: validate::object("content_attributes", content_attributes)?,
            source_id: None,
            author,
        })
    }

    /// A system note in the thread ("Conversation was resolved by Sam").
    pub fn activity(content: String) -> Self {
        Self {
            content: Some(content),
            message_type: MessageType::Activity,
            private: false,
            content_attributes: Map::new(),
            source_id: None,
            author: Author::System,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
