//! PostgreSQL restarts under a running Switchboard: while it is down requests fail fast and
//! cleanly (503 with a JSON error), afterwards they succeed again, and a `/cable` subscriber is
//! told to resync once the database is back and then receives new events, all without
//! restarting Switchboard.

use crate::cable::{is_message_with, Subscriber, WAIT};
use crate::postgres::{server_log, Cluster};
use crate::server::{client, send, Answer, Api, Scratch, Switchboard, REQUEST_TIMEOUT};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_postgres_restart_fails_requests_cleanly_then_recovers_and_resyncs_cable_subscribers() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let dir = Scratch::new("restart");
    let mut server = Switchboard::start(&cluster.url(), dir.path());
    let api = Api::sign_in(&server.base).await;
    let display_id = api.conversation().await;
    let messages = format!("conversations/{display_id}/messages");
    let mut subscriber = Subscriber::connect(&api.base, &api.pubsub_token).await;
    let mut seen = Vec::new();

    // Before: a message reaches the subscriber (the positive control).
    api.post(&messages, &json!({"content": "before the restart"}))
        .await
        .ok("a message before the restart");
    subscriber
        .until(
            "the first message",
            &mut seen,
            is_message_with("before the restart"),
        )
        .await;

    let cookie = page_session(&api.base).await;
    let list_page = format!("{}/app/accounts/{}/conversations", api.base, api.account_id);
    let page = |cookie: String, url: String| async move {
        send(client().get(url).header("cookie", cookie)).await
    };
    match page(cookie.clone(), list_page.clone()).await {
        Answer::Status(200, _) => {}
        other => panic!("the list page before the restart: {other:?}"),
    }

    cluster.stop_server();
    // While down: every kind of request answers, in time, with a JSON 503.
    let started = Instant::now();
    let down = [
        api.get("conversations").await,
        api.post(&messages, &json!({"content": "while down"})).await,
        api.get(&format!("conversations/{display_id}")).await,
    ];
    for answer in down {
        match answer {
            Answer::Status(503, body) => {
                let body: Value = serde_json::from_str(&body)
                    .unwrap_or_else(|_| panic!("the 503 is JSON: {body}"));
                assert!(body["error"].is_string(), "{body}");
            }
            other => panic!(
                "expected a 503 while PostgreSQL is down: {other:?}\nlog:\n{}",
                server.log_text()
            ),
        }
    }
    assert!(started.elapsed() < REQUEST_TIMEOUT * 3);
    match send(client().get(format!("{}/health", api.base))).await {
        Answer::Status(503, _) => {}
        other => panic!("/health while PostgreSQL is down: {other:?}"),
    }
    // A page says so in a page of its own.
    match page(cookie.clone(), list_page.clone()).await {
        Answer::Status(503, body) => assert!(body.contains("Temporarily unavailable"), "{body}"),
        other => panic!("expected a 503 page while PostgreSQL is down: {other:?}"),
    }
    assert!(
        server.is_running(),
        "switchboard exited while PostgreSQL was down"
    );

    cluster.start_server();
    let back = Instant::now();
    // After: requests succeed again, without restarting Switchboard.
    let deadline = Instant::now() + WAIT;
    loop {
        match api.get("conversations").await {
            answer if answer.is_success() => break,
            Answer::Status(503, _) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await
            }
            other => panic!(
                "requests did not recover after PostgreSQL came back: {other:?}\nlog:\n{}\npostgres:\n{}",
                server.log_text(),
                server_log(&cluster)
            ),
        }
    }
    match page(cookie, list_page).await {
        Answer::Status(200, _) => {}
        other => panic!("the list page after the restart: {other:?}"),
    }
    // The subscriber is told to resync once the database is back (its page reloads what it
    // shows then, not while the database still refuses)…
    subscriber
        .until("a resync after PostgreSQL came back", &mut seen, |at, m| {
            m["event"] == "resync" && at >= back
        })
        .await;
    // …and then receives new events on the same socket.
    api.post(&messages, &json!({"content": "after the restart"}))
        .await
        .ok("a message after the restart");
    subscriber
        .until(
            "the message after the restart",
            &mut seen,
            is_message_with("after the restart"),
        )
        .await;

    assert!(server.is_running(), "switchboard exited");
    let log = server.log_text();
    assert!(!log.contains("panicked"), "a panic in the log:\n{log}");
    drop(server);
}

/// Signs in through the login form (opened first, for its double-submit token and cookie);
/// returns the session `Cookie` header value.
async fn page_session(base: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let name_value = |response: &reqwest::Response, name: &str| -> String {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .and_then(|v| v.split(';').next())
            .unwrap_or_else(|| panic!("a {name} cookie"))
            .to_owned()
    };
    let page = http
        .get(format!("{base}/app/login"))
        .send()
        .await
        .expect("the login form opens");
    let login_cookie = name_value(&page, "switchboard_login");
    let html = page.text().await.expect("the login page");
    let marker = r#"name="login_token" value=""#;
    let start = html.find(marker).expect("a login_token field") + marker.len();
    let token = &html[start..start + html[start..].find('"').expect("a closing quote")];
    let form = format!(
        "email={}&password={}&login_token={token}",
        crate::server::EMAIL.replace('@', "%40"),
        crate::server::PASSWORD
    );
    let response = http
        .post(format!("{base}/app/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", login_cookie)
        .body(form)
        .send()
        .await
        .expect("the login form answers");
    assert!(response.status().is_redirection(), "{response:?}");
    name_value(&response, "switchboard_session")
}
