//! Shared assertions for the API tests: Chatwoot's error bodies, the three ways to be refused
//! as an outsider, and small request helpers the harness does not carry.

mod access;
mod agents;
mod app_actions;
mod app_placements;
mod app_requests;
mod app_settings;
mod attachments;
mod auth;
mod business_hours;
mod canned_responses;
mod contact_inboxes;
mod contact_labels;
mod contact_notes;
mod contacts;
mod conversation_teams;
mod conversations;
mod custom_attribute_definitions;
mod dashboard_app_control;
mod dashboard_apps;
mod errors;
mod health;
mod honoured_fields;
mod inbox_members;
mod inboxes;
mod labels;
mod messages;
mod openapi;
mod rails_bodies;
mod roles;
mod search;
mod signing_keys;
mod teams;
mod web_widget;

use crate::support::{Person, TestApp, TestResponse};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub const FORBIDDEN: &str = "You are not authorized to do this action";
pub const NOT_FOUND: &str = "Resource could not be found";

/// The body as JSON, after checking the status (the body is shown when it differs).
#[track_caller]
pub fn expect(res: &TestResponse, status: u16) -> Value {
    assert_eq!(
        res.status.as_u16(),
        status,
        "expected {status}, got {}: {}",
        res.status,
        res.text
    );
    res.json()
}

/// 200 and its JSON body.
#[track_caller]
pub fn ok(res: &TestResponse) -> Value {
    expect(res, 200)
}

/// 401 `{"error": "<some sentence>"}`.
#[track_caller]
pub fn assert_unauthorized(res: &TestResponse) {
    let body = expect(res, 401);
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "401 without an error sentence: {}",
        res.text
    );
    assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{}", res.text);
}

/// 401 `{"error": "You are not authorized to do this action"}`: the wrong role.
#[track_caller]
pub fn assert_forbidden(res: &TestResponse) {
    let body = expect(res, 401);
    assert_eq!(body, serde_json::json!({ "error": FORBIDDEN }));
}

/// 404 `{"error": "Resource could not be found"}` and nothing else.
#[track_caller]
pub fn assert_not_found(res: &TestResponse) {
    let body = expect(res, 404);
    assert_eq!(
        body,
        serde_json::json!({ "error": NOT_FOUND }),
        "{}",
        res.text
    );
}

/// 422 `{"message": "<sentence>", "attributes": [attribute]}`; returns the message.
#[track_caller]
pub fn assert_invalid(res: &TestResponse, attribute: &str) -> String {
    let body = expect(res, 422);
    let message = body["message"].as_str().unwrap_or_default().to_owned();
    assert!(!message.is_empty(), "422 without a message: {}", res.text);
    assert_eq!(
        body["attributes"],
        serde_json::json!([attribute]),
        "422 naming the wrong attribute: {}",
        res.text
    );
    assert_eq!(body.as_object().map(|o| o.len()), Some(2), "{}", res.text);
    message
}

/// Sends `body` (when given) as JSON with `who`'s token.
pub async fn send(
    app: &TestApp,
    method: Method,
    uri: &str,
    who: &Person,
    body: Option<&Value>,
) -> TestResponse {
    let text = body.map(Value::to_string);
    app.request(method, uri, Some(&who.token), text.as_deref())
        .await
}

/// Missing token, a token nobody holds, and a member of the other account: each a 401.
pub async fn assert_members_only(app: &TestApp, method: Method, uri: &str, body: Option<&Value>) {
    let text = body.map(Value::to_string);
    let text = text.as_deref();
    for (who, token) in [
        ("no token", None),
        ("an unknown token", Some("not-a-real-token")),
        (
            "the other account's administrator",
            Some(app.stranger.token.as_str()),
        ),
    ] {
        let res = app.request(method.clone(), uri, token, text).await;
        assert_eq!(
            res.status,
            StatusCode::UNAUTHORIZED,
            "{method} {uri} with {who}: {}",
            res.text
        );
        let body = res.json();
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{method} {uri} with {who}: {}",
            res.text
        );
    }
}

/// Makes `who` a member of inbox `inbox_id` of the first account (as its administrator), so an
/// agent sees its conversations.
pub async fn join(app: &TestApp, inbox_id: i64, who: &Person) {
    let body = serde_json::json!({"inbox_id": inbox_id, "user_ids": [who.id]});
    ok(&app.post(&app.api("inbox_members"), &app.admin, &body).await);
}

/// A request with arbitrary headers (the harness sends only `api_access_token`).
pub async fn raw(
    app: &TestApp,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> TestResponse {
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder.body(Body::from(body)).expect("a valid request");
    let response = app
        .router
        .clone()
        .oneshot(request)
        .await
        .expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    TestResponse {
        status,
        text: String::from_utf8_lossy(&bytes).into_owned(),
        headers,
    }
}

/// Percent-encodes a query value (everything but RFC 3986's unreserved characters).
pub fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The sorted keys of a JSON object.
pub fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

/// No schema errors for `value` against `$defs/<def>` (or the whole schema).
#[track_caller]
pub fn assert_schema(value: &Value, def: Option<&str>) {
    let errors = crate::support::schema_errors(value, def);
    assert!(
        errors.is_empty(),
        "{def:?} schema errors: {errors:#?}\nin {value:#}"
    );
}

/// A string of `n` copies of `c`.
pub fn long(n: usize) -> String {
    "x".repeat(n)
}
