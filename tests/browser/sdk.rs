//! The author SDK (`/sdk/dashboard-app.js`) in a real browser: a test app built on it runs on an
//! origin of its own and imports the SDK from Switchboard's (so across origins, as authors will);
//! here it is framed by a scripted host page on a third origin, which sends exactly the messages
//! a case needs — stale, foreign, unanswered — and records what the app sends back.

use crate::harness::{Browser, Frame};
use crate::support::{self, TestApp};
use axum::http::header;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

/// The test app: its page imports the SDK from `?host=` and connects with `?options=` (JSON).
/// In the page: `window.__contexts` (every context `onContext` delivered, mirrored as
/// `body[data-contexts]`), `window.__contextError` (the code `context()` rejected with),
/// `window.__app` (the SDK), and `window.__act(kind, text, level)`, which starts an action and
/// writes its outcome — `{kind, text, ok, code, message}` — to `window.__outcomes`.
const APP_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>SDK test app</title>
<script type="module" src="/sdk-app.js"></script></head>
<body data-contexts="0"><h1>SDK test app</h1></body>
</html>
"#;

const APP_SCRIPT: &str = r#"
const params = new URLSearchParams(location.search);
const { connect, DashboardAppError } = await import(`${params.get("host")}/sdk/dashboard-app.js`);
const app = connect(JSON.parse(params.get("options") || "{}"));
window.__app = app;
window.__contexts = [];
window.__outcomes = [];
app.onContext((context) => {
  window.__contexts.push(context);
  document.body.dataset.contexts = String(window.__contexts.length);
});
app.context().catch((error) => {
  window.__contextError = error instanceof DashboardAppError ? error.code : `not an SDK error: ${error}`;
});
window.__act = (kind, text, level) => {
  const promise = kind === "notify" ? app.notify(text, { level }) : app.insertReply(text);
  promise.then(
    () => window.__outcomes.push({ kind, text, ok: true }),
    (error) => window.__outcomes.push({ kind, text, ok: false, code: error.code, message: error.message }),
  );
  return true;
};
document.body.dataset.ready = "true";
"#;

/// The scripted host: frames `?app=` as `#app` and `?pinned=` as `#pinned`. `window.__fromApp`
/// records every message a frame sends (`{frame, data}`); `window.__post(frameId, message)`
/// posts a message (objects as JSON strings, as a host does).
const HOST_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Scripted host</title><script src="/host.js"></script></head>
<body><iframe id="app" title="app"></iframe><iframe id="pinned" title="pinned"></iframe></body>
</html>
"#;

const HOST_SCRIPT: &str = r#"
window.__fromApp = [];
window.addEventListener("message", (event) => {
  const frame = [...document.querySelectorAll("iframe")].find((f) => f.contentWindow === event.source);
  window.__fromApp.push({ frame: frame ? frame.id : null, data: event.data });
});
window.__post = (id, message) => {
  const data = typeof message === "string" ? message : JSON.stringify(message);
  document.getElementById(id).contentWindow.postMessage(data, "*");
  return true;
};
document.addEventListener("DOMContentLoaded", () => {
  const params = new URLSearchParams(location.search);
  document.getElementById("app").src = params.get("app");
  if (params.get("pinned")) document.getElementById("pinned").src = params.get("pinned");
  document.body.dataset.ready = "true";
});
"#;

fn page(body: &'static str) -> ([(header::HeaderName, &'static str); 2], &'static str) {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
}

fn script(body: &'static str) -> ([(header::HeaderName, &'static str); 2], &'static str) {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
}

/// The SDK test app, on a port (so an origin) of its own.
pub struct SdkApp {
    pub base: String,
}

impl SdkApp {
    pub async fn start() -> Self {
        let router = Router::new()
            .route("/app", get(|| async { page(APP_PAGE) }))
            .route("/sdk-app.js", get(|| async { script(APP_SCRIPT) }));
        SdkApp {
            base: support::serve_router(router).await,
        }
    }

    /// The app's URL, importing the SDK from Switchboard at `host`, connecting with `options`.
    pub fn url(&self, host: &str, options: &Value) -> String {
        format!(
            "{}/app?host={}&options={}",
            self.base,
            encode(host),
            encode(&options.to_string())
        )
    }
}

/// Percent-encodes a query value.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Waits until the app in `frame` has delivered `count` contexts, and returns them all.
pub async fn contexts(browser: &Browser, frame: &Frame, count: usize) -> Vec<Value> {
    let seen = browser
        .eventually(
            frame,
            "return window.__contexts ? window.__contexts : null;",
            &format!("{count} contexts delivered by the SDK"),
            |v| v.as_array().is_some_and(|a| a.len() >= count),
        )
        .await;
    seen.as_array().expect("an array").clone()
}

/// Starts an action in the app in `frame` and waits for its outcome.
pub async fn act(browser: &Browser, frame: &Frame, kind: &str, text: &str, level: &str) -> Value {
    let before = outcomes(browser, frame).await.len();
    browser
        .run(
            frame,
            &format!(
                "return window.__act({}, {}, {});",
                json!(kind),
                json!(text),
                json!(level)
            ),
        )
        .await;
    let all = browser
        .eventually(
            frame,
            "return window.__outcomes;",
            &format!("the outcome of {kind} {text:?}"),
            |v| v.as_array().is_some_and(|a| a.len() > before),
        )
        .await;
    all[before].clone()
}

async fn outcomes(browser: &Browser, frame: &Frame) -> Vec<Value> {
    browser
        .run(frame, "return window.__outcomes || [];")
        .await
        .as_array()
        .expect("an array")
        .clone()
}

/// What the `#app` frame sent the scripted host so far.
async fn from_app(browser: &Browser) -> Vec<Value> {
    browser
        .run(
            &Frame::top(),
            "return window.__fromApp.filter((m) => m.frame === 'app').map((m) => m.data);",
        )
        .await
        .as_array()
        .expect("an array")
        .clone()
}

/// A context as a host sends it: the sample fixture, with `meta` and `token` when given.
fn context(seq: Option<u64>, reason: &str, token: &str) -> Value {
    let mut message = support::fixture("app-context.sample.json");
    message["token"] = json!(token);
    if let Some(seq) = seq {
        message["meta"] = json!({"seq": seq, "reason": reason, "protocol": 1});
    }
    message
}

async fn post(browser: &Browser, frame_id: &str, message: &Value) {
    let sent = browser
        .run(
            &Frame::top(),
            &format!("return window.__post({}, {message});", json!(frame_id)),
        )
        .await;
    assert_eq!(sent, json!(true));
}

#[tokio::test]
async fn the_sdk_asks_until_answered_drops_stale_contexts_and_settles_actions_by_id() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let switchboard = app.serve().await;
    let sdk_app = SdkApp::start().await;
    let host = support::serve_router(
        Router::new()
            .route("/host", get(|| async { page(HOST_PAGE) }))
            .route("/host.js", get(|| async { script(HOST_SCRIPT) })),
    )
    .await;
    assert_ne!(host, sdk_app.base);
    let main = sdk_app.url(&switchboard, &json!({"actionTimeout": 2500}));
    // Pinned to an origin the host is not on: it must take nothing from this host.
    let pinned = sdk_app.url(
        &switchboard,
        &json!({"hostOrigin": "http://127.0.0.1:9", "contextTimeout": 1500}),
    );
    browser
        .open(&format!(
            "{host}/host?app={}&pinned={}",
            encode(&main),
            encode(&pinned)
        ))
        .await;
    let frame = Frame::top().child("#app");
    let pinned_frame = Frame::top().child("#pinned");

    // Unanswered, it asks again: at once, then after 250 ms and 750 ms (and later still).
    browser
        .eventually(
            &Frame::top(),
            "return window.__fromApp.filter((m) => m.frame === 'app').length;",
            "three context requests",
            |v| v.as_u64().is_some_and(|n| n >= 3),
        )
        .await;
    for data in from_app(&browser).await {
        assert_eq!(data, json!("chatwoot-dashboard-app:fetch-info"));
    }

    // The first context is delivered; a lower seq is dropped; one without meta is delivered.
    post(&browser, "app", &context(Some(5), "load", "t5")).await;
    contexts(&browser, &frame, 1).await;
    post(&browser, "app", &context(Some(3), "stale", "t3")).await;
    post(&browser, "app", &context(Some(7), "message.created", "t7")).await;
    post(&browser, "app", &context(None, "", "chatwoot")).await;
    let delivered = contexts(&browser, &frame, 3).await;
    let tokens: Vec<&Value> = delivered.iter().map(|c| &c["token"]).collect();
    assert_eq!(tokens, [&json!("t5"), &json!("t7"), &json!("chatwoot")]);
    assert_eq!(
        delivered[0]["data"]["conversation"]["id"],
        json!(7),
        "the context as sent"
    );

    // Only window.parent is heard: the app posting to itself a higher seq changes nothing, so
    // the host's seq 8 is still delivered after it.
    browser
        .run(
            &frame,
            &format!(
                "window.postMessage(JSON.stringify({}), '*'); return true;",
                context(Some(100), "forged", "forged")
            ),
        )
        .await;
    post(&browser, "app", &context(Some(8), "assignee.changed", "t8")).await;
    let delivered = contexts(&browser, &frame, 4).await;
    assert_eq!(delivered.len(), 4, "{delivered:#?}");
    assert_eq!(delivered[3]["token"], "t8");
    assert_eq!(
        browser.run(&frame, "return window.__app.token;").await,
        json!("t8")
    );

    // insert-reply: the host gets the action as a JSON string with an id; answers for another
    // id or another action do not settle it, the right one does.
    browser
        .run(
            &frame,
            "return window.__act('insert-reply', 'Your order ships today.');",
        )
        .await;
    let action = browser
        .eventually(
            &Frame::top(),
            "return window.__fromApp.filter((m) => m.frame === 'app' && m.data.includes('insert-reply')).map((m) => JSON.parse(m.data));",
            "the insert-reply action",
            |v| v.as_array().is_some_and(|a| !a.is_empty()),
        )
        .await[0]
        .clone();
    assert_eq!(action["event"], "insert-reply");
    assert_eq!(action["text"], "Your order ships today.");
    let id = action["id"].clone();
    assert!(id.is_string(), "{action}");
    post(
        &browser,
        "app",
        &json!({"event": "insert-reply:result", "id": "someone-else", "ok": true, "error": null}),
    )
    .await;
    post(
        &browser,
        "app",
        &json!({"event": "notify:result", "id": id, "ok": true, "error": null}),
    )
    .await;
    browser
        .stays(
            &frame,
            "return window.__outcomes.length;",
            &json!(0),
            "outcomes before the right answer",
        )
        .await;
    post(
        &browser,
        "app",
        &json!({"event": "insert-reply:result", "id": id, "ok": true, "error": null}),
    )
    .await;
    let outcome = browser
        .eventually(
            &frame,
            "return window.__outcomes[0] || null;",
            "the outcome",
            |v| !v.is_null(),
        )
        .await;
    assert_eq!(outcome["ok"], true, "{outcome}");

    // A refusal rejects with the host's code and sentence.
    browser
        .run(
            &frame,
            "return window.__act('notify', 'Copied', 'success');",
        )
        .await;
    let notify = browser
        .eventually(
            &Frame::top(),
            "return window.__fromApp.filter((m) => m.frame === 'app' && m.data.includes('\"notify\"')).map((m) => JSON.parse(m.data));",
            "the notify action",
            |v| v.as_array().is_some_and(|a| !a.is_empty()),
        )
        .await[0]
        .clone();
    assert_eq!(notify["level"], "success");
    assert_ne!(notify["id"], id, "every action has its own id");
    post(
        &browser,
        "app",
        &json!({"event": "notify:result", "id": notify["id"], "ok": false, "error": "not_allowed", "message": "notify is not allowed for this app"}),
    )
    .await;
    let refused = browser
        .eventually(
            &frame,
            "return window.__outcomes[1] || null;",
            "the refusal",
            |v| !v.is_null(),
        )
        .await;
    assert_eq!(refused["ok"], false);
    assert_eq!(refused["code"], "not_allowed");
    assert_eq!(refused["message"], "notify is not allowed for this app");

    // Unanswered, an action rejects after the timeout; a bad level never reaches the host.
    let sent_before = from_app(&browser).await.len();
    let bad = act(&browser, &frame, "notify", "x", "loud").await;
    assert_eq!(bad["code"], "invalid", "{bad}");
    assert_eq!(from_app(&browser).await.len(), sent_before);
    let silent = act(&browser, &frame, "insert-reply", "anyone?", "").await;
    assert_eq!(silent["ok"], false);
    assert_eq!(silent["code"], "timeout", "{silent}");

    // The pinned app ignores this host entirely and gives up with a clear error.
    post(&browser, "pinned", &context(Some(1), "load", "t1")).await;
    let error = browser
        .eventually(
            &pinned_frame,
            "return window.__contextError || null;",
            "the pinned app giving up",
            |v| !v.is_null(),
        )
        .await;
    assert_eq!(error, "no_context");
    browser
        .stays(
            &pinned_frame,
            "return window.__contexts.length;",
            &json!(0),
            "the pinned app's contexts",
        )
        .await;
}
