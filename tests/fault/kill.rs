//! `kill -9` during a burst of message creation: every message whose creation was answered 2xx
//! is there after a restart, with its content.

use crate::server::{Api, Burst, TestDatabase};

/// Concurrent writers (more than the server's cores, so requests queue inside it).
const WRITERS: usize = 12;
/// Acknowledged messages to wait for before the kill: enough that the kill lands mid-burst.
const ACKNOWLEDGED_BEFORE_KILL: usize = 150;

#[tokio::test]
async fn killing_the_server_mid_burst_loses_no_acknowledged_message_on_sqlite() {
    let database = TestDatabase::sqlite("kill");
    burst_kill_restart(&database).await;
    database.finish().await;
}

#[tokio::test]
async fn killing_the_server_mid_burst_loses_no_acknowledged_message_on_postgres() {
    let Some(database) = TestDatabase::postgres("kill").await else {
        return;
    };
    burst_kill_restart(&database).await;
    database.finish().await;
}

async fn burst_kill_restart(database: &TestDatabase) {
    let server = database.start();
    let api = Api::sign_in(&server.base).await;
    let display_id = api.conversation().await;

    let burst = Burst::start(&api, display_id, WRITERS, "kill");
    burst.reach(ACKNOWLEDGED_BEFORE_KILL).await;
    server.kill_9();
    let acknowledged = burst.end().await;
    assert!(acknowledged.len() >= ACKNOWLEDGED_BEFORE_KILL);

    let server = database.start();
    let api = api.at(&server.base);
    let stored: std::collections::HashMap<i64, String> =
        api.all_messages(display_id).await.into_iter().collect();
    let lost: Vec<(i64, &str)> = acknowledged
        .iter()
        .filter(|ack| stored.get(&ack.id) != Some(&ack.content))
        .map(|ack| (ack.id, ack.content.as_str()))
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
