//! The event bus: local subscribers (the `/cable` hub, the dashboard-app bridge) hear every
//! committed event in log order. Writes put their events in the store's log (`events`) inside
//! their transaction; the relay here reads the log past the last id it handled and fans each
//! event out, woken by this instance's commits and, on PostgreSQL, by the `NOTIFY` each writing
//! transaction sends (from any instance). A relay that was asleep, lost its listener or lagged
//! simply reads on from its id, so nothing committed is skipped. Typing is not a write: it is
//! published directly (through `NOTIFY` on PostgreSQL), with no id.

use domain::{Event, UserId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use store::{PgListener, Store};
use tokio::sync::{broadcast, mpsc, Notify};

/// Messages a slow subscriber may fall behind by before it misses some (it then resyncs).
const CAPACITY: usize = 4096;
/// Events the relay reads from the log per query.
const RELAY_BATCH: i64 = 512;
/// How often the relay looks at the log when nothing woke it: the floor of delivery for what
/// another instance wrote on SQLite (no `NOTIFY` there) or a wake-up that was lost.
const RELAY_POLL: Duration = Duration::from_secs(1);

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
    /// Its id in the event log; `None` for what is not logged (typing).
    #[serde(default)]
    pub id: Option<i64>,
    pub event: Event,
    pub performer: Option<UserId>,
}

#[derive(Debug, Clone)]
pub struct EventBus {
    local: broadcast::Sender<BusMessage>,
    /// On PostgreSQL: unlogged events (typing) queue here for the notifier, and return
    /// through LISTEN.
    outbound: Option<mpsc::UnboundedSender<Published>>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    /// A bus for this process only, with no relay: it carries only what is published to it.
    pub fn new() -> Self {
        let (local, _) = broadcast::channel(CAPACITY);
        Self {
            local,
            outbound: None,
        }
    }

    /// The bus for `store` on one instance: a relay feeds it the log's events, woken by this
    /// instance's commits. Must run inside a Tokio runtime.
    pub fn relaying(store: &Store) -> Self {
        let bus = Self::new();
        tokio::spawn(relay(
            store.clone(),
            bus.local.clone(),
            Arc::new(Notify::new()),
        ));
        bus
    }

    /// The bus for `store`: [`EventBus::relaying`], and on PostgreSQL a listener too, so
    /// other instances' commits wake the relay and their typing reaches this one.
    pub async fn for_store(store: &Store) -> Result<Self, store::StoreError> {
        let Some(listener) = store.listener().await? else {
            return Ok(Self::relaying(store));
        };
        let (local, _) = broadcast::channel(CAPACITY);
        let (outbound, queue) = mpsc::unbounded_channel();
        let remote = Arc::new(Notify::new());
        tokio::spawn(relay(store.clone(), local.clone(), remote.clone()));
        tokio::spawn(notify_loop(store.clone(), queue));
        tokio::spawn(listen_loop(store.clone(), listener, local.clone(), remote));
        Ok(Self {
            local,
            outbound: Some(outbound),
        })
    }

    /// Publishes events that are not written to the log (typing), which no agent caused;
    /// having no subscriber is fine. Writes never come through here: the relay reads them
    /// from the log.
    pub fn publish(&self, events: Vec<Event>) {
        self.send(events, None);
    }

    /// Publishes unlogged events caused by `performer`'s request.
    pub fn publish_by(&self, performer: UserId, events: Vec<Event>) {
        self.send(events, Some(performer));
    }

    fn send(&self, events: Vec<Event>, performer: Option<UserId>) {
        for event in events {
            let event = Published {
                id: None,
                event,
                performer,
            };
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

/// Reads the log past the last event handled (from where the log stood when the store
/// migrated) and sends each event to local subscribers, in id order.
async fn relay(store: Store, local: broadcast::Sender<BusMessage>, remote: Arc<Notify>) {
    let mut appended = store.appended();
    let mut last = store.log_start();
    loop {
        match store.events().since(last, RELAY_BATCH).await {
            Ok(batch) => {
                let full = batch.len() as i64 == RELAY_BATCH;
                for logged in batch {
                    // Caches first: whoever hears the event and reads finds them up to date.
                    store.observe(&logged.event);
                    last = logged.id;
                    let _ = local.send(BusMessage::Event(Published {
                        id: Some(logged.id),
                        event: logged.event,
                        performer: logged.performer,
                    }));
                }
                if full {
                    continue;
                }
            }
            Err(error) => tracing::warn!(%error, last, "could not read the event log"),
        }
        tokio::select! {
            changed = appended.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            _ = remote.notified() => {}
            _ = tokio::time::sleep(RELAY_POLL) => {}
        }
    }
}

async fn notify_loop(store: Store, mut queue: mpsc::UnboundedReceiver<Published>) {
    while let Some(event) = queue.recv().await {
        let payload = serde_json::to_string(&event).expect("events always serialize");
        // A failed NOTIFY is retried briefly; typing is fleeting, nothing else comes here.
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

/// Hears other instances: an empty payload is a commit to the log (the relay reads it), any
/// other is an unlogged event to pass on. After a lost connection the relay reads on from its
/// id, and subscribers are still told to resync: a client that reloaded during the outage got
/// errors.
async fn listen_loop(
    store: Store,
    mut listener: PgListener,
    local: broadcast::Sender<BusMessage>,
    remote: Arc<Notify>,
) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) if notification.payload().is_empty() => remote.notify_one(),
            Ok(Some(notification)) => {
                match serde_json::from_str::<Published>(notification.payload()) {
                    Ok(event) => {
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
                remote.notify_one();
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
                remote.notify_one();
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
                id: None,
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
