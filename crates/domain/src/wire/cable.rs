//! `/cable` bodies: ActionCable's JSON frames (`welcome`, `ping`, `confirm_subscription`,
//! `reject_subscription`, `{identifier, message}`) and the `{event, data}` messages Chatwoot's
//! `ActionCableListener` and `RoomChannel` broadcast. Every `data` carries `account_id`
//! (Chatwoot's `broadcast` merges it in; its dashboard drops events of other accounts).
//! Sockets, subscriptions and who receives what are `web::cable`'s and `realtime`'s job.

use super::{Contact, Conversation, Message, MessageSender};
use crate::{AccountId, ContactPresence, ConversationView};
use serde::Serialize;
use std::collections::BTreeMap;

/// The subprotocol `@rails/actioncable` offers first and requires in the answer.
pub const PROTOCOL: &str = "actioncable-v1-json";

/// A frame the server sends outside any subscription, or about one (ActionCable's
/// `ActionCable::INTERNAL[:message_types]`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Control {
    Welcome,
    /// ActionCable's beat: `message` is the server's epoch seconds.
    Ping {
        message: i64,
    },
    /// `identifier` is the client's identifier text, echoed byte for byte.
    ConfirmSubscription {
        identifier: String,
        /// Ours, on a fresh subscription: the log's newest event id as it starts, so a client
        /// that has seen no event yet can still resume after a reconnect (naming it as
        /// `last_event_id`) rather than reload. ActionCable's clients ignore unknown keys.
        #[serde(skip_serializing_if = "Option::is_none")]
        last_event_id: Option<i64>,
    },
    RejectSubscription {
        identifier: String,
    },
}

impl Control {
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).expect("control frames always serialize")
    }
}

/// `{"identifier": "<the subscription's identifier text>", "message": <message>}`, where
/// `message` is an already rendered [`CableMessage`] (rendered once, sent to many sockets).
pub fn frame(identifier: &str, message: &str) -> String {
    format!(
        r#"{{"identifier":{},"message":{message}}}"#,
        serde_json::to_string(identifier).expect("a string serializes")
    )
}

/// `{"event": "message.created", "data": {...}}`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CableMessage<T> {
    pub event: &'static str,
    pub data: T,
    /// Ours: the event's id in the log, which a client names (`last_event_id` in its
    /// identifier) to resume after a reconnect. Chatwoot's clients ignore it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<i64>,
}

impl<T: Serialize> CableMessage<T> {
    pub fn new(event: &'static str, data: T) -> Self {
        Self {
            event,
            data,
            event_id: None,
        }
    }

    pub fn with_event_id(self, event_id: Option<i64>) -> Self {
        Self { event_id, ..self }
    }

    pub fn to_text(&self) -> String {
        serde_json::to_string(self).expect("wire bodies always serialize")
    }
}

/// An event's `data` with the acting user's `push_event_data` merged in as `performer`, as
/// `ActionCableListener#broadcast` does when an agent's request caused the event (Chatwoot's
/// dashboard names the assigner in its notifications from it).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Performed<T> {
    #[serde(flatten)]
    pub data: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub performer: Option<MessageSender>,
}

impl<T> Performed<T> {
    pub fn new(data: T, performer: Option<&MessageSender>) -> Self {
        Self {
            data,
            performer: performer.cloned(),
        }
    }
}

/// Our own order to reload (a socket fell behind, or the bus lost its database listener).
pub fn resync() -> String {
    resync_from(None)
}

/// [`resync`], telling a client that could not resume the log's newest event id, when known:
/// it reloads what it shows, and resumes after that id next time.
pub fn resync_from(event_id: Option<i64>) -> String {
    CableMessage::new("resync", serde_json::Map::new())
        .with_event_id(event_id)
        .to_text()
}

/// `message.created` / `message.updated`: `Message#push_event_data`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MessageData {
    #[serde(flatten)]
    pub message: Message,
    pub conversation: MessageConversation,
}

/// `Message#conversation_push_event_data`, with the conversation's display id and status
/// beside it (our dashboard reads them; Chatwoot's clients ignore them).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MessageConversation {
    pub id: i64,
    pub status: &'static str,
    pub assignee_id: Option<i64>,
    pub unread_count: i64,
    pub last_activity_at: i64,
    pub contact_inbox: ContactInboxRef,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ContactInboxRef {
    /// `null` only for a conversation whose contact inbox was deleted.
    pub source_id: Option<String>,
}

impl MessageData {
    /// `message` in `view`'s conversation; `source_id` is the conversation's contact inbox's.
    pub fn new(message: &crate::Message, view: &ConversationView, source_id: Option<&str>) -> Self {
        let c = &view.conversation;
        Self {
            message: Message::new(message, c),
            conversation: MessageConversation {
                id: c.display_id.get(),
                status: c.status.as_str(),
                assignee_id: c.assignee_id.map(|a| a.get()),
                unread_count: view.unread_count,
                last_activity_at: c.last_activity_at,
                contact_inbox: ContactInboxRef {
                    source_id: source_id.map(str::to_owned),
                },
            },
        }
    }
}

/// `conversation.created`, `…status_changed`, `…updated`, `…read`, `assignee.changed`,
/// `conversation.contact_changed`: `Conversation#push_event_data`, which already carries its
/// `account_id`.
pub type ConversationData = Conversation;

/// `conversation.typing_on` / `typing_off`: `user` is the typist's `push_event_data`, an
/// agent's or the contact's.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TypingData {
    pub conversation: Conversation,
    pub user: MessageSender,
    pub is_private: bool,
    pub account_id: i64,
}

impl TypingData {
    pub fn new(
        view: &ConversationView,
        user: MessageSender,
        is_private: bool,
        presence: &dyn ContactPresence,
    ) -> Self {
        Self {
            conversation: Conversation::new(view, presence),
            user,
            is_private,
            account_id: view.conversation.account_id.get(),
        }
    }
}

/// `contact.updated`: the contact, with `account_id` merged in.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ContactData {
    #[serde(flatten)]
    pub contact: Contact,
    pub account_id: i64,
}

impl ContactData {
    pub fn new(contact: &crate::Contact, presence: &dyn ContactPresence) -> Self {
        Self {
            contact: Contact::new(contact, presence),
            account_id: contact.account_id.get(),
        }
    }
}

/// `presence.update` (Chatwoot's `RoomChannel#broadcast_presence`): the account's connected
/// agents with their availability (`online`, `busy`, `offline`) and connected contacts, keyed
/// by id. `contacts` is left out for a contact's own subscription, as Chatwoot does.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PresenceData {
    pub account_id: i64,
    pub users: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacts: Option<BTreeMap<String, &'static str>>,
}

impl PresenceData {
    /// `users`: (id, availability) of connected agents; `contacts`: connected contacts' ids,
    /// `None` when the receiver is a contact.
    pub fn new(
        account_id: AccountId,
        users: impl IntoIterator<Item = (i64, String)>,
        contacts: Option<Vec<i64>>,
    ) -> Self {
        Self {
            account_id: account_id.get(),
            users: users
                .into_iter()
                .map(|(id, status)| (id.to_string(), status))
                .collect(),
            contacts: contacts.map(|ids| {
                ids.into_iter()
                    .map(|id| (id.to_string(), "online"))
                    .collect()
            }),
        }
    }
}

/// The largest command a client may send.
pub const MAX_COMMAND: usize = 16 * 1024;

/// A client's command: `{"command": "subscribe" | "unsubscribe" | "message", "identifier":
/// "<JSON text>", "data": "<JSON text>"}` (`data` only with `message`, ActionCable's `perform`).
#[derive(Debug, Clone, serde::Deserialize, PartialEq)]
pub struct Command {
    pub command: String,
    pub identifier: String,
    /// Only a string is a `perform`'s data; anything else is ignored.
    #[serde(default)]
    pub data: serde_json::Value,
}

/// The identifier Chatwoot's clients subscribe with (itself JSON inside a string): the
/// dashboard sends `{channel, pubsub_token, account_id, user_id}`, the widget
/// `{channel, pubsub_token}` with its contact inbox's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier {
    pub channel: String,
    pub pubsub_token: Option<String>,
    pub account_id: Option<i64>,
    pub user_id: Option<i64>,
    /// Ours: the last `event_id` the client saw before it reconnected; the subscription then
    /// replays what it missed, or sends `resync` when the log no longer holds all of it.
    pub last_event_id: Option<i64>,
}

#[derive(serde::Deserialize)]
struct IdentifierFields {
    channel: String,
    pubsub_token: Option<String>,
    #[serde(default)]
    account_id: serde_json::Value,
    #[serde(default)]
    user_id: serde_json::Value,
    #[serde(default)]
    last_event_id: serde_json::Value,
}

/// Why an identifier's id is not usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadId;

/// An id as JavaScript clients send it: a number or a numeric string; absent is `None`.
fn id(value: &serde_json::Value) -> Result<Option<i64>, BadId> {
    match value {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Number(n) => n.as_i64().map(Some).ok_or(BadId),
        serde_json::Value::String(s) if s.is_empty() => Ok(None),
        serde_json::Value::String(s) => s.trim().parse().map(Some).map_err(|_| BadId),
        _ => Err(BadId),
    }
}

impl Command {
    /// Reads a client frame; `None` for anything that is not a well-formed command.
    pub fn parse(text: &str) -> Option<Command> {
        if text.len() > MAX_COMMAND {
            return None;
        }
        from_object(text)
    }

    /// The identifier; `Err` when it is not an object naming a channel or when an id in it
    /// is neither a number nor a numeric string (a subscription then gets rejected).
    pub fn identifier(&self) -> Result<Identifier, BadId> {
        let fields: IdentifierFields = from_object(&self.identifier).ok_or(BadId)?;
        Ok(Identifier {
            channel: fields.channel,
            pubsub_token: fields.pubsub_token,
            account_id: id(&fields.account_id)?,
            user_id: id(&fields.user_id)?,
            last_event_id: id(&fields.last_event_id)?,
        })
    }

    /// The `action` a `message` command performs (`update_presence`).
    pub fn action(&self) -> Option<String> {
        #[derive(serde::Deserialize)]
        struct Data {
            action: String,
        }
        let data: Data = from_object(self.data.as_str()?)?;
        Some(data.action)
    }
}

/// `text` read as `T` only when it is a JSON object: serde also reads a struct from an array
/// (`["subscribe", "…"]`), which is no ActionCable command.
fn from_object<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    if !value.is_object() {
        return None;
    }
    serde_json::from_value(value).ok()
}
