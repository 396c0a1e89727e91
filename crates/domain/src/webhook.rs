//! Outgoing webhooks: an account's subscriptions (Chatwoot's `Webhook`, account type), which of
//! our events each Chatwoot webhook event name stands for, and the deliveries the outbox keeps.
//! Building and signing bodies is `wire::webhook`'s and the `webhooks` crate's job.

use crate::{validate, AccountId, DomainError, Event, InboxId};

/// A webhook's id (its own type, as every id is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WebhookId(pub i64);

impl WebhookId {
    pub fn get(self) -> i64 {
        self.0
    }
}

/// The event names a webhook may subscribe to: Chatwoot's `Webhook::ALLOWED_WEBHOOK_EVENTS`.
/// Accepted as Chatwoot accepts them; `contact_created`, `message_updated`,
/// `webwidget_triggered`, `inbox_created` and `inbox_updated` never fire here yet (nothing
/// publishes them).
pub const SUBSCRIPTIONS: [&str; 12] = [
    "conversation_status_changed",
    "conversation_updated",
    "conversation_created",
    "contact_created",
    "contact_updated",
    "message_created",
    "message_updated",
    "webwidget_triggered",
    "inbox_created",
    "inbox_updated",
    "conversation_typing_on",
    "conversation_typing_off",
];

/// The longest webhook URL accepted.
const MAX_URL: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: WebhookId,
    pub account_id: AccountId,
    /// Only this inbox's events, when set.
    pub inbox_id: Option<InboxId>,
    pub name: Option<String>,
    pub url: String,
    pub subscriptions: Vec<String>,
    pub created_at: i64,
}

impl Webhook {
    /// Whether this webhook wants `event` (a Chatwoot name) from `inbox` (`None`: not an
    /// inbox's event, e.g. `contact_updated`).
    pub fn wants(&self, event: &str, inbox: Option<InboxId>) -> bool {
        let inbox_matches = match (self.inbox_id, inbox) {
            (None, _) => true,
            (Some(mine), Some(theirs)) => mine == theirs,
            (Some(_), None) => false,
        };
        inbox_matches && self.subscriptions.iter().any(|s| s == event)
    }
}

/// `POST /webhooks`.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub account_id: AccountId,
    pub inbox_id: Option<InboxId>,
    pub name: Option<String>,
    pub url: String,
    pub subscriptions: Vec<String>,
}

impl NewWebhook {
    pub fn validate(
        account_id: AccountId,
        url: Option<&str>,
        subscriptions: Option<&[String]>,
        name: Option<&str>,
        inbox_id: Option<i64>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            account_id,
            inbox_id: inbox_id.map(InboxId),
            name: validate::optional("name", name, validate::MAX_SHORT_TEXT)?,
            url: webhook_url(url)?,
            subscriptions: subscription_list(subscriptions)?,
        })
    }
}

/// `PATCH /webhooks/{id}`: `None` leaves the attribute alone.
#[derive(Debug, Clone, Default)]
pub struct WebhookChanges {
    pub name: Option<Option<String>>,
    pub url: Option<String>,
    pub subscriptions: Option<Vec<String>>,
}

impl WebhookChanges {
    pub fn validate(
        url: Option<&str>,
        subscriptions: Option<&[String]>,
        name: Option<&str>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            name: name
                .map(|n| validate::optional("name", Some(n), validate::MAX_SHORT_TEXT))
                .transpose()?,
            url: url.map(|u| webhook_url(Some(u))).transpose()?,
            subscriptions: subscriptions
                .map(|s| subscription_list(Some(s)))
                .transpose()?,
        })
    }

    pub fn apply(&self, webhook: &mut Webhook) {
        if let Some(name) = &self.name {
            webhook.name = name.clone();
        }
        if let Some(url) = &self.url {
            webhook.url = url.clone();
        }
        if let Some(subscriptions) = &self.subscriptions {
            webhook.subscriptions = subscriptions.clone();
        }
    }
}

fn webhook_url(url: Option<&str>) -> Result<String, DomainError> {
    let text = validate::required("url", url, MAX_URL)?;
    crate::dashboard_app::http_url(&text)
        .map(|_| text)
        .ok_or_else(|| DomainError::invalid("url", "Url must be an http(s) URL"))
}

/// A non-empty list of known event names, deduplicated in given order (Chatwoot's
/// `validate_webhook_subscriptions`).
fn subscription_list(list: Option<&[String]>) -> Result<Vec<String>, DomainError> {
    let invalid = || {
        DomainError::invalid(
            "subscriptions",
            format!(
                "Subscriptions must be a non-empty list of: {}",
                SUBSCRIPTIONS.join(", ")
            ),
        )
    };
    let list = list.filter(|l| !l.is_empty()).ok_or_else(invalid)?;
    let mut set: Vec<String> = Vec::new();
    for name in list {
        if !SUBSCRIPTIONS.contains(&name.as_str()) {
            return Err(invalid());
        }
        if !set.contains(name) {
            set.push(name.clone());
        }
    }
    Ok(set)
}

/// Where an event is delivered: account webhooks only, or also the inbox's `webhook_url`
/// (Chatwoot's `deliver_account_webhooks` / `deliver_webhook_payloads`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Account,
    AccountAndInbox(InboxId),
}

/// The Chatwoot webhook event `event` fires and where it goes; `None` for events no webhook
/// carries (`conversation.read`, `team.changed`, and any event added later until it is mapped
/// here). An assignee change is a `conversation_updated`, as in Chatwoot; a team change is
/// announced with a `conversation.updated` beside it, which is the webhook.
pub fn webhook_event(event: &Event) -> Option<(&'static str, Reach)> {
    let inbox = |inbox_id: &InboxId| Reach::AccountAndInbox(*inbox_id);
    match event {
        Event::MessageCreated { inbox_id, .. } => Some(("message_created", inbox(inbox_id))),
        Event::MessageUpdated { inbox_id, .. } => Some(("message_updated", inbox(inbox_id))),
        Event::ConversationCreated { inbox_id, .. } => {
            Some(("conversation_created", inbox(inbox_id)))
        }
        Event::ConversationStatusChanged { inbox_id, .. } => {
            Some(("conversation_status_changed", inbox(inbox_id)))
        }
        Event::ConversationUpdated { inbox_id, .. } | Event::AssigneeChanged { inbox_id, .. } => {
            Some(("conversation_updated", inbox(inbox_id)))
        }
        Event::ContactUpdated { .. } => Some(("contact_updated", Reach::Account)),
        Event::Typing {
            inbox_id, on: true, ..
        } => Some(("conversation_typing_on", inbox(inbox_id))),
        Event::Typing {
            inbox_id,
            on: false,
            ..
        } => Some(("conversation_typing_off", inbox(inbox_id))),
        _ => None,
    }
}

/// Where a delivery stands in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Not delivered yet; tried again at `next_attempt_at`.
    Pending,
    Delivered,
    /// Every attempt failed; the worker gave up.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    /// The state a stored string names; unknown text (never written by us) reads as pending.
    pub fn from_stored(text: &str) -> DeliveryState {
        match text {
            "delivered" => DeliveryState::Delivered,
            "failed" => DeliveryState::Failed,
            _ => DeliveryState::Pending,
        }
    }
}

/// One delivery of the log, with its attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub event: String,
    pub state: DeliveryState,
    pub attempts: Vec<DeliveryAttempt>,
    /// Epoch milliseconds of the next try, while pending.
    pub next_attempt_ms: Option<i64>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    pub attempt: i64,
    pub url: String,
    /// The HTTP status, when an answer came.
    pub response_status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub created_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ContactId, ConversationId, MessageId};

    #[test]
    fn subscriptions_must_be_known_event_names() {
        let ok = ["message_created".to_owned(), "message_created".to_owned()];
        let new = NewWebhook::validate(
            AccountId(1),
            Some("https://hooks.example/in"),
            Some(&ok),
            None,
            None,
        )
        .unwrap();
        assert_eq!(new.subscriptions, ["message_created"]);
        let bad = ["message_exploded".to_owned()];
        for list in [Some(&bad[..]), Some(&[][..]), None] {
            let err =
                NewWebhook::validate(AccountId(1), Some("https://a.example"), list, None, None)
                    .unwrap_err();
            assert_eq!(err.attributes, ["subscriptions"]);
        }
    }

    #[test]
    fn the_url_must_be_absolute_http() {
        let list = ["message_created".to_owned()];
        for url in [None, Some(""), Some("ftp://a.example"), Some("/relative")] {
            let err = NewWebhook::validate(AccountId(1), url, Some(&list), None, None).unwrap_err();
            assert_eq!(err.attributes, ["url"], "{url:?}");
        }
    }

    #[test]
    fn events_map_to_chatwoot_webhook_names() {
        let (a, i, c) = (AccountId(1), InboxId(2), ConversationId(3));
        let message = Event::MessageCreated {
            account_id: a,
            inbox_id: i,
            conversation_id: c,
            message_id: MessageId(4),
        };
        assert_eq!(
            webhook_event(&message),
            Some(("message_created", Reach::AccountAndInbox(i)))
        );
        let assignee = Event::AssigneeChanged {
            account_id: a,
            inbox_id: i,
            conversation_id: c,
        };
        assert_eq!(webhook_event(&assignee).unwrap().0, "conversation_updated");
        let contact = Event::ContactUpdated {
            account_id: a,
            contact_id: ContactId(5),
        };
        assert_eq!(
            webhook_event(&contact),
            Some(("contact_updated", Reach::Account))
        );
        let read = Event::ConversationRead {
            account_id: a,
            inbox_id: i,
            conversation_id: c,
        };
        assert_eq!(webhook_event(&read), None);
        // A team change reaches webhooks as the `conversation_updated` sent beside it.
        let team = Event::TeamChanged {
            account_id: a,
            inbox_id: i,
            conversation_id: c,
        };
        assert_eq!(webhook_event(&team), None);
    }

    #[test]
    fn an_inbox_scoped_webhook_hears_only_its_inbox() {
        let hook = Webhook {
            id: WebhookId(1),
            account_id: AccountId(1),
            inbox_id: Some(InboxId(2)),
            name: None,
            url: "https://a.example".into(),
            subscriptions: vec!["message_created".into(), "contact_updated".into()],
            created_at: 0,
        };
        assert!(hook.wants("message_created", Some(InboxId(2))));
        assert!(!hook.wants("message_created", Some(InboxId(3))));
        assert!(!hook.wants("contact_updated", None));
        assert!(!hook.wants("conversation_created", Some(InboxId(2))));
    }
}
