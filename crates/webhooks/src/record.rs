//! From a published event to outbox rows: which webhooks want it (Chatwoot's
//! `WebhookListener`: account webhooks subscribed to the event, plus the inbox's `webhook_url`
//! for conversation and message events), and the body they all receive, built once from the
//! `domain::wire` types.

use domain::webhook::{webhook_event, Reach};
use domain::{
    wire, AccountId, ContactId, ConversationId, Event, Inbox, MessageId, MessageType, Typist,
};
use store::{Destination, LoggedEvent, Store, StoreError, WEBHOOK_CURSOR};

/// Writes the outbox rows `event` causes; returns how many (0 when nothing listens, or when
/// what the event names is gone by now, e.g. deleted).
pub async fn record(store: &Store, event: &Event, now_ms: i64) -> Result<usize, StoreError> {
    record_from(store, event, None, now_ms).await
}

/// [`record`] for an event of the log, moving the recorder's cursor past it: with its rows in
/// the same transaction, or alone when it causes none.
pub async fn record_logged(
    store: &Store,
    logged: &LoggedEvent,
    now_ms: i64,
) -> Result<usize, StoreError> {
    let written = record_from(store, &logged.event, Some(logged.id), now_ms).await?;
    if written == 0 {
        store.events().advance(WEBHOOK_CURSOR, logged.id).await?;
    }
    Ok(written)
}

async fn record_from(
    store: &Store,
    event: &Event,
    logged: Option<i64>,
    now_ms: i64,
) -> Result<usize, StoreError> {
    let Some((name, reach)) = webhook_event(event) else {
        return Ok(0);
    };
    let account_id = event.account_id();
    let inbox = match reach {
        Reach::Account => None,
        Reach::AccountAndInbox(inbox_id) => {
            match store.inboxes().find(account_id, inbox_id).await {
                Ok(inbox) => Some(inbox),
                Err(StoreError::NotFound) => return Ok(0),
                Err(other) => return Err(other),
            }
        }
    };
    let mut destinations: Vec<Destination> = store
        .webhooks()
        .list(account_id)
        .await?
        .iter()
        .filter(|w| w.wants(name, inbox.as_ref().map(|i| i.id)))
        .map(|w| Destination::Webhook(w.id))
        .collect();
    if let Some(inbox) = inbox.as_ref().filter(|i| i.webhook_url.is_some()) {
        destinations.push(Destination::Inbox(inbox.id));
    }
    if destinations.is_empty() {
        return Ok(0);
    }
    let body = match body(store, name, event, inbox.as_ref()).await {
        Ok(Some(body)) => body,
        Ok(None) | Err(StoreError::NotFound) => return Ok(0),
        Err(other) => return Err(other),
    };
    let written = store
        .webhooks()
        .enqueue_logged(account_id, name, &body, &destinations, now_ms, logged)
        .await?;
    Ok(if written { destinations.len() } else { 0 })
}

/// The JSON body of `event`, named `name` on the wire; `None` for what no webhook carries
/// (activity messages: Chatwoot's `webhook_sendable?`).
async fn body(
    store: &Store,
    name: &'static str,
    event: &Event,
    inbox: Option<&Inbox>,
) -> Result<Option<String>, StoreError> {
    let json = match (event, inbox) {
        (
            Event::MessageCreated {
                account_id,
                conversation_id,
                message_id,
                ..
            }
            | Event::MessageUpdated {
                account_id,
                conversation_id,
                message_id,
                ..
            },
            Some(inbox),
        ) => {
            message_body(
                store,
                name,
                *account_id,
                *conversation_id,
                *message_id,
                inbox,
            )
            .await?
        }
        (
            Event::ContactUpdated {
                account_id,
                contact_id,
            },
            _,
        ) => Some(contact_body(store, name, *account_id, *contact_id).await?),
        (
            Event::ConversationCreated {
                conversation_id, ..
            }
            | Event::ConversationStatusChanged {
                conversation_id, ..
            }
            | Event::ConversationUpdated {
                conversation_id, ..
            }
            | Event::AssigneeChanged {
                conversation_id, ..
            },
            _,
        ) => {
            let conversation = conversation(store, *conversation_id).await?;
            let body = wire::ConversationEvent {
                event: name,
                conversation,
            };
            Some(serde_json::to_string(&body).expect("a webhook body always serializes"))
        }
        (
            Event::Typing {
                account_id,
                conversation_id,
                typist,
                is_private,
                ..
            },
            _,
        ) => {
            let user = match typist {
                Typist::User(id) => wire::WebhookSender::User(wire::WebhookUser::from(
                    &store.users().find(*id).await?,
                )),
                Typist::Contact(id) => {
                    let contact = store.contacts().find(*account_id, *id).await?;
                    let account = store.accounts().find(*account_id).await?;
                    wire::WebhookSender::Contact(wire::WebhookContact::new(&contact, &account))
                }
            };
            let body = wire::TypingEvent {
                event: name,
                user,
                conversation: conversation(store, *conversation_id).await?,
                is_private: *is_private,
            };
            Some(serde_json::to_string(&body).expect("a webhook body always serializes"))
        }
        _ => None,
    };
    Ok(json)
}

async fn message_body(
    store: &Store,
    name: &'static str,
    account_id: AccountId,
    conversation_id: ConversationId,
    message_id: MessageId,
    inbox: &Inbox,
) -> Result<Option<String>, StoreError> {
    let view = store.conversations().find_by_id(conversation_id).await?;
    let message = store.messages().find(message_id, &view.contact).await?;
    if message.message_type == MessageType::Activity {
        return Ok(None);
    }
    let account = store.accounts().find(account_id).await?;
    let conversation = conversation_of(store, &view).await?;
    let body = wire::MessageEvent::new(name, &message, conversation, inbox, &account);
    Ok(Some(
        serde_json::to_string(&body).expect("a webhook body always serializes"),
    ))
}

async fn contact_body(
    store: &Store,
    name: &'static str,
    account_id: AccountId,
    contact_id: ContactId,
) -> Result<String, StoreError> {
    let contact = store.contacts().find(account_id, contact_id).await?;
    let account = store.accounts().find(account_id).await?;
    let body = wire::ContactEvent {
        event: name,
        contact: wire::WebhookContact::new(&contact, &account),
    };
    Ok(serde_json::to_string(&body).expect("a webhook body always serializes"))
}

async fn conversation(
    store: &Store,
    id: ConversationId,
) -> Result<wire::WebhookConversation, StoreError> {
    let view = store.conversations().find_by_id(id).await?;
    conversation_of(store, &view).await
}

async fn conversation_of(
    store: &Store,
    view: &domain::ConversationView,
) -> Result<wire::WebhookConversation, StoreError> {
    let source_id = match view.conversation.contact_inbox_id {
        Some(id) => store.contact_inboxes().source_id(id).await?,
        None => None,
    };
    Ok(wire::WebhookConversation::new(view, source_id.as_deref()))
}
