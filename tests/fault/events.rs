//! `kill -9` at random points during bursts of writes on instance A, while a webhook receiver
//! (loopback) and `/cable` sockets on a second instance B, on the same database, listen. After
//! the restarts:
//! - every acknowledged message has its `message_created` webhook, recorded in log order
//!   (delivery ids follow the order each writer wrote in); a delivery may come twice only with
//!   the same `X-Switchboard-Delivery` id (the receiver can drop it), and none is lost;
//! - a socket on B that stayed open heard the log's `message.created` events exactly, each
//!   once, in log order (`event_id`), including those of requests in flight at the kill that
//!   committed;
//! - a socket on B cut during each burst and reconnected with its `last_event_id` (during the
//!   burst, or while A is down) heard, across its connections, exactly the same.
//!
//! The kill points are drawn from a seeded RNG; the seed is printed first (shown when the test
//! fails), and `FAULT_SEED=<seed>` repeats a run.

use crate::cable::{is_message_with, Subscriber};
use crate::server::{Acknowledged, Api, Burst, Switchboard, TestDatabase};
use axum::http::HeaderMap;
use domain::Event;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::Store;

const WRITERS: usize = 8;
/// Bursts, each ended by a `kill -9` of A and a restart.
const ROUNDS: usize = 2;
/// Where a kill may land: after this many acknowledged messages of its burst, then up to
/// [`MAX_PAUSE_MS`] later, so it falls anywhere between two answers.
const KILL_AFTER: std::ops::RangeInclusive<usize> = 40..=120;
const MAX_PAUSE_MS: u64 = 20;

/// What the receiver heard: (delivery id, body), in arrival order.
type Heard = Arc<Mutex<Vec<(String, Value)>>>;

#[tokio::test]
async fn killing_the_server_mid_burst_loses_no_acknowledged_event_on_sqlite() {
    let database = TestDatabase::sqlite("events");
    burst_kill_deliver(&database).await;
    database.finish().await;
}

#[tokio::test]
async fn killing_the_server_mid_burst_loses_no_acknowledged_event_on_postgres() {
    let Some(database) = TestDatabase::postgres("events").await else {
        return;
    };
    burst_kill_deliver(&database).await;
    database.finish().await;
}

#[test]
fn a_webhook_lease_within_the_request_timeout_is_refused_at_start() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["--addr", "127.0.0.1:0", "--no-demo"])
        .env("DATABASE_URL", "sqlite::memory:")
        .env("SWITCHBOARD_WEBHOOK_LEASE", "10")
        .output()
        .expect("the binary runs");
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("--webhook-lease"), "{said}");
}

/// This run's seed: `FAULT_SEED` when set, else a fresh one.
fn seed() -> u64 {
    std::env::var("FAULT_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or_else(rand::random)
}

/// A loopback receiver that answers 200 to every POST and writes down what it got.
async fn receiver() -> (String, Heard) {
    let heard: Heard = Arc::default();
    let sink = heard.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let sink = sink.clone();
            async move {
                let delivery = headers
                    .get("X-Switchboard-Delivery")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let body: Value = serde_json::from_str(&body).expect("a JSON body");
                sink.lock().unwrap().push((delivery, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, heard)
}

async fn burst_kill_deliver(database: &TestDatabase) {
    let seed = seed();
    eprintln!("FAULT_SEED={seed} repeats this run");
    let mut rng = StdRng::seed_from_u64(seed);
    let (hook, heard) = receiver().await;
    let mut a = database.start();
    let mut api = Api::sign_in(&a.base).await;
    api.post(
        "webhooks",
        &json!({"webhook": {"url": hook, "subscriptions": ["message_created"]}}),
    )
    .await
    .ok("subscribe a webhook");
    let display_id = api.conversation().await;
    let messages = format!("conversations/{display_id}/messages");

    // B listens through every kill; the log is read directly, as the truth to compare with.
    let b = database.start();
    let log = Store::connect(&database.url).await.expect("the database");
    let start = log.events().last_id().await.expect("the event log");
    let mut steady = Listener::connect(&b.base, &api.pubsub_token).await;
    let mut flaky = Listener::connect(&b.base, &api.pubsub_token).await;

    // (round, acknowledged creation) of the bursts, and the ids of the round markers.
    let mut acknowledged: Vec<(usize, Acknowledged)> = Vec::new();
    let mut markers: Vec<i64> = Vec::new();
    for round in 0..ROUNDS {
        // Each round opens with a message both sockets hear: the flaky one then has an event
        // id to resume from, and B is shown to hear the restarted A.
        let marker = format!("round {round} begins");
        markers.push(post(&api, &messages, &marker).await);
        steady.until_message(&marker).await;
        flaky.until_message(&marker).await;

        let kill_at = rng.gen_range(KILL_AFTER);
        let cut_at = rng.gen_range(1..kill_at);
        // Past `kill_at`: the flaky socket reconnects while A is down.
        let reconnect_at = rng.gen_range(cut_at..kill_at + kill_at / 2);
        let pause = Duration::from_millis(rng.gen_range(0..=MAX_PAUSE_MS));
        eprintln!(
            "round {round}: cut the socket after {cut_at}, reconnect after {reconnect_at}, \
             kill A after {kill_at} acknowledged and {pause:?}"
        );
        let burst = Burst::start(&api, display_id, WRITERS, &format!("r{round}"));
        burst.reach(cut_at).await;
        flaky.cut().await;
        if reconnect_at < kill_at {
            burst.reach(reconnect_at).await;
            flaky.reconnect().await;
        }
        burst.reach(kill_at).await;
        tokio::time::sleep(pause).await;
        a.kill_9();
        acknowledged.extend(burst.end().await.into_iter().map(|ack| (round, ack)));
        if !flaky.is_connected() {
            flaky.reconnect().await;
        }
        a = database.start();
        api = api.at(&a.base);
    }
    let last = "after the last restart";
    markers.push(post(&api, &messages, last).await);
    // Events reach sockets in log order: once the last is heard, all before it were.
    steady.until_message(last).await;
    flaky.until_message(last).await;

    let logged = logged_messages(&log, start).await;
    let wanted: Vec<i64> = acknowledged
        .iter()
        .map(|(_, ack)| ack.id)
        .chain(markers.iter().copied())
        .collect();
    // Each acknowledged message has exactly its one event in the log…
    let mut in_log: HashMap<i64, usize> = HashMap::new();
    for (_, message_id) in &logged {
        *in_log.entry(*message_id).or_default() += 1;
    }
    for id in &wanted {
        assert_eq!(
            in_log.get(id),
            Some(&1),
            "FAULT_SEED={seed}: acknowledged message {id} has not exactly one message.created \
             in the log"
        );
    }
    // …and each socket heard the log exactly.
    steady.check("the socket that stayed open", &logged, seed);
    flaky.check("the socket cut and resumed", &logged, seed);

    let heard = webhooks_for(&heard, &wanted, &a, seed).await;
    check_webhooks(&heard, &acknowledged, seed);
    drop((a, b));
    log.close().await;
}

/// Creates a message with `content`; returns its id.
async fn post(api: &Api, messages: &str, content: &str) -> i64 {
    api.post(messages, &json!({"content": content}))
        .await
        .ok("create a message")["id"]
        .as_i64()
        .expect("a message id")
}

/// The log's `message.created` events after id `after`, as (event id, message id) in log order.
async fn logged_messages(log: &Store, mut after: i64) -> Vec<(i64, i64)> {
    let mut logged = Vec::new();
    loop {
        let batch = log.events().since(after, 512).await.expect("the event log");
        let Some(newest) = batch.last() else {
            return logged;
        };
        after = newest.id;
        logged.extend(batch.into_iter().filter_map(|logged| match logged.event {
            Event::MessageCreated { message_id, .. } => Some((logged.id, message_id.get())),
            _ => None,
        }));
    }
}

/// A `/cable` socket on B and what it heard, one segment per connection.
struct Listener {
    base: String,
    pubsub_token: String,
    socket: Option<Subscriber>,
    segments: Vec<Segment>,
}

struct Segment {
    /// The `last_event_id` this connection resumed after (`None`: the first).
    resumed_after: Option<i64>,
    heard: Vec<(Instant, Value)>,
}

impl Listener {
    async fn connect(base: &str, pubsub_token: &str) -> Listener {
        Listener {
            base: base.to_owned(),
            pubsub_token: pubsub_token.to_owned(),
            socket: Some(Subscriber::connect(base, pubsub_token).await),
            segments: vec![Segment {
                resumed_after: None,
                heard: Vec::new(),
            }],
        }
    }

    fn is_connected(&self) -> bool {
        self.socket.is_some()
    }

    /// Waits until it hears the `message.created` of the message with `content`.
    async fn until_message(&mut self, content: &str) {
        let socket = self.socket.as_mut().expect("a connected socket");
        let segment = self.segments.last_mut().expect("a segment");
        socket
            .until(
                &format!("the message {content:?}"),
                &mut segment.heard,
                is_message_with(content),
            )
            .await;
    }

    /// Drops the connection, keeping what it had received.
    async fn cut(&mut self) {
        let socket = self.socket.take().expect("a connected socket");
        let rest = socket.cut().await;
        let now = Instant::now();
        let segment = self.segments.last_mut().expect("a segment");
        segment.heard.extend(rest.into_iter().map(|m| (now, m)));
    }

    /// Connects again, resuming after the last event id heard.
    async fn reconnect(&mut self) {
        let last_event_id = self
            .segments
            .iter()
            .flat_map(|segment| &segment.heard)
            .filter_map(|(_, m)| m["event_id"].as_i64())
            .max();
        assert!(
            last_event_id.is_some(),
            "the socket heard an event before it was cut"
        );
        self.socket = Some(Subscriber::resume(&self.base, &self.pubsub_token, last_event_id).await);
        self.segments.push(Segment {
            resumed_after: last_event_id,
            heard: Vec::new(),
        });
    }

    /// Every connection: no resync, event ids rising, none at or before the id it resumed
    /// after; together: the `message.created` events of `logged`, each once, in order.
    fn check(&self, what: &str, logged: &[(i64, i64)], seed: u64) {
        let mut created = Vec::new();
        for (n, segment) in self.segments.iter().enumerate() {
            let mut previous = segment.resumed_after.unwrap_or(i64::MIN);
            for (_, message) in &segment.heard {
                assert_ne!(
                    message["event"], "resync",
                    "FAULT_SEED={seed}: {what} was told to resync on connection {n}"
                );
                let Some(event_id) = message["event_id"].as_i64() else {
                    continue;
                };
                assert!(
                    event_id > previous,
                    "FAULT_SEED={seed}: {what} heard event {event_id} after {previous} on \
                     connection {n} (resumed after {:?})",
                    segment.resumed_after
                );
                previous = event_id;
                if message["event"] == "message.created" {
                    let id = message["data"]["id"].as_i64().expect("a message id");
                    created.push((event_id, id));
                }
            }
        }
        if created != logged {
            let heard: HashSet<&(i64, i64)> = created.iter().collect();
            let log: HashSet<&(i64, i64)> = logged.iter().collect();
            let mut missed: Vec<_> = log.difference(&heard).collect();
            let mut extra: Vec<_> = heard.difference(&log).collect();
            missed.sort();
            extra.sort();
            panic!(
                "FAULT_SEED={seed}: {what} heard {} message.created for the log's {}; \
                 missed (event id, message id) {missed:?}; not in the log {extra:?}; \
                 connections resumed after {:?}",
                created.len(),
                logged.len(),
                self.segments
                    .iter()
                    .map(|s| s.resumed_after)
                    .collect::<Vec<_>>()
            );
        }
    }
}

/// Waits until the receiver heard a delivery of each message of `wanted`; returns all it heard.
async fn webhooks_for(
    heard: &Heard,
    wanted: &[i64],
    server: &Switchboard,
    seed: u64,
) -> Vec<(String, Value)> {
    let wanted: HashSet<i64> = wanted.iter().copied().collect();
    // A delivery claimed by the killed A is sent once its lease (12 s here) runs out.
    let deadline = Instant::now() + Duration::from_secs(45);
    loop {
        let got: HashSet<i64> = heard
            .lock()
            .unwrap()
            .iter()
            .filter_map(|(_, body)| body["id"].as_i64())
            .collect();
        let missing: Vec<&i64> = wanted.difference(&got).collect();
        if missing.is_empty() {
            return heard.lock().unwrap().clone();
        }
        assert!(
            Instant::now() < deadline,
            "FAULT_SEED={seed}: {} of {} acknowledged messages never reached the webhook after \
             kill -9 (e.g. {:?}); log:\n{}",
            missing.len(),
            wanted.len(),
            &missing[..missing.len().min(10)],
            server.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Duplicates only under one delivery id, and each writer's messages in delivery-id order as
/// written.
fn check_webhooks(heard: &[(String, Value)], acknowledged: &[(usize, Acknowledged)], seed: u64) {
    // One body per delivery id, one delivery per message.
    let mut by_delivery: HashMap<&str, i64> = HashMap::new();
    let mut deliveries_of: HashMap<i64, HashSet<&str>> = HashMap::new();
    for (delivery, body) in heard {
        assert!(!delivery.is_empty(), "every delivery names its id");
        let id = body["id"].as_i64().expect("a message id in the body");
        assert_eq!(body["event"], "message_created");
        if let Some(before) = by_delivery.insert(delivery, id) {
            assert_eq!(
                before, id,
                "FAULT_SEED={seed}: delivery {delivery} carried two messages"
            );
        }
        deliveries_of.entry(id).or_default().insert(delivery);
    }
    for (id, deliveries) in &deliveries_of {
        assert_eq!(
            deliveries.len(),
            1,
            "FAULT_SEED={seed}: message {id} was recorded twice: {deliveries:?}"
        );
    }
    // In order: deliveries are sent concurrently, so arrival order is not theirs, but their
    // ids follow the log, and in delivery-id order each writer's messages come as written.
    let mut ordered: Vec<(i64, i64)> = by_delivery
        .iter()
        .map(|(delivery, id)| (delivery.parse().expect("a numeric delivery id"), *id))
        .collect();
    ordered.sort();
    let position: HashMap<i64, usize> = ordered
        .iter()
        .enumerate()
        .map(|(at, (_, id))| (*id, at))
        .collect();
    for writer in 0..WRITERS {
        let mut mine: Vec<(usize, usize, i64)> = acknowledged
            .iter()
            .filter(|(_, ack)| ack.writer == writer)
            .map(|(round, ack)| (*round, ack.n, ack.id))
            .collect();
        mine.sort();
        let order: Vec<usize> = mine.iter().map(|(_, _, id)| position[id]).collect();
        assert!(
            order.windows(2).all(|pair| pair[0] < pair[1]),
            "FAULT_SEED={seed}: writer {writer}'s messages arrived out of order"
        );
    }
}
