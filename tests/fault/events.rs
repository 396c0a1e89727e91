//! `kill -9` during a burst of writes while a webhook receiver (loopback) listens: after a
//! restart, every acknowledged message has its `message_created` delivered, recorded in log
//! order (delivery ids follow the order each writer wrote in). A delivery may come twice only with the same
//! `X-Switchboard-Delivery` id (the receiver can drop it); none is lost.

use crate::postgres;
use crate::server::{fresh_dir, Answer, Api, Switchboard};
use axum::http::HeaderMap;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WRITERS: usize = 8;
const ACKNOWLEDGED_BEFORE_KILL: usize = 120;

/// What the receiver heard: (delivery id, body), in arrival order.
type Heard = Arc<Mutex<Vec<(String, Value)>>>;

#[tokio::test]
async fn killing_the_server_mid_burst_loses_no_acknowledged_webhook_on_sqlite() {
    let dir = fresh_dir("events-sqlite");
    let url = format!("sqlite://{}", dir.join("switchboard.db").display());
    burst_kill_deliver(&url, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn killing_the_server_mid_burst_loses_no_acknowledged_webhook_on_postgres() {
    let Some(database) = postgres::FreshDatabase::create().await else {
        return;
    };
    let dir = fresh_dir("events-postgres");
    burst_kill_deliver(&database.url, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    database.drop_it().await;
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

async fn burst_kill_deliver(database_url: &str, dir: &std::path::Path) {
    let (hook, heard) = receiver().await;
    let server = Switchboard::start(database_url, dir);
    let api = Api::sign_in(&server.base).await;
    let subscribed = api
        .post(
            "webhooks",
            &json!({"webhook": {"url": hook, "subscriptions": ["message_created"]}}),
        )
        .await;
    subscribed.ok("subscribe a webhook");
    let display_id = api.conversation().await;
    let messages = format!("conversations/{display_id}/messages");

    // (writer, n, message id) of every answered creation.
    let acknowledged: Arc<Mutex<Vec<(usize, usize, i64)>>> = Arc::default();
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let (api, messages, acknowledged) = (api.clone(), messages.clone(), acknowledged.clone());
        writers.push(tokio::spawn(async move {
            for n in 0.. {
                let body =
                    json!({"content": format!("w{writer} n{n}"), "message_type": "outgoing"});
                match api.post(&messages, &body).await {
                    answer if answer.is_success() => {
                        let id = answer.ok("create a message")["id"]
                            .as_i64()
                            .expect("a message id");
                        acknowledged.lock().unwrap().push((writer, n, id));
                    }
                    Answer::NoAnswer(why) => return why,
                    other => panic!("a message creation failed before the kill: {other:?}"),
                }
            }
            unreachable!("the loop ends with the server")
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < ACKNOWLEDGED_BEFORE_KILL {
        assert!(
            Instant::now() < deadline,
            "the burst did not reach its size in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill_9();
    for writer in writers {
        writer.await.expect("a writer task");
    }
    let acknowledged = acknowledged.lock().unwrap().clone();

    let server = Switchboard::start(database_url, dir);
    let wanted: HashSet<i64> = acknowledged.iter().map(|(_, _, id)| *id).collect();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let got: HashSet<i64> = heard
            .lock()
            .unwrap()
            .iter()
            .filter_map(|(_, body)| body["id"].as_i64())
            .collect();
        let missing: Vec<&i64> = wanted.difference(&got).collect();
        if missing.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {} acknowledged messages never reached the webhook after kill -9 \
             (e.g. {:?}); log:\n{}",
            missing.len(),
            wanted.len(),
            &missing[..missing.len().min(10)],
            server.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let heard = heard.lock().unwrap().clone();
    // Duplicates only under one delivery id: one body per delivery id, one delivery per message.
    let mut by_delivery: HashMap<&str, i64> = HashMap::new();
    let mut deliveries_of: HashMap<i64, HashSet<&str>> = HashMap::new();
    for (delivery, body) in &heard {
        assert!(!delivery.is_empty(), "every delivery names its id");
        let id = body["id"].as_i64().expect("a message id in the body");
        assert_eq!(body["event"], "message_created");
        if let Some(before) = by_delivery.insert(delivery, id) {
            assert_eq!(before, id, "delivery {delivery} carried two messages");
        }
        deliveries_of.entry(id).or_default().insert(delivery);
    }
    for (id, deliveries) in &deliveries_of {
        assert_eq!(
            deliveries.len(),
            1,
            "message {id} was recorded twice: {deliveries:?}"
        );
    }
    // In order: deliveries are sent concurrently, so arrival order is not theirs, but their
    // ids follow the log, and in delivery-id order each writer's messages come as written.
    let mut ordered: Vec<(i64, i64)> = by_delivery
        .iter()
        .map(|(delivery, id)| (delivery.parse().expect("a numeric delivery id"), *id))
        .collect();
    ordered.sort();
    let first_seen: Vec<i64> = ordered.into_iter().map(|(_, id)| id).collect();
    let position: HashMap<i64, usize> = first_seen
        .iter()
        .enumerate()
        .map(|(at, id)| (*id, at))
        .collect();
    for writer in 0..WRITERS {
        let mut mine: Vec<(usize, i64)> = acknowledged
            .iter()
            .filter(|(w, _, _)| *w == writer)
            .map(|(_, n, id)| (*n, *id))
            .collect();
        mine.sort();
        let order: Vec<usize> = mine.iter().map(|(_, id)| position[id]).collect();
        assert!(
            order.windows(2).all(|pair| pair[0] < pair[1]),
            "writer {writer}'s messages arrived out of order"
        );
    }
    drop(server);
}
