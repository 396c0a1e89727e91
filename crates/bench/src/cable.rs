//! `/cable` delivery: N sockets subscribed as one user; messages posted one at a time through
//! `POST …/messages`; per message, the time from sending the POST to the first socket and to the
//! last of the N receiving `message.created`.

use crate::client::{Call, Connection};
use crate::load::Latencies;
use crate::BenchError;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// How long a posted message may take to reach every socket before the run fails.
const DELIVERY_LIMIT: Duration = Duration::from_secs(10);
/// A pause between messages, so each measures delivery rather than a queue behind the last.
const GAP: Duration = Duration::from_millis(20);
/// Probe messages start with this; sockets pass on nothing else (the soak's load posts
/// other messages, which would otherwise pile up unread).
const PROBE: &str = "bench-";

/// Delivery latencies of one run.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub first: Latencies,
    pub all: Latencies,
}

/// Open, subscribed sockets; their reader tasks end when this is dropped.
pub struct Sockets {
    readers: Vec<JoinHandle<()>>,
    arrivals: mpsc::UnboundedReceiver<(String, Instant)>,
    count: usize,
}

impl Drop for Sockets {
    fn drop(&mut self) {
        for reader in &self.readers {
            reader.abort();
        }
    }
}

impl Sockets {
    /// Opens `count` sockets to `addr` and subscribes each with `pubsub_token`.
    pub async fn open(
        addr: SocketAddr,
        pubsub_token: &str,
        count: usize,
    ) -> Result<Self, BenchError> {
        let (sender, arrivals) = mpsc::unbounded_channel();
        let mut readers = Vec::with_capacity(count);
        for index in 0..count {
            readers.push(open_socket(addr, pubsub_token, index, sender.clone()).await?);
        }
        Ok(Self {
            readers,
            arrivals,
            count,
        })
    }

    /// Posts `messages` private notes to `conversation_path` (`…/conversations/{id}/messages`)
    /// through `post`, waiting after each for every socket to receive it.
    pub async fn delivery(
        &mut self,
        post: &mut Connection,
        conversation_path: &str,
        messages: usize,
    ) -> Result<Delivery, BenchError> {
        let mut first = Vec::with_capacity(messages);
        let mut all = Vec::with_capacity(messages);
        let run = std::process::id();
        // Anything still queued from an earlier run is not this run's.
        while self.arrivals.try_recv().is_ok() {}
        // Message 0 is not counted: it finds every socket's path cold.
        for n in 0..=messages {
            let content = format!("{PROBE}{run}-{n}");
            let started = Instant::now();
            post.send(&Call::post(
                conversation_path,
                &json!({"content": content, "private": true}),
            ))
            .await?;
            let mut seen = 0;
            let mut first_at = None;
            while seen < self.count {
                let (text, at) = tokio::time::timeout(DELIVERY_LIMIT, self.arrivals.recv())
                    .await
                    .map_err(|_| {
                        BenchError::Timeout(format!(
                            "message {n} reached {seen} of {} sockets within {DELIVERY_LIMIT:?}",
                            self.count
                        ))
                    })?
                    .ok_or_else(|| BenchError::Protocol("every socket closed".into()))?;
                if text == content {
                    seen += 1;
                    first_at.get_or_insert(at);
                }
                if seen == self.count && n > 0 {
                    all.push(at.duration_since(started));
                }
            }
            if let Some(at) = first_at.filter(|_| n > 0) {
                first.push(at.duration_since(started));
            }
            tokio::time::sleep(GAP).await;
        }
        Ok(Delivery {
            first: Latencies::new(first),
            all: Latencies::new(all),
        })
    }
}

async fn open_socket(
    addr: SocketAddr,
    pubsub: &str,
    index: usize,
    arrivals: mpsc::UnboundedSender<(String, Instant)>,
) -> Result<JoinHandle<()>, BenchError> {
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/cable")).await?;
    let identifier = json!({"channel": "RoomChannel", "pubsub_token": pubsub}).to_string();
    let command = json!({"command": "subscribe", "identifier": identifier}).to_string();
    socket.send(Message::Text(command.into())).await?;
    loop {
        let Some(frame) = socket.next().await else {
            return Err(BenchError::Protocol(format!(
                "socket {index} closed while subscribing"
            )));
        };
        if let Message::Text(text) = frame? {
            let value: Value = serde_json::from_str(text.as_str())?;
            match value["type"].as_str() {
                Some("confirm_subscription") => break,
                Some("reject_subscription") => {
                    return Err(BenchError::Protocol("subscription rejected".into()))
                }
                _ => {}
            }
        }
    }
    Ok(tokio::spawn(async move {
        while let Some(Ok(frame)) = socket.next().await {
            let Message::Text(text) = frame else { continue };
            let at = Instant::now();
            // Only message.created frames are parsed: 1,000 sockets share the server's cores.
            if !text.as_str().contains("message.created") {
                continue;
            }
            let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else {
                continue;
            };
            if value["message"]["event"] != "message.created" {
                continue;
            }
            let content = value["message"]["data"]["content"]
                .as_str()
                .unwrap_or_default();
            if content.starts_with(PROBE) && arrivals.send((content.to_owned(), at)).is_err() {
                break;
            }
        }
    }))
}
