//! Channel integration: Chatwoot's public Client API for API-channel inboxes, and outgoing
//! webhooks (subscriptions, signed Chatwoot-shaped deliveries, retries from the durable outbox,
//! the delivery log), on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL. A target of its own
//! while `tests/it` is being written; its modules can move under `tests/it/api/` unchanged.

#[path = "../support/mod.rs"]
mod support;

mod public;
mod receiver;
mod webhooks;

use support::{TestApp, TestResponse};

/// The body as JSON after checking the status (the body is shown when it differs).
#[track_caller]
pub fn expect(res: &TestResponse, status: u16) -> serde_json::Value {
    assert_eq!(
        res.status.as_u16(),
        status,
        "expected {status}, got {}: {}",
        res.status,
        res.text
    );
    res.json()
}

/// 404 `{"error": "Resource could not be found"}` and nothing else.
#[track_caller]
pub fn assert_not_found(res: &TestResponse) {
    let body = expect(res, 404);
    assert_eq!(
        body,
        serde_json::json!({"error": "Resource could not be found"})
    );
}

/// 422 `{"message", "attributes": [attribute]}`.
#[track_caller]
pub fn assert_invalid(res: &TestResponse, attribute: &str) {
    let body = expect(res, 422);
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        res.text
    );
    assert_eq!(
        body["attributes"],
        serde_json::json!([attribute]),
        "{}",
        res.text
    );
}

/// A request without an access token (the Client API's callers have none).
pub async fn anonymous(
    app: &TestApp,
    method: axum::http::Method,
    uri: &str,
    body: Option<serde_json::Value>,
) -> TestResponse {
    let text = body.map(|b| b.to_string());
    app.request(method, uri, None, text.as_deref()).await
}

/// The first tenant's inbox as its administrator sees it (with `inbox_identifier` and
/// `hmac_token`).
pub async fn acme_inbox(app: &TestApp) -> serde_json::Value {
    let res = app
        .get(
            &app.api(&format!("inboxes/{}", app.acme.inbox_id)),
            &app.admin,
        )
        .await;
    expect(&res, 200)
}

/// Polls `check` every 20 ms for at most 10 s; panics with `what` if it never holds.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..500 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}
