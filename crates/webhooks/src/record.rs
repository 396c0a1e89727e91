//! From a published event to outbox rows: which webhooks want it (Chatwoot's
//! `WebhookListener`: account webhooks subscribed to the event, plus the inbox's `webhook_url`
//! for conversation and message events), and the body they all receive, built once from the
//! `domain::wire` types.

use domain::webhook::{webhook_event, Reach, Webhook};
use domain::{
    wire, AccountId, ContactPresence, ConversationId, Event, Inbox, InboxId, MessageType, Typist,
};
use std::collections::hash_map::{Entry, HashMap};
use store::{Bodies, Destination, EventRows, LoggedEvent, Store, StoreError, WEBHOOK_CURSOR};

/// Writes the outbox rows `event` (not logged: typing) causes; returns how many (0 when
/// nothing listens, or when what the event names is gone by now, e.g. deleted).
/// `presence` says which contacts the body shows online.
pub async fn record(
    store: &Store,
    presence: &dyn ContactPresence,
    event: &Event,
    now_ms: i64,
) -> Result<usize, StoreError> {
    let Some(plan) = plan(store, event).await? else {
        return Ok(0);
    };
    let rows = store.event_rows([(event, None)], Bodies::Webhooks).await?;
    write(store, presence, &rows, event, plan, None, now_ms).await
}

/// Records a batch of the log, in order, moving the recorder's cursor past each event: with
/// its rows in the same transaction, or (for a run of events nothing listens to) once after
/// the run, so a burst nobody subscribed to costs one cursor write rather than one per event.
/// Re-reading such a run after a crash records nothing, so moving past it late loses nothing.
/// The rows the bodies are made of are read once for the whole batch, and only for events
/// something listens to; each account's webhooks and each inbox are read once per batch.
pub async fn record_logged(
    store: &Store,
    presence: &dyn ContactPresence,
    batch: &[LoggedEvent],
    now_ms: i64,
) -> Result<usize, StoreError> {
    let mut planner = Planner::default();
    let mut plans = Vec::with_capacity(batch.len());
    for logged in batch {
        plans.push(planner.plan(store, &logged.event).await?);
    }
    let listened = batch
        .iter()
        .zip(&plans)
        .filter(|(_, plan)| plan.is_some())
        .map(|(logged, _)| (&logged.event, logged.performer));
    let rows = store.event_rows(listened, Bodies::Webhooks).await?;
    let mut written = 0;
    // The last event passed over without rows whose cursor move is still owed.
    let mut owed = None;
    for (logged, plan) in batch.iter().zip(plans) {
        let rows_written = match plan {
            Some(plan) => {
                if let Some(id) = owed.take() {
                    store.events().advance(WEBHOOK_CURSOR, id).await?;
                }
                write(
                    store,
                    presence,
                    &rows,
                    &logged.event,
                    plan,
                    Some(logged.id),
                    now_ms,
                )
                .await?
            }
            None => 0,
        };
        if rows_written == 0 {
            owed = Some(logged.id);
        }
        written += rows_written;
    }
    if let Some(id) = owed {
        store.events().advance(WEBHOOK_CURSOR, id).await?;
    }
    Ok(written)
}

/// Where an event goes, under which name (Chatwoot's `WebhookListener`).
struct Plan {
    name: &'static str,
    inbox: Option<Inbox>,
    destinations: Vec<Destination>,
}

/// `None` when no webhook wants `event`.
async fn plan(store: &Store, event: &Event) -> Result<Option<Plan>, StoreError> {
    Planner::default().plan(store, event).await
}

/// Plans a batch's events, reading each account's webhooks and each inbox once.
#[derive(Default)]
struct Planner {
    webhooks: HashMap<AccountId, Vec<Webhook>>,
    /// `None`: the inbox is gone.
    inboxes: HashMap<InboxId, Option<Inbox>>,
}

impl Planner {
    /// `None` when no webhook wants `event`.
    async fn plan(&mut self, store: &Store, event: &Event) -> Result<Option<Plan>, StoreError> {
        let Some((name, reach)) = webhook_event(event) else {
            return Ok(None);
        };
        let account_id = event.account_id();
        let inbox = match reach {
            Reach::Account => None,
            Reach::AccountAndInbox(inbox_id) => {
                match self.inbox(store, account_id, inbox_id).await? {
                    Some(inbox) => Some(inbox),
                    None => return Ok(None),
                }
            }
        };
        let webhooks = match self.webhooks.entry(account_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(unknown) => unknown.insert(store.webhooks().list(account_id).await?),
        };
        let mut destinations: Vec<Destination> = webhooks
            .iter()
            .filter(|w| w.wants(name, inbox.as_ref().map(|i| i.id)))
            .map(|w| Destination::Webhook(w.id))
            .collect();
        if let Some(inbox) = inbox.as_ref().filter(|i| i.webhook_url.is_some()) {
            destinations.push(Destination::Inbox(inbox.id));
        }
        Ok((!destinations.is_empty()).then_some(Plan {
            name,
            inbox,
            destinations,
        }))
    }

    async fn inbox(
        &mut self,
        store: &Store,
        account_id: AccountId,
        inbox_id: InboxId,
    ) -> Result<Option<Inbox>, StoreError> {
        if let Some(known) = self.inboxes.get(&inbox_id) {
            return Ok(known.clone());
        }
        let found = match store.inboxes().find(account_id, inbox_id).await {
            Ok(inbox) => Some(inbox),
            Err(StoreError::NotFound) => None,
            Err(other) => return Err(other),
        };
        self.inboxes.insert(inbox_id, found.clone());
        Ok(found)
    }
}

/// Writes `plan`'s outbox rows for `event` with its body made from `rows`.
async fn write(
    store: &Store,
    presence: &dyn ContactPresence,
    rows: &EventRows,
    event: &Event,
    plan: Plan,
    logged: Option<i64>,
    now_ms: i64,
) -> Result<usize, StoreError> {
    let Plan {
        name,
        inbox,
        destinations,
    } = plan;
    let account_id = event.account_id();
    let body = match body(store, presence, rows, name, event, inbox.as_ref()).await {
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

/// The JSON body of `event`, named `name` on the wire, made from `rows`; `None` for what no
/// webhook carries (activity messages: Chatwoot's `webhook_sendable?`).
async fn body(
    store: &Store,
    presence: &dyn ContactPresence,
    rows: &EventRows,
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
            let message = rows.message(*message_id)?;
            if message.message_type == MessageType::Activity {
                return Ok(None);
            }
            let account = store.accounts().find(*account_id).await?;
            let conversation = conversation(rows, presence, *conversation_id)?;
            to_json(&wire::MessageEvent::new(
                name,
                message,
                conversation,
                inbox,
                &account,
            ))
        }
        (
            Event::ContactUpdated {
                account_id,
                contact_id,
            },
            _,
        ) => {
            let contact = rows.contact(*account_id, *contact_id)?;
            let account = store.accounts().find(*account_id).await?;
            to_json(&wire::ContactEvent {
                event: name,
                contact: wire::WebhookContact::new(contact, &account),
            })
        }
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
        ) => to_json(&wire::ConversationEvent {
            event: name,
            conversation: conversation(rows, presence, *conversation_id)?,
        }),
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
                Typist::User(id) => {
                    wire::WebhookSender::User(wire::WebhookUser::from(rows.user(*id)?))
                }
                Typist::Contact(id) => {
                    let contact = rows.contact(*account_id, *id)?;
                    let account = store.accounts().find(*account_id).await?;
                    wire::WebhookSender::Contact(wire::WebhookContact::new(contact, &account))
                }
            };
            to_json(&wire::TypingEvent {
                event: name,
                user,
                conversation: conversation(rows, presence, *conversation_id)?,
                is_private: *is_private,
            })
        }
        _ => None,
    };
    Ok(json)
}

fn to_json(body: &impl serde::Serialize) -> Option<String> {
    Some(serde_json::to_string(body).expect("a webhook body always serializes"))
}

/// The conversation as webhooks carry it, with its newest chat message.
fn conversation(
    rows: &EventRows,
    presence: &dyn ContactPresence,
    id: ConversationId,
) -> Result<wire::WebhookConversation, StoreError> {
    let view = rows.conversation(id)?;
    Ok(wire::WebhookConversation::new(
        view,
        rows.last_chat(id),
        rows.source_id(view),
        presence,
    ))
}
