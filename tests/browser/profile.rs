//! Profile › Settings in a real browser: the password form shows its errors beside their
//! fields, a change keeps this browser signed in while other sessions end, and a new API token
//! is shown once and replaces the old one.

use crate::harness::{Browser, Frame};
use crate::support::{TestApp, PASSWORD};
use axum::http::Method;
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "a-brand-new-passphrase";

fn profile_page(base: &str, app: &TestApp) -> String {
    format!(
        "{base}/app/accounts/{}/profile/settings",
        app.acme.account_id
    )
}

/// A second, API session of the agent (as another client would have): its token.
async fn other_session(app: &TestApp) -> String {
    let body = json!({"email": app.agent.email, "password": PASSWORD}).to_string();
    let res = app
        .request(Method::POST, "/auth/sign_in", None, Some(&body))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.json()["data"]["access_token"]
        .as_str()
        .expect("a session token")
        .to_owned()
}

async fn profile_status(app: &TestApp, token: &str) -> u16 {
    app.request(Method::GET, "/api/v1/profile", Some(token), None)
        .await
        .status
        .as_u16()
}

async fn submit_password(browser: &Browser, current: &str, new: &str, confirmation: &str) {
    browser.fill("#current-password", current).await;
    browser.fill("#new-password", new).await;
    browser.fill("#password-confirmation", confirmation).await;
    browser.click("#password-save").await;
}

/// The form's messages as the page shows them (`null` where an element is missing).
const MESSAGES: &str = "const text = id => document.getElementById(id)?.textContent.trim() ?? null;
return {
  current: text('current-password-error'),
  new: text('new-password-error'),
  notice: text('profile-notice'),
};";

/// Waits until the page the form was posted to shows `shown` (the form reloads the page, so an
/// element read right after the click may belong to the page it replaces).
async fn messages_once(browser: &Browser, what: &str, shown: impl Fn(&Value) -> bool) -> Value {
    browser
        .eventually(&Frame::top(), MESSAGES, what, shown)
        .await
}

fn filled(value: &Value) -> bool {
    value.as_str().is_some_and(|text| !text.is_empty())
}

#[tokio::test]
async fn an_agent_changes_their_password_in_the_profile_page_and_other_sessions_end() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let elsewhere = other_session(&app).await;
    assert_eq!(profile_status(&app, &elsewhere).await, 200);

    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&profile_page(&base, &app)).await;

    // A wrong current password: the error sits beside its field; nothing changes.
    submit_password(&browser, "not-my-password", NEW_PASSWORD, NEW_PASSWORD).await;
    let shown = messages_once(&browser, "the current password's error", |m| {
        filled(&m["current"])
    })
    .await;
    assert_eq!(shown["new"], json!(""), "{shown}");
    assert_eq!(profile_status(&app, &elsewhere).await, 200);

    // A guessable new password is refused beside the new password's field.
    submit_password(&browser, PASSWORD, "password", "password").await;
    messages_once(&browser, "the new password's error", |m| filled(&m["new"])).await;
    assert_eq!(profile_status(&app, &elsewhere).await, 200);

    // The real change: this browser stays signed in, the other session ends.
    submit_password(&browser, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
    messages_once(&browser, "the notice of the change", |m| {
        m["notice"]
            .as_str()
            .is_some_and(|text| text.contains("Password changed"))
    })
    .await;
    assert_eq!(profile_status(&app, &elsewhere).await, 401);
    browser.open(&profile_page(&base, &app)).await;
    let body = json!({"email": app.agent.email, "password": NEW_PASSWORD}).to_string();
    let signed_in = app
        .request(Method::POST, "/auth/sign_in", None, Some(&body))
        .await;
    assert_eq!(signed_in.status, 200, "the new password signs in");
}

#[tokio::test]
async fn a_new_api_token_is_shown_once_and_the_old_one_stops_working() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    assert_eq!(profile_status(&app, &app.agent.token).await, 200);

    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&profile_page(&base, &app)).await;
    let shown = browser
        .run(
            &Frame::top(),
            "return document.querySelector('#new-access-token') === null;",
        )
        .await;
    assert_eq!(shown, json!(true), "no token is shown before one is made");

    browser.click("#token-reset").await;
    // The element exists only on the page the reset answers with.
    let token = browser
        .eventually(
            &Frame::top(),
            "return document.getElementById('new-access-token')?.textContent.trim() ?? null;",
            "the new token",
            filled,
        )
        .await;
    let token = token.as_str().unwrap_or_default().to_owned();
    assert!(token.len() >= 20, "a long token: {token}");
    assert_eq!(profile_status(&app, &token).await, 200);
    assert_eq!(profile_status(&app, &app.agent.token).await, 401);

    // Shown once: the page opened again keeps only its digest.
    browser.open(&profile_page(&base, &app)).await;
    let again = browser
        .run(
            &Frame::top(),
            "return document.querySelector('#new-access-token') === null;",
        )
        .await;
    assert_eq!(again, json!(true));
}
