//! The event bus: what the store reports after a commit is published here and fanned out to
//! every subscriber in this process (pages' live updates, `/cable`, webhooks).
#![forbid(unsafe_code)]

use domain::Event;
use tokio::sync::broadcast;

/// Events a slow subscriber may fall behind by before it misses some (it then resyncs).
const CAPACITY: usize = 4096;

#[derive(Debug, Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Event>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(CAPACITY);
        Self { sender }
    }

    /// Publishes committed events; having no subscriber is fine.
    pub fn publish(&self, events: Vec<Event>) {
        for event in events {
            let _ = self.sender.send(event);
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
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
        bus.publish(vec![event(1), event(2)]);
        assert_eq!(receiver.recv().await.unwrap(), event(1));
        assert_eq!(receiver.recv().await.unwrap(), event(2));
    }
}
