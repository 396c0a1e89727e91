//! What the widget's browser tests share: a shop on another origin (its own port) embedding
//! Chatwoot's snippet word for word with only `BASE_URL` changed, under styles that would wreck
//! anything of ours they reached; running scripts in the widget's window (an iframe in the
//! bubble's shadow root); opening the chat and writing as the visitor.

use crate::harness::{Browser, Frame, TIMEOUT};
use crate::support::{self, TestApp};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use fantoccini::elements::{Element, ElementRef};
use serde_json::{json, Value};
use std::time::Instant;

/// A website inbox of Acme made by its administrator, with `channel` settings merged in.
pub(crate) async fn website_inbox(app: &TestApp, channel: Value) -> Value {
    let mut body = json!({"name": "Shop", "channel": {"type": "web_widget", "website_url": "https://shop.example"}});
    for (key, value) in channel.as_object().expect("an object") {
        body["channel"][key] = value.clone();
    }
    let made = app.post(&app.api("inboxes"), &app.admin, &body).await;
    assert_eq!(made.status, 200, "{}", made.text);
    made.json()
}

/// The shop's page: hostile global styles, a recorder of the widget's window events (the
/// first, `chatwoot:ready`, marks `body[data-ready]`), then Chatwoot's snippet.
const SHOP_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>A shop</title>
<style>
  div { color: red; font-size: 2px; }
  iframe, button { display: none !important; }
  * { font-family: serif !important; }
</style>
</head>
<body>
<div>Welcome to the shop</div>
<script>
  window.__events = [];
  ["chatwoot:ready", "chatwoot:on-message", "chatwoot:error", "chatwoot:opened", "chatwoot:closed"].forEach(function (name) {
    window.addEventListener(name, function (event) {
      window.__events.push({ name: name, detail: event.detail });
      if (name === "chatwoot:ready") document.body.dataset.ready = "true";
    });
  });
</script>
<script>
  (function(d,t) {
    var BASE_URL="{{BASE_URL}}";
    var g=d.createElement(t),s=d.getElementsByTagName(t)[0];
    g.src=BASE_URL+"/packs/js/sdk.js";
    g.defer = true;
    g.async = true;
    s.parentNode.insertBefore(g,s);
    g.onload=function(){
      window.chatwootSDK.run({
        websiteToken: '{{WEBSITE_TOKEN}}',
        baseUrl: BASE_URL
      })
    }
  })(document,"script");
</script>
</body>
</html>
"#;

/// The shop, on a port of its own, embedding the widget of `website_token` from `base`.
pub(crate) async fn shop(base: &str, website_token: &str) -> String {
    let page = SHOP_PAGE
        .replace("{{BASE_URL}}", base)
        .replace("{{WEBSITE_TOKEN}}", website_token);
    let router = Router::new().route("/", get(move || async move { Html(page.clone()) }));
    support::serve_router(router).await
}

pub(crate) const SHADOW: &str = "document.querySelector('[data-chatwoot-widget]').shadowRoot";

/// Runs `script` inside the widget's window (the iframe in the bubble's shadow root).
pub(crate) async fn in_window(browser: &Browser, script: &str) -> Result<Value, String> {
    enter_window(browser).await?;
    browser
        .client
        .execute(script, vec![])
        .await
        .map_err(|e| e.to_string())
}

/// Makes the widget's window the frame later commands run in.
pub(crate) async fn enter_window(browser: &Browser) -> Result<(), String> {
    browser
        .client
        .enter_frame(None)
        .await
        .map_err(|e| e.to_string())?;
    let found = browser
        .client
        .execute(&format!("return {SHADOW}.querySelector('iframe');"), vec![])
        .await
        .map_err(|e| e.to_string())?;
    let id = found
        .get("element-6066-11e4-a52e-4f735466cecf")
        .and_then(Value::as_str)
        .ok_or("no window yet")?;
    Element::from_element_id(browser.client.clone(), ElementRef::from(id.to_owned()))
        .enter_frame()
        .await
        .map_err(|e| e.to_string())
}

/// Re-runs `script` in the widget's window until `done` holds (10 s at most).
pub(crate) async fn in_window_until(
    browser: &Browser,
    script: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let last = in_window(browser, script).await;
        if let Ok(value) = &last {
            if done(value) {
                return value.clone();
            }
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what} in the widget; last: {last:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Re-reads `uri` as the administrator until `done` holds for its body (10 s at most).
pub(crate) async fn api_until(
    app: &TestApp,
    uri: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let body = app.get(uri, &app.admin).await.json();
        if done(&body) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; last: {body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

pub(crate) async fn top(browser: &Browser, script: &str) -> Value {
    browser.run(&Frame::top(), script).await
}

/// Opens the shop, waits for `chatwoot:ready`, opens the bubble and waits for the window's
/// visitor session.
pub(crate) async fn open_chat(browser: &Browser, shop: &str) {
    browser.open(shop).await;
    top(
        browser,
        &format!("{SHADOW}.querySelector('button.bubble').click(); return true;"),
    )
    .await;
    in_window_until(
        browser,
        "return document.body.hasAttribute('data-ready')",
        "the session",
        |v| v == &json!(true),
    )
    .await;
}

/// Types `text` into the window's composer and sends it.
pub(crate) async fn write(browser: &Browser, text: &str) {
    let script = format!(
        "const input = document.getElementById('composer-input'); input.value = {text};
         input.dispatchEvent(new Event('input'));
         document.getElementById('composer').requestSubmit(); return true;",
        text = json!(text)
    );
    in_window(browser, &script)
        .await
        .expect("the composer sends");
}

pub(crate) fn thread_text() -> &'static str {
    "return document.getElementById('messages').textContent"
}

/// The visitor's tab (the shop) and the agent's, in one browser.
pub(crate) struct Tabs {
    visitor: fantoccini::wd::WindowHandle,
    agent: fantoccini::wd::WindowHandle,
}

impl Tabs {
    /// Opens a tab beside the visitor's in which the administrator signs in and opens the
    /// dashboard's page `path` (under the account, e.g. `conversations/3`); the browser is
    /// left in it.
    pub(crate) async fn agent_beside(
        browser: &Browser,
        app: &TestApp,
        base: &str,
        path: &str,
    ) -> Tabs {
        let visitor = browser.client.window().await.expect("the visitor's tab");
        let agent = browser
            .client
            .new_window(true)
            .await
            .expect("a new tab")
            .handle;
        let tabs = Tabs { visitor, agent };
        tabs.to_agent(browser).await;
        browser.sign_in(base, &app.admin.email).await;
        let account = app.acme.account_id;
        browser
            .open(&format!("{base}/app/accounts/{account}/{path}"))
            .await;
        tabs
    }

    pub(crate) async fn to_agent(&self, browser: &Browser) {
        browser
            .client
            .switch_to_window(self.agent.clone())
            .await
            .expect("to the agent's tab");
    }

    pub(crate) async fn to_visitor(&self, browser: &Browser) {
        browser
            .client
            .switch_to_window(self.visitor.clone())
            .await
            .expect("to the visitor's tab");
    }
}

/// Opens the shop's chat, writes `text` as the visitor and answers the conversation's display id.
pub(crate) async fn visitor_writes(browser: &Browser, shop: &str, text: &str) -> i64 {
    open_chat(browser, shop).await;
    write(browser, text).await;
    let id = in_window_until(
        browser,
        "return document.body.dataset.conversation || null",
        "the conversation",
        Value::is_string,
    )
    .await;
    id.as_str().unwrap().parse().expect("a display id")
}
