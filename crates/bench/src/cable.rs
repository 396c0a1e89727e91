//! `/cable` delivery: N sockets subscribed as one user; messages posted one at a time through
//! `POST …/messages`; per message, the time from sending the POST to the first socket and to the
//! last of the N receiving `message.created`.

use crate::client::{Call, Connection};
use crate::load::Latencies;
use crate::BenchError;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
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
    tally: Arc<Tally>,
}

/// What every socket received, counted as it came.
#[derive(Debug, Default)]
pub struct Tally {
    /// `message.created` frames, probes or not.
    pub created: AtomicUsize,
    /// `resync` frames: events the server could not deliver.
    pub resyncs: AtomicUsize,
    /// When the latest `message.created` frame arrived.
    pub last_created: std::sync::Mutex<Option<Instant>>,
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
        let tally = Arc::new(Tally::default());
        let mut readers = Vec::with_capacity(count);
        for index in 0..count {
            readers
                .push(open_socket(addr, pubsub_token, index, sender.clone(), tally.clone()).await?);
        }
        Ok(Self {
            readers,
            arrivals,
            count,
            tally,
        })
    }

    pub fn count(&self) -> usize {
        self.count
    }

    /// What the sockets received so far.
    pub fn tally(&self) -> &Tally {
        &self.tally
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

/// How the sockets fared under a load that created `posted` messages.
#[derive(Debug, Clone, Copy)]
pub struct Settled {
    pub resyncs: usize,
    /// `message.created` frames that did not come within [`DELIVERY_LIMIT`].
    pub missed: usize,
    /// From `last_answer` to the last frame (zero when everything had come before).
    pub drain: Duration,
}

impl Sockets {
    /// Waits until every socket got each of `posted` messages (all created since the sockets
    /// opened), or [`DELIVERY_LIMIT`] passed, and tells how they fared.
    pub async fn settle(&mut self, posted: usize, last_answer: Instant) -> Settled {
        let expected = posted * self.count;
        let deadline = last_answer + DELIVERY_LIMIT;
        while self.tally.created.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Probe frames are not expected here; drop whatever was queued for them.
        while self.arrivals.try_recv().is_ok() {}
        let created = self.tally.created.load(Ordering::Relaxed);
        let last = *self.tally.last_created.lock().expect("never poisoned");
        Settled {
            resyncs: self.tally.resyncs.load(Ordering::Relaxed),
            missed: expected.saturating_sub(created),
            drain: last.map_or(Duration::ZERO, |at| {
                at.saturating_duration_since(last_answer)
            }),
        }
    }
}

async fn open_socket(
    addr: SocketAddr,
    pubsub: &str,
    index: usize,
    arrivals: mpsc::UnboundedSender<(String, Instant)>,
    tally: Arc<Tally>,
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
            if text.as_str().contains("\"event\":\"resync\"") {
                tally.resyncs.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            // Only message.created frames are parsed: 1,000 sockets share the server's cores.
            if !text.as_str().contains("message.created") {
                continue;
            }
            tally.created.fetch_add(1, Ordering::Relaxed);
            *tally.last_created.lock().expect("never poisoned") = Some(at);
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
