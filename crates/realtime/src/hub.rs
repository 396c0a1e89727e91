//! Renders each event once into Chatwoot's `/cable` message `{"event", "data"}`, for every
//! socket of the account to send as is.

use crate::{BusMessage, EventBus};
use domain::{wire, AccountId, Event};
use serde::Serialize;
use std::sync::Arc;
use store::Store;
use tokio::sync::broadcast;

/// One rendered event (or a resync order), shared by every socket.
#[derive(Debug)]
pub struct Rendered {
    /// `None` concerns every account (a resync).
    pub account_id: Option<AccountId>,
    pub event: &'static str,
    /// `{"event": "...", "data": {...}}` as JSON text.
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Hub {
    sender: broadcast::Sender<Arc<Rendered>>,
}

impl Hub {
    /// Starts rendering `bus`'s events.
    pub fn spawn(store: Store, bus: &EventBus) -> Hub {
        let (sender, _) = broadcast::channel(4096);
        let mut events = bus.subscribe();
        let out = sender.clone();
        tokio::spawn(async move {
            loop {
                let message = match events.recv().await {
                    Ok(message) => message,
                    Err(broadcast::error::RecvError::Lagged(_)) => BusMessage::Resync,
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                let rendered = match message {
                    BusMessage::Event(event) => match render(&store, &event).await {
                        Ok(Some(rendered)) => rendered,
                        Ok(None) => continue,
                        Err(error) => {
                            tracing::warn!(%error, event = event.name(), "could not render an event");
                            continue;
                        }
                    },
                    BusMessage::Resync => Rendered {
                        account_id: None,
                        event: "resync",
                        message: r#"{"event":"resync","data":{}}"#.to_owned(),
                    },
                };
                let _ = out.send(Arc::new(rendered));
            }
        });
        Hub { sender }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Rendered>> {
        self.sender.subscribe()
    }
}

#[derive(Serialize)]
struct Message<'a, T> {
    event: &'a str,
    data: T,
}

/// Chatwoot's `message.created` data: the message and a summary of its conversation.
#[derive(Serialize)]
struct MessageData {
    #[serde(flatten)]
    message: wire::Message,
    conversation: ConversationSummary,
}

/// Chatwoot's `conversation.typing_on` / `typing_off` data.
#[derive(Serialize)]
struct TypingData {
    conversation: wire::Conversation,
    user: wire::MessageSender,
    is_private: bool,
}

#[derive(Serialize)]
struct ConversationSummary {
    id: i64,
    status: &'static str,
    assignee_id: Option<i64>,
    unread_count: i64,
    last_activity_at: i64,
}

async fn render(store: &Store, event: &Event) -> Result<Option<Rendered>, store::StoreError> {
    let name = event.name();
    let account_id = Some(event.account_id());
    let message = match event {
        Event::MessageCreated {
            conversation_id,
            message_id,
            ..
        }
        | Event::MessageUpdated {
            conversation_id,
            message_id,
            ..
        } => {
            let view = store
                .conversations()
                .summary_by_id(*conversation_id)
                .await?;
            let message = store.messages().find(*message_id, &view.contact).await?;
            let c = &view.conversation;
            to_json(
                name,
                MessageData {
                    message: wire::Message::new(&message, c.display_id),
                    conversation: ConversationSummary {
                        id: c.display_id.get(),
                        status: c.status.as_str(),
                        assignee_id: c.assignee_id.map(|a| a.get()),
                        unread_count: view.unread_count,
                        last_activity_at: c.last_activity_at,
                    },
                },
            )
        }
        Event::ConversationCreated {
            conversation_id, ..
        }
        | Event::ConversationStatusChanged {
            conversation_id, ..
        }
        | Event::ConversationUpdated {
            conversation_id, ..
        }
        | Event::ConversationRead {
            conversation_id, ..
        }
        | Event::AssigneeChanged {
            conversation_id, ..
        }
        | Event::TeamChanged {
            conversation_id, ..
        }
        | Event::ConversationContactChanged {
            conversation_id, ..
        } => {
            let view = store
                .conversations()
                .summary_by_id(*conversation_id)
                .await?;
            to_json(name, wire::Conversation::from(&view))
        }
        Event::Typing {
            conversation_id,
            user_id,
            is_private,
            ..
        } => {
            let view = store
                .conversations()
                .summary_by_id(*conversation_id)
                .await?;
            let user = store.users().find(*user_id).await?;
            to_json(
                name,
                TypingData {
                    conversation: wire::Conversation::from(&view),
                    user: wire::MessageSender::user(&user),
                    is_private: *is_private,
                },
            )
        }
        Event::ContactUpdated {
            account_id,
            contact_id,
        } => {
            let contact = store.contacts().find(*account_id, *contact_id).await?;
            to_json(name, wire::Contact::from(&contact))
        }
    };
    Ok(Some(Rendered {
        account_id,
        event: name,
        message,
    }))
}

fn to_json<T: Serialize>(event: &str, data: T) -> String {
    serde_json::to_string(&Message { event, data }).expect("wire bodies always serialize")
}
