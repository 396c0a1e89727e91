//! The request proxy in a real browser (issue 14, item 4): an app on another origin, built on
//! the SDK, calls `request()` from a conversation tab; the host's server fills in the app's
//! secret and sends it to a loopback test service; the app gets the answer with the secret
//! scrubbed, and neither the page nor the frame ever holds the secret.

use crate::harness::{conversation_page, Browser, Frame};
use crate::sdk::SdkApp;
use crate::settings::{expect_reload, mark_stale};
use crate::support::{self, TestApp};
use axum::http::HeaderMap;
use axum::routing::any;
use axum::Router;
use serde_json::json;
use std::sync::{Arc, Mutex};

const SECRET: &str = "sk_browser-secret-5151";

#[tokio::test]
async fn an_app_on_another_origin_calls_request_through_the_sdk_and_gets_the_answer() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    // The remote service: records the Authorization header it got and echoes it back.
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let service = support::serve_router(Router::new().fallback(any(
        move |headers: HeaderMap| async move {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            record.lock().unwrap().push(auth.clone());
            axum::Json(json!({"orders": 3, "auth": auth}))
        },
    )))
    .await;

    let mut config = web::Config::new("http://127.0.0.1:3000", false).unwrap();
    config.app_requests.allow_private = true;
    config.app_requests.allow_http = true;
    let app = TestApp::new().await.with_config(config);
    let sdk_app = SdkApp::start().await;
    let base = app.serve().await;
    let created = app
        .post(
            &app.api("dashboard_apps"),
            &app.admin,
            &json!({
                "title": "CRM",
                "content": [{"type": "frame", "url": sdk_app.url(&base, &json!({}))}],
                "settings_schema": [{"key": "api_key", "label": "API key", "type": "secret", "required": true}],
                "request_hosts": ["127.0.0.1"],
            }),
        )
        .await;
    let id = created.json()["id"].as_i64().expect("an app id");
    let settings = app
        .patch(
            &app.api(&format!("dashboard_apps/{id}/settings")),
            &app.admin,
            &json!({"settings": {"api_key": SECRET}}),
        )
        .await;
    assert_eq!(settings.status, 200, "{}", settings.text);

    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.open_tab(id).await;
    let frame = Frame::app(id, 0);
    browser
        .eventually(
            &frame,
            "return window.__contexts ? window.__contexts.length : 0;",
            "the first context",
            |v| v.as_u64().unwrap_or(0) >= 1,
        )
        .await;
    let script = format!(
        "window.__app.request({{method: 'GET', url: '{service}/orders', headers: {{Authorization: 'Bearer {{{{secret.api_key}}}}'}}}})\
           .then((r) => {{ window.__answer = r; }}, (e) => {{ window.__answer = {{failed: e.code, message: e.message}}; }});\
         return true;"
    );
    browser.run(&frame, &script).await;
    let answer = browser
        .eventually(
            &frame,
            "return window.__answer || null;",
            "the proxied answer",
            |v| !v.is_null(),
        )
        .await;
    assert_eq!(answer["status"], 200, "{answer}");
    let body: serde_json::Value =
        serde_json::from_str(answer["body"].as_str().expect("a text body")).unwrap();
    assert_eq!(body["orders"], 3);
    assert_eq!(body["auth"], "Bearer [secret]", "the echo is scrubbed");
    assert_eq!(*seen.lock().unwrap(), [format!("Bearer {SECRET}")]);

    // Nowhere in the frame or the page: not in a context, not in the DOM.
    let frame_text = browser
        .run(
            &frame,
            "return JSON.stringify(window.__contexts) + document.documentElement.outerHTML;",
        )
        .await;
    assert!(!frame_text.to_string().contains(SECRET));
    let page_text = browser
        .run(&Frame::top(), "return document.documentElement.outerHTML;")
        .await;
    assert!(!page_text.to_string().contains(SECRET));
}

#[tokio::test]
async fn an_administrator_defines_settings_and_who_sees_the_app_then_fills_in_a_secret_that_never_comes_back(
) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let team = app
        .post(&app.api("teams"), &app.admin, &json!({"name": "Billing"}))
        .await
        .json()["id"]
        .as_i64()
        .expect("a team id");
    let id = crate::harness::create_app(
        &app,
        &app.admin,
        "CRM",
        &["https://crm.example/".to_owned()],
    )
    .await;
    app.store()
        .dashboard_app_requests()
        .record(&store::NewAppRequest {
            account_id: domain::AccountId(app.acme.account_id),
            app_id: domain::DashboardAppId(id),
            user_id: domain::UserId(app.agent.id),
            method: "GET",
            host: "api.crm.example",
            path: "/orders",
            status: Some(200),
            error: None,
            duration_ms: 12,
        })
        .await
        .unwrap();
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser
        .open(&crate::harness::settings_page(&base, &app))
        .await;

    // Edit: settings, a request host, and the team that sees it.
    let row = format!("tr[data-app-id=\"{id}\"]");
    browser
        .click(&format!("{row} [data-action=\"edit\"]"))
        .await;
    browser
        .fill(
            "#app-settings-schema",
            r#"[{"key": "api_key", "label": "API key", "type": "secret", "required": true}, {"key": "greeting", "label": "Greeting", "type": "text"}]"#,
        )
        .await;
    browser.fill("#app-request-hosts", "api.crm.example").await;
    browser
        .click(&format!("#app-form .app-team[value=\"{team}\"]"))
        .await;
    mark_stale(&browser).await;
    browser.click("#app-save").await;
    expect_reload(&browser, "the page after editing").await;
    let uri = format!(
        "{}?include=control",
        app.api(&format!("dashboard_apps/{id}"))
    );
    let saved = app.get(&uri, &app.admin).await.json();
    assert_eq!(saved["team_ids"], json!([team]), "{saved}");
    assert_eq!(saved["request_hosts"], json!(["api.crm.example"]));
    assert_eq!(saved["settings_schema"][0]["type"], "secret");
    let seen_by = browser
        .find(&format!("{row} .app-visibility"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        seen_by, "Teams: billing",
        "team names are kept lowercase, as Chatwoot does"
    );

    // Settings: a required secret left empty is named; then filled, it is only ever "set".
    browser
        .click(&format!("{row} [data-action=\"app-settings\"]"))
        .await;
    browser
        .find("#app-settings-dialog[data-requests=\"1\"]")
        .await;
    let log = browser
        .find("#app-requests-table")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        log.contains("/orders") && log.contains("api.crm.example"),
        "{log}"
    );
    browser.fill("#app-setting-greeting", "Hello").await;
    browser.click("#app-settings-save").await;
    browser
        .eventually(
            &Frame::top(),
            "return document.getElementById('app-setting-api_key-error').textContent;",
            "the missing secret named",
            |v| v.as_str().is_some_and(|t| t.contains("API key")),
        )
        .await;
    browser.fill("#app-setting-api_key", SECRET).await;
    mark_stale(&browser).await;
    browser.click("#app-settings-save").await;
    expect_reload(&browser, "the page after saving settings").await;
    let saved = app.get(&uri, &app.admin).await.json();
    assert_eq!(saved["secrets"], json!({"api_key": {"set": true}}));
    assert_eq!(saved["settings"], json!({"greeting": "Hello"}));
    let page = browser.source().await.unwrap();
    assert!(!page.contains(SECRET));
    browser
        .click(&format!("{row} [data-action=\"app-settings\"]"))
        .await;
    let secret = browser.find("#app-setting-api_key").await;
    assert_eq!(secret.prop("value").await.unwrap().as_deref(), Some(""));
    assert_eq!(
        secret.attr("placeholder").await.unwrap().as_deref(),
        Some("Set — type to replace it")
    );
}

#[tokio::test]
async fn the_playground_sends_a_registered_apps_requests_through_the_proxy_on_a_real_conversation()
{
    let Some(browser) = Browser::start().await else {
        return;
    };
    let hits: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = hits.clone();
    let service = support::serve_router(Router::new().fallback(any(
        move |headers: HeaderMap| async move {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            record.lock().unwrap().push(auth);
            "pong"
        },
    )))
    .await;
    let mut config = web::Config::new("http://127.0.0.1:3000", false).unwrap();
    config.app_requests.allow_private = true;
    config.app_requests.allow_http = true;
    let app = TestApp::new().await.with_config(config);
    let sdk_app = SdkApp::start().await;
    let base = app.serve().await;
    let created = app
        .post(
            &app.api("dashboard_apps"),
            &app.admin,
            &json!({
                "title": "CRM",
                "content": [{"type": "frame", "url": sdk_app.url(&base, &json!({}))}],
                "settings_schema": [{"key": "api_key", "label": "API key", "type": "secret"}],
                "request_hosts": ["127.0.0.1"],
            }),
        )
        .await;
    let id = created.json()["id"].as_i64().expect("an app id");
    let body = json!({"settings": {"api_key": SECRET}});
    let saved = app
        .patch(
            &app.api(&format!("dashboard_apps/{id}/settings")),
            &app.admin,
            &body,
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);

    browser.sign_in(&base, &app.admin.email).await;
    browser
        .open(&crate::playground::playground_page(&base, &app))
        .await;
    let pick = |id: &'static str, value: String| {
        format!(
            "const s = document.getElementById({}); s.value = {}; s.dispatchEvent(new Event('change')); return s.value;",
            json!(id),
            json!(value)
        )
    };
    browser
        .run(&Frame::top(), &pick("pg-app", id.to_string()))
        .await;
    browser.find("#pg-conversation[data-loaded]").await;
    browser
        .run(
            &Frame::top(),
            &pick("pg-conversation", app.acme.conversation.to_string()),
        )
        .await;
    browser.click("#pg-load").await;
    let frame = Frame::top().child("iframe[data-playground]");
    browser
        .eventually(
            &frame,
            "return window.__contexts ? window.__contexts.length : 0;",
            "the first context",
            |v| v.as_u64().unwrap_or(0) >= 1,
        )
        .await;
    let script = format!(
        "window.__app.request({{url: '{service}/ping', headers: {{Authorization: 'Bearer {{{{secret.api_key}}}}'}}}})\
           .then((r) => {{ window.__answer = r; }}, (e) => {{ window.__answer = {{failed: e.code}}; }});\
         return true;"
    );
    browser.run(&frame, &script).await;
    let answer = browser
        .eventually(
            &frame,
            "return window.__answer || null;",
            "the answer",
            |v| !v.is_null(),
        )
        .await;
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(answer["body"], "pong");
    assert_eq!(*hits.lock().unwrap(), [format!("Bearer {SECRET}")]);
    // The playground's log shows the exchange, and never the secret.
    let log = browser
        .run(
            &Frame::top(),
            "return document.getElementById('pg-log').textContent;",
        )
        .await;
    let log = log.as_str().unwrap_or_default();
    assert!(log.contains("chatwoot-dashboard-app:request"), "{log}");
    assert!(!log.contains(SECRET));
}

#[tokio::test]
async fn an_app_written_for_chatwoot_gets_its_string_context_with_settings_on_and_never_a_secret() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = crate::recorder::Recorder::start().await;
    let created = app
        .post(
            &app.api("dashboard_apps"),
            &app.admin,
            &json!({
                "title": "Recorder",
                "content": [{"type": "frame", "url": recorder.url("f=chatwoot")}],
                "settings_schema": [
                    {"key": "region", "label": "Region", "type": "select", "options": ["eu", "us"]},
                    {"key": "api_key", "label": "API key", "type": "secret"}
                ],
                "request_hosts": ["api.crm.example"],
            }),
        )
        .await;
    let id = created.json()["id"].as_i64().expect("an app id");
    let body = json!({"settings": {"region": "eu", "api_key": SECRET}});
    let saved = app
        .patch(
            &app.api(&format!("dashboard_apps/{id}/settings")),
            &app.admin,
            &body,
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.open_tab(id).await;
    let frame = Frame::app(id, 0);
    let messages = crate::recorder::wait_count(&browser, &frame, 1).await;
    assert_eq!(
        messages[0]["isString"], true,
        "a string, for JSON.parse(event.data)"
    );
    let context = crate::recorder::context_of(&messages[0]);
    assert_eq!(support::schema_errors(&context, None), Vec::<String>::new());
    assert_eq!(context["settings"], json!({"region": "eu"}));
    assert_eq!(
        context["data"]["conversation"]["id"],
        json!(app.acme.conversation)
    );
    assert!(!messages[0].to_string().contains(SECRET));
    // Only the context: settings bring no extra message.
    browser
        .stays(
            &frame,
            crate::recorder::COUNT,
            &json!(1),
            "the message count",
        )
        .await;
}
