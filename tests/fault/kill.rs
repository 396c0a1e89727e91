//! `kill -9` during a burst of message creation: every message whose creation was answered 2xx
//! is there after a restart, with its content.

use crate::postgres;
use crate::server::{fresh_dir, Answer, Api, Switchboard};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Concurrent writers (more than the server's cores, so requests queue inside it).
const WRITERS: usize = 12;
/// Acknowledged messages to wait for before the kill: enough that the kill lands mid-burst.
const ACKNOWLEDGED_BEFORE_KILL: usize = 150;

#[tokio::test]
async fn killing_the_server_mid_burst_loses_no_acknowledged_message_on_sqlite() {
    let dir = fresh_dir("kill-sqlite");
    let url = format!("sqlite://{}", dir.join("switchboard.db").display());
    burst_kill_restart(&url, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn killing_the_server_mid_burst_loses_no_acknowledged_message_on_postgres() {
    let Some(database) = postgres::FreshDatabase::create().await else {
        return;
    };
    let dir = fresh_dir("kill-postgres");
    burst_kill_restart(&database.url, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    database.drop_it().await;
}

async fn burst_kill_restart(database_url: &str, dir: &std::path::Path) {
    let server = Switchboard::start(database_url, dir);
    let api = Api::sign_in(&server.base).await;
    let display_id = api.conversation().await;
    let messages = format!("conversations/{display_id}/messages");

    // Each writer posts until a request gets no answer; what was answered 2xx is written down
    // with the id the server gave it.
    let acknowledged: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let (api, messages, acknowledged) = (api.clone(), messages.clone(), acknowledged.clone());
        writers.push(tokio::spawn(async move {
            for n in 0.. {
                let content = format!("burst w{writer} n{n} ✓");
                let body = json!({"content": content, "message_type": "outgoing"});
                match api.post(&messages, &body).await {
                    answer if answer.is_success() => {
                        let message = answer.ok("create a message");
                        let id = message["id"].as_i64().expect("a message id");
                        assert_eq!(message["content"], content);
                        acknowledged.lock().unwrap().push((id, content));
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
            "the burst did not reach {ACKNOWLEDGED_BEFORE_KILL} messages in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill_9();
    // Every writer had a request in flight, or sent one right after: each ends on no answer.
    for writer in writers {
        let why = writer.await.expect("a writer task");
        assert!(!why.is_empty());
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= ACKNOWLEDGED_BEFORE_KILL);

    let server = Switchboard::start(database_url, dir);
    let api = Api::sign_in(&server.base).await;
    let stored: std::collections::HashMap<i64, String> =
        api.all_messages(display_id).await.into_iter().collect();
    let lost: Vec<&(i64, String)> = acknowledged
        .iter()
        .filter(|(id, content)| stored.get(id) != Some(content))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged messages are missing or changed after kill -9: {:?}",
        lost.len(),
        acknowledged.len(),
        &lost[..lost.len().min(10)]
    );
    // Requests in flight at the kill may or may not have committed; nothing else appeared.
    let burst_messages = stored.values().filter(|c| c.starts_with("burst ")).count();
    assert!(
        burst_messages >= acknowledged.len() && burst_messages <= acknowledged.len() + WRITERS,
        "{burst_messages} stored for {} acknowledged",
        acknowledged.len()
    );
}
