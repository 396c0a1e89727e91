//! The "recorder": a dashboard app served on its own origin that writes down every `message`
//! event it receives and can send the requests real apps send.
//!
//! In the page:
//! - `window.__received`: `{data, origin, isString, fromParent, readyState}` per message, and
//!   `body[data-count]` mirrors how many; `body[data-ready]` once the document is parsed,
//!   `body[data-loaded]` after its `load`;
//! - `window.__request(form, event, target)`: posts `event` (default
//!   `chatwoot-dashboard-app:fetch-info`) to `window.parent` (or `window.top` when `target` is
//!   `"top"`) with `"*"`, as a bare string (`"bare"`), a JSON string (`"json"`) or an object
//!   (`"object"`);
//! - query `send=early`: sends a bare request from `<head>`, before the document's `load`;
//!   `hold=MS`: holds `load` back MS milliseconds with a slow image.

use crate::harness::{Browser, Frame};
use axum::extract::Query;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const FETCH_INFO: &str = "chatwoot-dashboard-app:fetch-info";
pub const READY: &str = "chatwoot-dashboard-app:ready";

/// How many messages the frame received.
pub const COUNT: &str = "return window.__received ? window.__received.length : -1";

const SCRIPT: &str = r#"(function () {
  "use strict";
  var FETCH = "chatwoot-dashboard-app:fetch-info";
  window.__received = [];
  function mirror() {
    if (document.body) document.body.dataset.count = String(window.__received.length);
  }
  window.addEventListener("message", function (event) {
    window.__received.push({
      data: event.data,
      origin: event.origin,
      isString: typeof event.data === "string",
      fromParent: event.source === window.parent,
      readyState: document.readyState
    });
    mirror();
  });
  window.__request = function (form, name, target) {
    name = name || FETCH;
    var message = name;
    if (form === "json") message = JSON.stringify({ event: name });
    if (form === "object") message = { event: name };
    var to = target === "top" ? window.top : window.parent;
    to.postMessage(message, "*");
    return true;
  };
  document.addEventListener("DOMContentLoaded", function () {
    mirror();
    document.getElementById("where").textContent = location.href;
    document.body.dataset.ready = "true";
  });
  window.addEventListener("load", function () {
    document.body.dataset.loaded = "true";
  });
})();
"#;

/// A 1×1 transparent GIF.
const GIF: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

fn page(query: &HashMap<String, String>) -> String {
    let early = if query.get("send").map(String::as_str) == Some("early") {
        "<script>window.__request(\"bare\");</script>"
    } else {
        ""
    };
    let hold = match query.get("hold").and_then(|ms| ms.parse::<u64>().ok()) {
        Some(ms) => format!("<img src=\"/slow?ms={ms}\" alt=\"\" width=\"1\" height=\"1\">"),
        None => String::new(),
    };
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Recorder</title>\n\
         <script src=\"/recorder.js\"></script>\n{early}\n</head>\n\
         <body data-count=\"0\">\n<h1>Recorder</h1>\n<p id=\"where\"></p>\n{hold}\n</body>\n</html>\n"
    )
}

pub struct Recorder {
    /// `http://127.0.0.1:PORT`: this recorder's origin.
    pub base: String,
    hits: Arc<AtomicUsize>,
}

impl Recorder {
    /// Serves a recorder on a port of its own (so an origin of its own).
    pub async fn start() -> Self {
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let router = Router::new()
            .route(
                "/recorder",
                get(move |Query(query): Query<HashMap<String, String>>| {
                    let counter = counter.clone();
                    async move {
                        counter.fetch_add(1, Ordering::SeqCst);
                        (
                            [
                                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                                (header::CACHE_CONTROL, "no-store"),
                            ],
                            page(&query),
                        )
                    }
                }),
            )
            .route(
                "/recorder.js",
                get(|| async {
                    (
                        [
                            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                            (header::CACHE_CONTROL, "no-store"),
                        ],
                        SCRIPT,
                    )
                }),
            )
            .route(
                "/slow",
                get(|Query(query): Query<HashMap<String, String>>| async move {
                    let ms = query.get("ms").and_then(|v| v.parse().ok()).unwrap_or(0u64);
                    tokio::time::sleep(Duration::from_millis(ms.min(10_000))).await;
                    (
                        [
                            (header::CONTENT_TYPE, "image/gif"),
                            (header::CACHE_CONTROL, "no-store"),
                        ],
                        GIF,
                    )
                        .into_response()
                }),
            );
        Recorder {
            base: crate::support::serve_router(router).await,
            hits,
        }
    }

    /// `{base}/recorder?{query}`.
    pub fn url(&self, query: &str) -> String {
        format!("{}/recorder?{query}", self.base)
    }

    /// How many times the recorder page itself was requested.
    pub fn page_hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Waits until the recorder in `frame` has received exactly `count` messages (at least, then
/// checks it is not more) and returns them.
pub async fn wait_count(browser: &Browser, frame: &Frame, count: usize) -> Vec<Value> {
    let seen = browser
        .eventually(frame, COUNT, &format!("{count} messages"), |v| {
            v.as_u64().is_some_and(|n| n >= count as u64)
        })
        .await;
    assert_eq!(
        seen,
        json!(count),
        "more messages than expected in {frame:?}"
    );
    received(browser, frame).await
}

pub async fn received(browser: &Browser, frame: &Frame) -> Vec<Value> {
    match browser.run(frame, "return window.__received").await {
        Value::Array(items) => items,
        other => panic!("no recorder in {frame:?}: {other}"),
    }
}

/// Parses a received message as an `appContext` string.
pub fn context_of(message: &Value) -> Value {
    assert_eq!(
        message["isString"], true,
        "the context is a string: {message}"
    );
    let text = message["data"].as_str().expect("string data");
    let context: Value = serde_json::from_str(text).expect("the context parses as JSON");
    assert_eq!(context["event"], "appContext", "{context}");
    context
}

/// Sends a request from the recorder in `frame`.
pub async fn request(browser: &Browser, frame: &Frame, form: &str, event: &str) {
    let sent = browser
        .run(
            frame,
            &format!("return window.__request({form:?}, {event:?});"),
        )
        .await;
    assert_eq!(sent, json!(true), "request sent from {frame:?}");
}

/// How many contexts the host says it posted to an app frame (`data-context-sent`).
pub fn sent_script(app_id: i64, index: usize) -> String {
    format!(
        "var f = document.querySelector({:?}); return f ? Number(f.dataset.contextSent || 0) : -1;",
        crate::harness::app_frame_css(app_id, index)
    )
}
