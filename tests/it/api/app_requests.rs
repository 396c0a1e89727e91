//! The dashboard-app request proxy (issue 14, item 4): a loopback test service receives the
//! secret filled in on the server; answers, contexts and the audit log never hold it; a host
//! not on the list, a private address with the operator's opt-in off, a redirect to another
//! host and an oversize answer are refused; the rate limit holds; every call is logged.
//! Only loopback addresses are ever reached.

use super::app_settings::{crm_app, settings_uri};
use super::{assert_invalid, assert_not_found, expect, ok, send};
use crate::support::{self, TestApp};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use axum::Router;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

const SECRET: &str = "sk_live_proxy-secret-7319";
/// The answers the test configuration lets through.
const MAX_ANSWER: usize = 2048;

/// What a test service received: `(path with query, authorization header, body)`.
type Received = Arc<Mutex<Vec<(String, String, String)>>>;

/// A loopback service that records each request and echoes what it got (the secret included,
/// as a careless API might), redirects `/moved` to `redirect_to`, and answers `/big` with more
/// than the proxy accepts.
async fn test_service(redirect_to: String) -> (String, Received) {
    let received: Received = Arc::default();
    async fn echo(
        State(received): State<Received>,
        uri: axum::http::Uri,
        headers: HeaderMap,
        body: String,
    ) -> impl IntoResponse {
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let entry = (uri.to_string(), auth.clone(), body.clone());
        received.lock().unwrap().push(entry);
        (
            [("x-echo-auth", auth.clone())],
            axum::Json(json!({"path": uri.to_string(), "auth": auth, "body": body})),
        )
    }
    let router =
        Router::new()
            .route(
                "/moved",
                get(move || async move {
                    (StatusCode::FOUND, [("location", redirect_to)]).into_response()
                }),
            )
            .route("/big", get(|| async { "x".repeat(MAX_ANSWER * 4) }))
            .fallback(any(echo))
            .with_state(received.clone());
    (support::serve_router(router).await, received)
}

/// The fixture with the operator's opt-ins for loopback tests: private addresses and plain
/// http allowed, small answers, three requests a minute.
async fn proxy_app(allow_private: bool) -> TestApp {
    let mut config = web::Config::new("http://localhost:3000", false).unwrap();
    config.app_requests.allow_private = allow_private;
    config.app_requests.allow_http = true;
    config.app_requests.max_response_bytes = MAX_ANSWER;
    config.app_requests.limit = web::throttle::Limit {
        max: 5,
        seconds: 3600,
    };
    TestApp::new().await.with_config(config)
}

async fn configured_app(app: &TestApp) -> i64 {
    let id = crm_app(app, json!({})).await;
    let body = json!({"settings": {"region": "eu", "api_key": SECRET}});
    ok(&send(
        app,
        axum::http::Method::PATCH,
        &settings_uri(app, id),
        &app.admin,
        Some(&body),
    )
    .await);
    id
}

fn requests_uri(app: &TestApp, id: i64) -> String {
    app.api(&format!("dashboard_apps/{id}/requests"))
}

async fn proxy(app: &TestApp, id: i64, request: Value) -> support::TestResponse {
    let mut body = request;
    body["conversation_id"] = json!(app.acme.conversation);
    app.post(&requests_uri(app, id), &app.agent, &body).await
}

#[tokio::test]
async fn a_secret_reaches_the_allowed_host_filled_in_on_the_server_and_never_comes_back() {
    let app = proxy_app(true).await;
    let (service, received) = test_service(String::new()).await;
    let id = configured_app(&app).await;
    let answer = ok(&proxy(
        &app,
        id,
        json!({
            "method": "POST",
            "url": format!("{service}/{{{{settings.region}}}}/orders?key={{{{secret.api_key}}}}"),
            "headers": {"Authorization": "Bearer {{secret.api_key}}", "Content-Type": "application/json"},
            "body": "{\"token\": \"{{secret.api_key}}\", \"region\": \"{{settings.region}}\"}"
        }),
    )
    .await);
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let (path, auth, body) = &got[0];
    assert_eq!(path, &format!("/eu/orders?key={SECRET}"));
    assert_eq!(auth, &format!("Bearer {SECRET}"));
    assert_eq!(
        body,
        &format!("{{\"token\": \"{SECRET}\", \"region\": \"eu\"}}")
    );

    assert_eq!(answer["status"], 200);
    let text = answer.to_string();
    assert!(
        !text.contains(SECRET),
        "the echoed secret is scrubbed: {text}"
    );
    let echoed: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(echoed["auth"], "Bearer [secret]");
    assert_eq!(answer["headers"]["x-echo-auth"], "Bearer [secret]");

    // The audit log has the call, without the secret or the query string.
    let log = ok(&app.get(&requests_uri(&app, id), &app.admin).await);
    assert!(!log.to_string().contains(SECRET));
    let entry = &log[0];
    assert_eq!(entry["method"], "POST");
    assert_eq!(entry["host"], "127.0.0.1");
    assert_eq!(entry["path"], "/eu/orders");
    assert_eq!(entry["status"], 200);
    assert_eq!(entry["user_id"], app.agent.id);
    assert!(entry["duration_ms"].as_i64().unwrap() >= 0);
    // The log is administrators' to read.
    expect(&app.get(&requests_uri(&app, id), &app.agent).await, 401);
}

#[tokio::test]
async fn hosts_off_the_list_private_addresses_redirects_and_oversize_answers_are_refused() {
    // Private addresses allowed: the list, redirects and sizes are what refuses.
    let app = proxy_app(true).await;
    let (elsewhere, stolen) = test_service(String::new()).await;
    // The redirect points at the other service by another name for the same loopback host.
    let other_host = elsewhere.replace("127.0.0.1", "localhost");
    let (service, received) = test_service(format!("{other_host}/steal?k={SECRET}")).await;
    let id = configured_app(&app).await;
    let auth = json!({"Authorization": "Bearer {{secret.api_key}}"});

    let off_list = proxy(
        &app,
        id,
        json!({"url": format!("{other_host}/x"), "headers": auth}),
    )
    .await;
    let message = assert_invalid(&off_list, "url");
    assert!(message.contains("localhost"), "{message}");

    let moved = ok(&proxy(
        &app,
        id,
        json!({"url": format!("{service}/moved"), "headers": auth}),
    )
    .await);
    assert_eq!(moved["status"], 302, "returned, not followed");
    assert!(!moved.to_string().contains(SECRET));

    let big = proxy(&app, id, json!({"url": format!("{service}/big")})).await;
    let body = expect(&big, 502);
    assert!(
        body["error"].as_str().unwrap().contains("larger"),
        "{}",
        big.text
    );

    assert!(
        stolen.lock().unwrap().is_empty(),
        "nothing reached the other host"
    );
    assert!(
        received.lock().unwrap().is_empty(),
        "the off-list call never left"
    );

    // With the operator's opt-in off, 127.0.0.1 is refused like any private address.
    let strict = proxy_app(false).await;
    let id = configured_app(&strict).await;
    let blocked = proxy(
        &strict,
        id,
        json!({"url": format!("{service}/x"), "headers": auth}),
    )
    .await;
    let message = assert_invalid(&blocked, "url");
    assert!(message.contains("private"), "{message}");
    assert!(
        received.lock().unwrap().is_empty(),
        "the blocked call never left"
    );
    let log = ok(&strict.get(&requests_uri(&strict, id), &strict.admin).await);
    assert!(
        log[0]["error"].as_str().unwrap().contains("private"),
        "{log}"
    );
    assert!(log[0]["status"].is_null());
}

#[tokio::test]
async fn https_is_required_unless_the_operator_allows_http() {
    let app = TestApp::new().await;
    let id = configured_app(&app).await;
    let res = proxy(&app, id, json!({"url": "http://127.0.0.1:9/x"})).await;
    let message = assert_invalid(&res, "url");
    assert!(message.contains("https"), "{message}");
}

#[tokio::test]
async fn the_rate_limit_per_app_and_account_holds_and_every_call_is_logged() {
    let app = proxy_app(true).await;
    let (service, received) = test_service(String::new()).await;
    let id = configured_app(&app).await;
    for _ in 0..5 {
        ok(&proxy(&app, id, json!({"url": format!("{service}/ping")})).await);
    }
    let refused = proxy(&app, id, json!({"url": format!("{service}/ping")})).await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.text
    );
    assert!(refused.headers.contains_key("retry-after"));
    assert_eq!(received.lock().unwrap().len(), 5);
    let log = ok(&app.get(&requests_uri(&app, id), &app.admin).await);
    assert_eq!(log.as_array().unwrap().len(), 5);
    // Another app of the account has its own window.
    let other = configured_app(&app).await;
    ok(&proxy(&app, other, json!({"url": format!("{service}/ping")})).await);
}

#[tokio::test]
async fn only_a_member_who_sees_the_app_where_it_is_shown_may_send() {
    let app = proxy_app(true).await;
    let (service, received) = test_service(String::new()).await;
    let id = configured_app(&app).await;
    let request = json!({"url": format!("{service}/x"), "conversation_id": app.acme.conversation});
    // Another account's administrator, an app hidden from the agent's role, a conversation of
    // an inbox the app is not shown in: each a refusal, and nothing sent.
    let res = app
        .post(&requests_uri(&app, id), &app.stranger, &request)
        .await;
    expect(&res, 401);
    let admins_only = crm_app(&app, json!({"roles": ["administrator"]})).await;
    assert_not_found(
        &app.post(&requests_uri(&app, admins_only), &app.agent, &request)
            .await,
    );
    let other_inbox = ok(&app
        .post(
            &app.api("inboxes"),
            &app.admin,
            &json!({"name": "Elsewhere"}),
        )
        .await)["id"]
        .as_i64()
        .unwrap();
    let elsewhere = crm_app(&app, json!({"inbox_ids": [other_inbox]})).await;
    assert_not_found(
        &app.post(&requests_uri(&app, elsewhere), &app.agent, &request)
            .await,
    );
    let no_conversation = json!({"url": format!("{service}/x")});
    assert_invalid(
        &app.post(&requests_uri(&app, id), &app.agent, &no_conversation)
            .await,
        "conversation_id",
    );
    assert!(received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_server_key_that_cannot_open_the_secrets_is_a_plain_error_not_a_panic() {
    let app = proxy_app(true).await;
    let id = configured_app(&app).await;
    let (service, received) = test_service(String::new()).await;
    let mut rekeyed = app;
    rekeyed.state = rekeyed
        .state
        .clone()
        .with_secret_key(domain::sealed::SecretKey::generate());
    rekeyed.router = web::app(rekeyed.state.clone());
    let res = proxy(&rekeyed, id, json!({"url": format!("{service}/x")})).await;
    let body = expect(&res, 500);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("SWITCHBOARD_SECRET_KEY"),
        "{}",
        res.text
    );
    assert!(received.lock().unwrap().is_empty());
}

#[tokio::test(flavor = "current_thread")]
async fn no_secret_is_ever_logged_even_at_trace_level() {
    let captured = crate::hardening::Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(captured.clone())
        .finish();
    // The test's runtime has one thread: the server, the service and the client all log here.
    let _guard = tracing::subscriber::set_default(subscriber);
    // A second live dispatcher, so callsites first reached on other threads are not muted here
    // (see hardening.rs's log test).
    let _second = tracing::Dispatch::new(tracing_subscriber::registry());
    let app = proxy_app(true).await;
    let (service, received) = test_service(String::new()).await;
    let id = configured_app(&app).await;
    let auth = json!({"Authorization": "Bearer {{secret.api_key}}"});
    ok(&proxy(
        &app,
        id,
        json!({"url": format!("{service}/echo?k={{{{secret.api_key}}}}"), "headers": auth}),
    )
    .await);
    expect(
        &proxy(
            &app,
            id,
            json!({"url": format!("{service}/big"), "headers": auth}),
        )
        .await,
        502,
    );
    assert_eq!(received.lock().unwrap().len(), 1);
    let log = captured.text();
    assert!(log.len() > 1000, "the capture works: {log}");
    assert!(!log.contains(SECRET), "a secret was logged");
}
