//! Property test of `parseAppMessage` (`assets/js/app-protocol.js`), the one parser of what a
//! dashboard-app frame posts to the host, run in Chromium: proptest generates messages (bare
//! strings, JSON-wrapped strings, objects; near-miss event names, odd ids, oversized text), the
//! page parses them in batches, and each answer is compared with a model of the protocol
//! written here from its description: it never throws, requests are exactly the two request
//! names (bare, JSON-wrapped or as `{event}`), actions are exactly `insert-reply` and `notify`
//! objects with their id kept when it is a short string or a number, and nothing else is taken.
//!
//! 1,000 messages by default; longer: `PROPTEST_CASES=100000 cargo test --test browser app_protocol`.

use crate::harness::{Browser, Frame};
use crate::support::TestApp;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};

const REQUESTS: [&str; 2] = [
    "chatwoot-dashboard-app:fetch-info",
    "chatwoot-dashboard-app:ready",
];
const ACTIONS: [&str; 2] = ["insert-reply", "notify"];
/// A frame asking for a fresh token alone.
const TOKEN: &str = "chatwoot-dashboard-app:token";
/// `MAX_MESSAGE_LENGTH` in app-protocol.js, in UTF-16 code units as JavaScript counts.
const MAX_MESSAGE: usize = 64 * 1024;
/// Messages per `execute` round trip.
const BATCH: usize = 250;

/// Event names: the real ones, near misses, and anything.
fn event_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select([REQUESTS[0], REQUESTS[1], TOKEN].to_vec()).prop_map(str::to_owned),
        prop::sample::select(ACTIONS.to_vec()).prop_map(str::to_owned),
        prop::sample::select(vec![
            "chatwoot-dashboard-app:fetch-info ",
            " chatwoot-dashboard-app:ready",
            "CHATWOOT-DASHBOARD-APP:FETCH-INFO",
            "chatwoot-dashboard-app:fetch",
            "appContext",
            "insert-reply:result",
            "Notify",
            "notify\u{0}",
            "__proto__",
            "constructor",
            "",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ]
}

/// Any JSON a frame might post, small and at most a few levels deep. Numbers stay within
/// JavaScript's exact integers or are plainly fractional, so a round trip through the page
/// cannot change them.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-(1i64 << 53)..(1i64 << 53)).prop_map(Value::from),
        (-1_000_000i32..1_000_000).prop_map(|n| json!(f64::from(n) + 0.5)),
        any::<String>().prop_map(Value::from),
        event_name().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    prop::sample::select(vec!["event", "id", "text", "level", "data"])
                        .prop_map(str::to_owned),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..5,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object shaped like a request or an action, with the fields that matter varied.
fn message_object() -> impl Strategy<Value = Value> {
    let id = prop_oneof![
        "[a-z0-9-]{0,12}".prop_map(Value::from),
        "x{195,205}".prop_map(Value::from),
        (-(1i64 << 53)..(1i64 << 53)).prop_map(Value::from),
        json_value(),
    ];
    (
        event_name(),
        prop::option::of(id),
        prop::option::of(prop_oneof![
            any::<String>().prop_map(Value::from),
            json_value()
        ]),
        prop::option::of(json_value()),
        prop::collection::btree_map("[a-z]{1,6}", json_value(), 0..3),
    )
        .prop_map(|(event, id, text, level, extra)| {
            let mut object: Map<String, Value> = extra.into_iter().collect();
            object.insert("event".into(), Value::from(event));
            for (key, value) in [("id", id), ("text", text), ("level", level)] {
                if let Some(value) = value {
                    object.insert(key.into(), value);
                }
            }
            Value::Object(object)
        })
}

/// `event.data` as a frame could post it.
fn data() -> impl Strategy<Value = Value> {
    prop_oneof![
        // Bare strings: the request names, near misses, anything (some of it JSON text).
        event_name().prop_map(Value::from),
        // JSON-wrapped: a message object (or any value) as JSON text.
        prop_oneof![message_object(), json_value()].prop_map(|v| Value::from(v.to_string())),
        // Objects (and any other value) posted as they are.
        message_object(),
        json_value(),
        // A valid request as JSON text exactly at, or one past, the length the host parses.
        (0usize..2).prop_map(|extra| {
            let empty = json!({"event": REQUESTS[0], "pad": ""}).to_string();
            let pad = "x".repeat(MAX_MESSAGE + extra - empty.len());
            Value::from(json!({"event": REQUESTS[0], "pad": pad}).to_string())
        }),
    ]
}

fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// What `parseAppMessage(data)` must return, as JSON (`null` for "not for the host").
fn expected(data: &Value) -> Value {
    let value = match data {
        Value::String(text) if REQUESTS.contains(&text.as_str()) || text == TOKEN => data.clone(),
        Value::String(text) if utf16_len(text) > MAX_MESSAGE => data.clone(),
        Value::String(text) => serde_json::from_str(text).unwrap_or_else(|_| data.clone()),
        other => other.clone(),
    };
    let id_of = |object: &Map<String, Value>| match object.get("id") {
        Some(Value::String(id)) if utf16_len(id) <= 200 => Value::from(id.clone()),
        Some(Value::Number(n)) => Value::Number(n.clone()),
        _ => Value::Null,
    };
    match &value {
        Value::String(text) if REQUESTS.contains(&text.as_str()) => {
            json!({"kind": "request", "event": text})
        }
        Value::String(text) if text == TOKEN => json!({"kind": "token", "id": null}),
        Value::Object(object) => match object.get("event") {
            Some(Value::String(event)) if REQUESTS.contains(&event.as_str()) => {
                json!({"kind": "request", "event": event})
            }
            Some(Value::String(event)) if event == TOKEN => {
                json!({"kind": "token", "id": id_of(object)})
            }
            Some(Value::String(event)) if ACTIONS.contains(&event.as_str()) => {
                json!({"kind": "action", "event": event, "id": id_of(object), "payload": value})
            }
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}

/// Parses every input in the page; each answer is `{result, invalid}` or `{threw}`.
const PARSE_ALL: &str = r#"
const [inputs, done] = [arguments[0], arguments[arguments.length - 1]];
import("/assets/js/app-protocol.js").then(({ parseAppMessage, invalidAction }) => {
  done(inputs.map((data) => {
    try {
      const result = parseAppMessage(data);
      const invalid = result && result.kind === "action" ? invalidAction(result) : null;
      return { result, invalid };
    } catch (error) {
      return { threw: String(error && error.stack || error) };
    }
  }));
}, (error) => done({ importFailed: String(error) }));
"#;

#[tokio::test]
async fn parse_app_message_never_throws_and_takes_only_the_protocols_messages() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    browser
        .goto(&format!("{base}/app/login"))
        .await
        .expect("a page of our origin opens");
    browser.run(&Frame::top(), "return true").await;

    let cases: usize = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let mut runner = TestRunner::new(Config::default());
    let strategy = data();
    let (mut requests, mut actions, mut tokens) = (0, 0, 0);
    let mut done = 0;
    while done < cases {
        let batch: Vec<Value> = (0..BATCH.min(cases - done))
            .map(|_| {
                strategy
                    .new_tree(&mut runner)
                    .expect("the strategy generates")
                    .current()
            })
            .collect();
        let answers = browser
            .client
            .execute_async(PARSE_ALL, vec![Value::Array(batch.clone())])
            .await
            .expect("the batch runs");
        let answers = answers
            .as_array()
            .unwrap_or_else(|| panic!("the page answered {answers}"));
        assert_eq!(answers.len(), batch.len());
        for (data, answer) in batch.iter().zip(answers) {
            assert!(answer.get("threw").is_none(), "threw on {data}: {answer}");
            let result = &answer["result"];
            assert_eq!(result, &expected(data), "parseAppMessage({data})");
            match result["kind"].as_str() {
                Some("request") => requests += 1,
                Some("action") => {
                    actions += 1;
                    assert!(
                        answer["invalid"].is_null() || answer["invalid"].is_string(),
                        "invalidAction on {data}: {answer}"
                    );
                }
                Some("token") => tokens += 1,
                _ => assert!(result.is_null(), "{result}"),
            }
        }
        done += batch.len();
    }
    // The generator must reach every kind often, or the comparison proves little.
    assert!(
        requests * 20 > cases && actions * 20 > cases && tokens * 50 > cases,
        "{requests} requests, {actions} actions and {tokens} token requests in {cases} messages"
    );
    eprintln!(
        "app-protocol: {cases} messages, {requests} requests, {actions} actions, {tokens} tokens"
    );
}
