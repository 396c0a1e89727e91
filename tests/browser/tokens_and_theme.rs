//! Today's Chatwoot context and tokens anyone can verify, in a real browser with the app on an
//! origin of its own (the SDK test app): the account's custom attribute definitions and the
//! agent's theme arrive in every context and again when either changes; the agent's theme toggle
//! is remembered; and the SDK's `getToken()` brings a fresh token, without a new context, after the
//! first one expired.

use crate::harness::{conversation_page, create_app, Browser, Frame};
use crate::sdk::SdkApp;
use crate::support::TestApp;
use serde_json::{json, Value};

/// The newest context the SDK test app in `frame` delivered, once it has at least `count`.
async fn latest_context(browser: &Browser, frame: &Frame, count: usize, what: &str) -> Value {
    browser
        .eventually(
            frame,
            "return window.__contexts ? window.__contexts.length : 0;",
            what,
            |v| v.as_u64().is_some_and(|n| n as usize >= count),
        )
        .await;
    browser
        .run(
            frame,
            "return window.__contexts[window.__contexts.length - 1];",
        )
        .await
}

async fn define(app: &TestApp, key: &str) {
    let definition = json!({
        "attribute_display_name": key,
        "attribute_key": key,
        "attribute_display_type": "text",
        "attribute_model": "conversation_attribute"
    });
    let res = app
        .post(
            &app.api("custom_attribute_definitions"),
            &app.admin,
            &definition,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

fn definition_keys(context: &Value) -> Vec<String> {
    context["data"]["customAttributeDefinitions"]
        .as_array()
        .unwrap_or_else(|| panic!("definitions in {context}"))
        .iter()
        .map(|d| d["attribute_key"].as_str().expect("a key").to_owned())
        .collect()
}

async fn page_theme(browser: &Browser) -> String {
    browser
        .run(
            &Frame::top(),
            "return document.documentElement.dataset.theme;",
        )
        .await
        .as_str()
        .expect("a theme on <html>")
        .to_owned()
}

#[tokio::test]
async fn an_app_on_another_origin_gets_the_definitions_and_theme_and_both_again_after_a_change() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let sdk_app = SdkApp::start().await;
    define(&app, "plan").await;
    let app_id = create_app(
        &app,
        &app.admin,
        "SDK app",
        &[sdk_app.url(&base, &json!({}))],
    )
    .await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.find("body[data-cable=\"open\"]").await;
    browser.open_tab(app_id).await;
    let frame = Frame::app(app_id, 0);

    let first = latest_context(&browser, &frame, 1, "the first context").await;
    assert_eq!(definition_keys(&first), ["plan"]);
    let theme = page_theme(&browser).await;
    assert_eq!(first["data"]["theme"], theme.as_str());
    // Chatwoot's own fields are untouched.
    assert_eq!(first["data"]["conversation"]["id"], app.acme.conversation);
    let seen = browser
        .run(&frame, "return window.__contexts.length;")
        .await;
    let seen = seen.as_u64().expect("a count") as usize;

    // An administrator adds a definition elsewhere: the open app gets it.
    define(&app, "tier").await;
    let changed = latest_context(&browser, &frame, seen + 1, "the new definitions").await;
    assert_eq!(definition_keys(&changed), ["plan", "tier"]);
    assert_eq!(
        changed["meta"]["reason"],
        "custom_attribute_definitions.changed"
    );

    // The agent switches the theme: the page turns, the app is told.
    let other = if theme == "dark" { "light" } else { "dark" };
    let seen = browser
        .run(&frame, "return window.__contexts.length;")
        .await;
    let seen = seen.as_u64().expect("a count") as usize;
    browser.click("#theme-toggle").await;
    assert_eq!(page_theme(&browser).await, other);
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                "return getComputedStyle(document.documentElement).colorScheme;"
            )
            .await,
        json!(other),
        "app.css follows the choice"
    );
    let switched = latest_context(&browser, &frame, seen + 1, "the new theme").await;
    assert_eq!(switched["data"]["theme"], other);
    assert_eq!(switched["meta"]["reason"], "theme.changed");

    // Remembered: a reload keeps it, and the app's first context carries it.
    browser.open(&conversation_page(&base, &app)).await;
    assert_eq!(page_theme(&browser).await, other);
    browser.open_tab(app_id).await;
    let again = latest_context(&browser, &frame, 1, "the context after a reload").await;
    assert_eq!(again["data"]["theme"], other);
}

#[tokio::test]
async fn get_token_brings_a_fresh_token_without_a_new_context_after_the_first_expired() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let mut config = web::Config::default();
    config.app_token_lifetime = 2;
    let app = TestApp::new().await.with_config(config);
    let base = app.serve().await;
    let sdk_app = SdkApp::start().await;
    let app_id = create_app(
        &app,
        &app.admin,
        "SDK app",
        &[sdk_app.url(&base, &json!({}))],
    )
    .await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.open_tab(app_id).await;
    let frame = Frame::app(app_id, 0);
    let first = latest_context(&browser, &frame, 1, "the first context").await;
    let first_token = first["token"].as_str().expect("a token").to_owned();
    let contexts = browser
        .run(&frame, "return window.__contexts.length;")
        .await;

    // The app waits (in the browser) until its token has expired, then asks for a new one.
    browser
        .run(
            &frame,
            r#"
            const payload = JSON.parse(atob(window.__app.token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
            // Past the whole second after `exp`: verifiers compare in whole seconds.
            const wait = Math.max(0, (payload.exp + 1) * 1000 - Date.now()) + 100;
            setTimeout(() => {
              window.__app.getToken().then(
                (token) => { window.__fresh = { token, at: Math.floor(Date.now() / 1000) }; },
                (error) => { window.__fresh = { error: error.code }; },
              );
            }, wait);
            return true;
            "#,
        )
        .await;
    let fresh = browser
        .eventually(
            &frame,
            "return window.__fresh || null;",
            "a fresh token",
            |v| !v.is_null(),
        )
        .await;
    let fresh_token = fresh["token"]
        .as_str()
        .unwrap_or_else(|| panic!("getToken failed: {fresh}"))
        .to_owned();
    assert_ne!(fresh_token, first_token);
    assert_eq!(
        browser
            .run(&frame, "return window.__contexts.length;")
            .await,
        contexts,
        "a token request brings no new context"
    );

    // Checked as a backend would: the first token has expired, the fresh one verifies.
    let jwks = app
        .request(
            axum::http::Method::GET,
            "/.well-known/jwks.json",
            None,
            None,
        )
        .await
        .json();
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks).expect("a JWK set");
    let check = |token: &str| {
        let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
        let key = jsonwebtoken::DecodingKey::from_jwk(set.find(&kid)?).ok()?;
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
        validation.set_audience(&[format!("dashboard_app:{app_id}")]);
        validation.leeway = 0;
        jsonwebtoken::decode::<Value>(token, &key, &validation).ok()
    };
    assert!(check(&first_token).is_none(), "the first token has expired");
    let claims = check(&fresh_token)
        .expect("the fresh token verifies")
        .claims;
    assert!(claims["exp"].as_i64().unwrap() > fresh["at"].as_i64().unwrap());
    assert_eq!(claims["conversation_id"], app.acme.conversation);
}
