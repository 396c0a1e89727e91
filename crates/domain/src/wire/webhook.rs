//! Webhook bodies as Chatwoot's `WebhookListener` sends them (`Message#webhook_data`,
//! `Conversation#webhook_data` = `Conversations::EventDataPresenter#push_data`,
//! `Contact#webhook_data`, `User#webhook_data`, `{id, name}` for account and inbox), the webhook
//! resource of `/api/v1/accounts/{id}/webhooks` (`webhooks/_webhook.json.jbuilder`) and our
//! delivery log. Signing and sending is the `webhooks` crate's job.

use super::Conversation;
use crate::{Account, Contact, ConversationView, Inbox, Message, MessageSender};
use serde::Serialize;
use serde_json::{Map, Value};

/// `Account#webhook_data`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WebhookAccount {
    pub id: i64,
    pub name: String,
}

impl From<&Account> for WebhookAccount {
    fn from(account: &Account) -> Self {
        Self {
            id: account.id.get(),
            name: account.name.clone(),
        }
    }
}

/// `Inbox#webhook_data`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WebhookInbox {
    pub id: i64,
    pub name: String,
}

impl From<&Inbox> for WebhookInbox {
    fn from(inbox: &Inbox) -> Self {
        Self {
            id: inbox.id.get(),
            name: inbox.name.clone(),
        }
    }
}

/// `Contact#webhook_data`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WebhookContact {
    pub account: WebhookAccount,
    pub additional_attributes: Map<String, Value>,
    pub avatar: String,
    pub custom_attributes: Map<String, Value>,
    pub email: Option<String>,
    pub id: i64,
    pub identifier: Option<String>,
    pub name: Option<String>,
    pub phone_number: Option<String>,
    pub thumbnail: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl WebhookContact {
    pub fn new(contact: &Contact, account: &Account) -> Self {
        Self {
            account: WebhookAccount::from(account),
            additional_attributes: contact.additional_attributes.clone(),
            avatar: String::new(),
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
}

/// `User#webhook_data`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WebhookUser {
    pub id: i64,
    pub name: String,
    pub email: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl From<&crate::User> for WebhookUser {
    fn from(user: &crate::User) -> Self {
        Self {
            id: user.id.get(),
            name: user.name.clone(),
            email: user.email.clone(),
            kind: "user",
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum WebhookSender {
    Contact(WebhookContact),
    User(WebhookUser),
}

/// The contact inbox a conversation came through (`push_data`'s `contact_inbox`; its
/// `pubsub_token` is left out: integrators never need the contact's socket credential).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WebhookContactInbox {
    pub id: i64,
    pub contact_id: i64,
    pub inbox_id: i64,
    pub source_id: String,
    pub hmac_verified: bool,
}

/// `Conversation#webhook_data`: the conversation as the API shows it (one serializer), with
/// only its last chat message and `push_data`'s top-level `channel` and `contact_inbox`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WebhookConversation {
    #[serde(flatten)]
    pub conversation: Conversation,
    pub channel: String,
    pub contact_inbox: Option<WebhookContactInbox>,
}

impl WebhookConversation {
    /// `last_chat` is Chatwoot's `messages.chat.last`: the newest message neither activity nor
    /// private; `source_id` is the conversation's contact inbox's, when it has one.
    pub fn new(
        view: &ConversationView,
        last_chat: Option<&Message>,
        source_id: Option<&str>,
        presence: &dyn crate::ContactPresence,
    ) -> Self {
        let mut last = view.clone();
        last.messages = last_chat.cloned().into_iter().collect();
        let c = &view.conversation;
        let contact_inbox =
            c.contact_inbox_id
                .zip(source_id)
                .map(|(id, source_id)| WebhookContactInbox {
                    id: id.get(),
                    contact_id: c.contact_id.get(),
                    inbox_id: c.inbox_id.get(),
                    source_id: source_id.to_owned(),
                    hmac_verified: view.hmac_verified,
                });
        Self {
            conversation: Conversation::new(&last, presence),
            channel: view.channel_type.clone(),
            contact_inbox,
        }
    }
}

/// `message_created`: `{"event", ...Message#webhook_data}`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MessageEvent {
    pub event: &'static str,
    pub id: i64,
    pub content: Option<String>,
    /// ISO-8601, as Rails prints a time.
    pub created_at: String,
    /// The name (`"incoming"`), not the number the API uses.
    pub message_type: &'static str,
    pub content_type: String,
    pub content_attributes: Map<String, Value>,
    pub additional_attributes: Map<String, Value>,
    pub private: bool,
    pub source_id: Option<String>,
    pub sender: Option<WebhookSender>,
    pub inbox: WebhookInbox,
    pub conversation: WebhookConversation,
    pub account: WebhookAccount,
    /// `Message#webhook_data` adds the files' `push_event_data` only when there are some.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<super::message::Attachment>,
}

impl MessageEvent {
    pub fn new(
        event: &'static str,
        message: &Message,
        conversation: WebhookConversation,
        inbox: &Inbox,
        account: &Account,
    ) -> Self {
        Self {
            attachments: message.attachments.iter().map(Into::into).collect(),
            event,
            id: message.id.get(),
            content: message.content.clone(),
            created_at: crate::time::iso8601(message.created_at),
            message_type: message.message_type.as_str(),
            content_type: message.content_type.clone(),
            content_attributes: message.content_attributes.clone(),
            additional_attributes: Map::new(),
            private: message.private,
            source_id: message.source_id.clone(),
            sender: message.sender.as_ref().map(|sender| match sender {
                MessageSender::Contact(contact) => {
                    WebhookSender::Contact(WebhookContact::new(contact, account))
                }
                MessageSender::User(user) => WebhookSender::User(WebhookUser::from(user)),
            }),
            inbox: WebhookInbox::from(inbox),
            conversation,
            account: WebhookAccount::from(account),
        }
    }
}

/// `conversation_created`, `conversation_status_changed`, `conversation_updated`:
/// `{"event", ...Conversation#webhook_data}`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConversationEvent {
    pub event: &'static str,
    #[serde(flatten)]
    pub conversation: WebhookConversation,
}

/// `conversation_typing_on` / `_off`: who types where (Chatwoot's `handle_typing_status`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TypingEvent {
    pub event: &'static str,
    /// The typist: `User#webhook_data` or `Contact#webhook_data`.
    pub user: WebhookSender,
    pub conversation: WebhookConversation,
    pub is_private: bool,
}

/// `contact_updated`: `{"event", ...Contact#webhook_data}`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ContactEvent {
    pub event: &'static str,
    #[serde(flatten)]
    pub contact: WebhookContact,
}

/// The inbox a webhook is limited to, as `_webhook.json.jbuilder` shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct WebhookInboxRef {
    pub id: i64,
    pub name: String,
    pub channel_type: String,
}

/// A webhook subscription (`webhooks/_webhook.json.jbuilder`). The signing secret appears only
/// in the answer to its creation.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub name: Option<String>,
    pub url: String,
    pub account_id: i64,
    pub subscriptions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbox: Option<WebhookInboxRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl Webhook {
    pub fn new(webhook: &crate::Webhook, inbox: Option<&Inbox>) -> Self {
        Self {
            id: webhook.id.get(),
            name: webhook.name.clone(),
            url: webhook.url.clone(),
            account_id: webhook.account_id.get(),
            subscriptions: webhook.subscriptions.clone(),
            inbox: inbox.map(|inbox| WebhookInboxRef {
                id: inbox.id.get(),
                name: inbox.name.clone(),
                channel_type: inbox.channel_type.clone(),
            }),
            secret: None,
        }
    }

    /// The answer to a creation: the only time the secret is shown.
    pub fn with_secret(mut self, secret: &str) -> Self {
        self.secret = Some(secret.to_owned());
        self
    }
}

/// One entry of `GET /webhooks/{id}/deliveries`: an event sent (or being sent) to the webhook
/// and every attempt so far. Times are epoch seconds.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct WebhookDelivery {
    pub id: i64,
    pub event: String,
    /// `pending`, `delivered` or `failed` (given up).
    pub state: &'static str,
    pub attempts_count: usize,
    pub next_attempt_at: Option<i64>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub attempts: Vec<WebhookDeliveryAttempt>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct WebhookDeliveryAttempt {
    pub attempt: i64,
    pub url: String,
    /// The receiver's HTTP status; `null` when no answer came (refused, timed out).
    pub response_status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub created_at: i64,
}

impl From<&crate::webhook::Delivery> for WebhookDelivery {
    fn from(delivery: &crate::webhook::Delivery) -> Self {
        let pending = delivery.state == crate::webhook::DeliveryState::Pending;
        Self {
            id: delivery.id,
            event: delivery.event.clone(),
            state: delivery.state.as_str(),
            attempts_count: delivery.attempts.len(),
            next_attempt_at: delivery
                .next_attempt_ms
                .filter(|_| pending)
                .map(|ms| ms.div_euclid(1000)),
            created_at: delivery.created_at,
            finished_at: delivery.finished_at,
            attempts: delivery
                .attempts
                .iter()
                .map(|a| WebhookDeliveryAttempt {
                    attempt: a.attempt,
                    url: a.url.clone(),
                    response_status: a.response_status,
                    error: a.error.clone(),
                    duration_ms: a.duration_ms,
                    created_at: a.created_at,
                })
                .collect(),
        }
    }
}
