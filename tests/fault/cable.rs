//! A `/cable` subscriber for the fault tests: `RoomChannel` with an agent's pubsub token,
//! optionally resuming after a `last_event_id`; its `message` payloads arrive on a channel,
//! stamped with when they came.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// The bound on each wait for a frame.
pub const WAIT: Duration = Duration::from_secs(45);

pub struct Subscriber {
    messages: mpsc::UnboundedReceiver<(Instant, Value)>,
    reader: JoinHandle<()>,
}

impl Subscriber {
    /// Subscribes on the server at `base` (`http://…`) and waits for the confirmation.
    pub async fn connect(base: &str, pubsub_token: &str) -> Subscriber {
        Self::resume(base, pubsub_token, None).await
    }

    /// As [`Subscriber::connect`], resuming after `last_event_id` when given (the server
    /// replays what was missed, or says `resync`).
    pub async fn resume(base: &str, pubsub_token: &str, last_event_id: Option<i64>) -> Subscriber {
        let url = format!("{}/cable", base.replacen("http://", "ws://", 1));
        let (mut socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("/cable accepts the socket");
        let mut identifier = json!({"channel": "RoomChannel", "pubsub_token": pubsub_token});
        if let Some(id) = last_event_id {
            identifier["last_event_id"] = json!(id);
        }
        let command =
            json!({"command": "subscribe", "identifier": identifier.to_string()}).to_string();
        socket
            .send(Message::Text(command.into()))
            .await
            .expect("subscribe");
        let (tx, messages) = mpsc::unbounded_channel();
        let (confirmed_tx, confirmed) = tokio::sync::oneshot::channel();
        let reader = tokio::spawn(async move {
            let mut confirmed_tx = Some(confirmed_tx);
            while let Some(Ok(frame)) = socket.next().await {
                let Message::Text(text) = frame else { continue };
                let value: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
                if value["type"] == "confirm_subscription" {
                    if let Some(tx) = confirmed_tx.take() {
                        let _ = tx.send(());
                    }
                }
                if value.get("message").is_some_and(Value::is_object) {
                    let _ = tx.send((Instant::now(), value["message"].clone()));
                }
            }
        });
        tokio::time::timeout(WAIT, confirmed)
            .await
            .expect("the subscription is confirmed in time")
            .expect("the socket stays open until confirmed");
        Subscriber { messages, reader }
    }

    /// Waits for a message (and the time it arrived) matching `wanted`; every message read is
    /// kept in `seen`, for the failure message.
    pub async fn until(
        &mut self,
        what: &str,
        seen: &mut Vec<(Instant, Value)>,
        wanted: impl Fn(Instant, &Value) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match tokio::time::timeout_at(deadline, self.messages.recv()).await {
                Ok(Some((at, message))) => {
                    let hit = wanted(at, &message);
                    seen.push((at, message));
                    if hit {
                        return;
                    }
                }
                Ok(None) => {
                    panic!("the /cable socket closed while waiting for {what}; saw {seen:?}")
                }
                Err(_) => panic!("no {what} on /cable within {WAIT:?}; saw {seen:?}"),
            }
        }
    }

    /// Drops the connection at once (no close frame, as a lost network does) and returns the
    /// messages it had received and not yet handed out, in order.
    pub async fn cut(mut self) -> Vec<Value> {
        self.reader.abort();
        // The reader is gone once this returns: nothing arrives after the drain.
        let _ = (&mut self.reader).await;
        let mut rest = Vec::new();
        while let Ok((_, message)) = self.messages.try_recv() {
            rest.push(message);
        }
        rest
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// Whether `message` is the `message.created` of a message with `content`.
pub fn is_message_with(content: &str) -> impl Fn(Instant, &Value) -> bool + '_ {
    move |_, m| m["event"] == "message.created" && m["data"]["content"] == content
}
