//! The event bus.

use domain::{Event, UserId};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use store::{PgListener, Store};
use tokio::sync::{broadcast, mpsc};

/// Messages a slow subscriber may fall behind by before it misses some (it then resyncs).
const CAPACITY: usize = 4096;

/// What subscribers receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusMessage {
    Event(Published),
    /// Events may have been missed (a lost database listener); reload what you show.
    Resync,
}

/// A committed event, with the agent whose request caused it: Chatwoot's `Current.user`, which
/// `/cable` sends as `performer`. `None` for the Client API (a contact acts) and for what the
/// server does by itself (a snooze ending).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    pub event: Event,
    pub performer: Option<UserId>,
}

#[derive(Debug, Clone)]
pub struct EventBus {
    local: broadcast::Sender<BusMessage>,
    /// On PostgreSQL: events queue here for the notifier, and return through LISTEN.
    outbound: Option<mpsc::UnboundedSender<Published>>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    /// A bus for this process only.
    pub fn new() -> Self {
        let (local, _) = broadcast::channel(CAPACITY);
        Self {
            local,
            outbound: None,
        }
    }

    /// The bus for `store`: in-process on SQLite; across instances on PostgreSQL, where it
    /// starts a notifier (one task, so events keep their order) and a listener.
    pub async fn for_store(store: &Store) -> Result<Self, store::StoreError> {
        let Some(listener) = store.listener().await? else {
            return Ok(Self::new());
        };
        let (local, _) = broadcast::channel(CAPACITY);
        let (outbound, queue) = mpsc::unbounded_channel();
        tokio::spawn(notify_loop(store.clone(), queue));
        tokio::spawn(listen_loop(store.clone(), listener, local.clone()));
        Ok(Self {
            local,
            outbound: Some(outbound),
        })
    }

    /// Publishes committed events no agent caused (see [`Published::performer`]); having no
    /// subscriber is fine.
    pub fn publish(&self, events: Vec<Event>) {
        self.send(events, None);
    }

    /// Publishes committed events caused by `performer`'s request.
    pub fn publish_by(&self, performer: UserId, events: Vec<Event>) {
        self.send(events, Some(performer));
    }

    fn send(&self, events: Vec<Event>, performer: Option<UserId>) {
        for event in events {
            let event = Published { event, performer };
            match &self.outbound {
                Some(queue) => {
                    let _ = queue.send(event);
                }
                None => {
                    let _ = self.local.send(BusMessage::Event(event));
                }
            }
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<BusMessage> {
        self.local.subscribe()
    }
}

async fn notify_loop(store: Store, mut queue: mpsc::UnboundedReceiver<Published>) {
    while let Some(event) = queue.recv().await {
        let payload = serde_json::to_string(&event).expect("events always serialize");
        // A failed NOTIFY is retried briefly; listeners resync after their own reconnects.
        for attempt in 0..5u64 {
            match store.notify(&payload).await {
                Ok(()) => break,
                Err(error) => {
                    tracing::warn!(%error, attempt, "NOTIFY failed");
                    tokio::time::sleep(Duration::from_millis(200 * (attempt + 1))).await;
                }
            }
        }
    }
}

async fn listen_loop(store: Store, mut listener: PgListener, local: broadcast::Sender<BusMessage>) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                match serde_json::from_str::<Published>(notification.payload()) {
                    Ok(event) => {
                        // Caches first: whoever hears the event and reads finds them up to date.
                        store.observe(&event.event);
                        let _ = local.send(BusMessage::Event(event));
                    }
                    Err(error) => {
                        tracing::warn!(%error, "ignoring an unreadable event notification")
                    }
                }
            }
            // The connection dropped and sqlx re-established it at once: anything in between
            // is lost.
            Ok(None) => {
                store.forget_caches();
                let _ = local.send(BusMessage::Resync);
            }
            // The connection is gone and the database does not answer (restarting, say).
            // Subscribers hear it now, and again once events flow: a client that reloaded
            // during the outage got errors, and must reload what it shows when the database is
            // back, not at the next event, which may be long in coming.
            Err(error) => {
                tracing::warn!(%error, "event listener lost its connection; reconnecting");
                let _ = local.send(BusMessage::Resync);
                let Some(fresh) = reconnect(&store).await else {
                    return;
                };
                listener = fresh;
                tracing::info!("event listener reconnected");
                store.forget_caches();
                let _ = local.send(BusMessage::Resync);
            }
        }
    }
}

/// A new listener, retried with backoff (up to 5 s apart) until the database answers; `None`
/// only on a store without one (SQLite), which never reaches here.
async fn reconnect(store: &Store) -> Option<PgListener> {
    let mut delay = Duration::from_millis(250);
    loop {
        match store.listener().await {
            Ok(listener) => return listener,
            Err(error) => {
                tracing::debug!(%error, "event listener: database still unreachable");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{AccountId, ContactId};

    #[tokio::test]
    async fn subscribers_receive_published_events_in_order() {
        let bus = EventBus::new();
        let mut receiver = bus.subscribe();
        let event = |id| Event::ContactUpdated {
            account_id: AccountId(1),
            contact_id: ContactId(id),
        };
        bus.publish(vec![event(1)]);
        bus.publish_by(UserId(7), vec![event(2)]);
        let published = |id, performer| {
            BusMessage::Event(Published {
                event: event(id),
                performer,
            })
        };
        assert_eq!(receiver.recv().await.unwrap(), published(1, None));
        assert_eq!(
            receiver.recv().await.unwrap(),
            published(2, Some(UserId(7)))
        );
    }
}
