//! Property tests of the `/cable` frame parser (`cable::parse_command`): whatever a client
//! sends, it never panics; what it accepts is exactly ActionCable's command, a JSON object with a
//! string `command` and a string `identifier` that is itself a JSON object naming a `channel`.
//!
//! `cargo test` runs 256 cases per property; for a longer run:
//! `PROPTEST_CASES=200000 cargo test --release -p switchboard-web --test cable_properties`.

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use web::cable::{parse_command, MAX_COMMAND};

/// Any JSON, a few levels deep, with the keys the parser looks for common.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    prop::sample::select(vec!["command", "identifier", "channel", "pubsub_token"])
                        .prop_map(str::to_owned),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..4,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A command as a client may send it, well formed or not in any of its parts.
fn command_text() -> impl Strategy<Value = String> {
    let identifier = prop_oneof![
        // Chatwoot's: JSON text of {channel, pubsub_token}.
        (
            prop_oneof![Just("RoomChannel".to_owned()), any::<String>()],
            prop::option::of(prop_oneof![
                any::<String>().prop_map(Value::from),
                json_value()
            ]),
            prop::collection::btree_map("[a-z]{1,6}", json_value(), 0..2),
        )
            .prop_map(|(channel, token, extra)| {
                let mut object: Map<String, Value> = extra.into_iter().collect();
                object.insert("channel".into(), Value::from(channel));
                if let Some(token) = token {
                    object.insert("pubsub_token".into(), token);
                }
                Value::from(Value::Object(object).to_string())
            }),
        // Anything else: JSON text of any value, plain text, or not a string at all.
        json_value().prop_map(|v| Value::from(v.to_string())),
        json_value(),
    ];
    (
        prop_oneof![
            prop::sample::select(vec!["subscribe", "unsubscribe", "message"]).prop_map(Value::from),
            json_value(),
        ],
        identifier,
        prop::collection::btree_map("[a-z]{1,6}", json_value(), 0..2),
        any::<bool>(),
    )
        .prop_map(|(command, identifier, extra, as_array)| {
            if as_array {
                // The same fields as a JSON array: serde reads a struct from one.
                return json!([command, identifier]).to_string();
            }
            let mut object: Map<String, Value> = extra.into_iter().collect();
            object.insert("command".into(), command);
            object.insert("identifier".into(), identifier);
            Value::Object(object).to_string()
        })
}

/// What the parser must take from `text`: `(command, identifier, channel, pubsub_token)`.
fn expected(text: &str) -> Option<(String, String, String, Option<String>)> {
    if text.len() > MAX_COMMAND {
        return None;
    }
    let command: Value = serde_json::from_str(text).ok()?;
    let command = command.as_object()?;
    let name = command.get("command")?.as_str()?;
    let identifier_text = command.get("identifier")?.as_str()?;
    let identifier: Value = serde_json::from_str(identifier_text).ok()?;
    let identifier = identifier.as_object()?;
    let channel = identifier.get("channel")?.as_str()?;
    let token = match identifier.get("pubsub_token") {
        None | Some(Value::Null) => None,
        Some(Value::String(token)) => Some(token.clone()),
        Some(_) => return None,
    };
    Some((
        name.to_owned(),
        identifier_text.to_owned(),
        channel.to_owned(),
        token,
    ))
}

fn parsed(text: &str) -> Option<(String, String, String, Option<String>)> {
    parse_command(text).map(|(command, identifier)| {
        (
            command.command,
            command.identifier,
            identifier.channel,
            identifier.pubsub_token,
        )
    })
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics_and_is_taken_only_as_a_command(
        text in prop_oneof![any::<String>(), json_value().prop_map(|v| v.to_string())],
    ) {
        if let Some(taken) = parsed(&text) {
            prop_assert_eq!(Some(taken), expected(&text), "{}", text);
        }
    }

    #[test]
    fn commands_are_taken_exactly_as_the_protocol_says(text in command_text()) {
        prop_assert_eq!(parsed(&text), expected(&text), "{}", text);
    }

    #[test]
    fn an_oversized_command_is_refused(padding in MAX_COMMAND..MAX_COMMAND + 64) {
        let identifier = json!({"channel": "RoomChannel", "pubsub_token": "t"}).to_string();
        let short = json!({"command": "subscribe", "identifier": identifier, "pad": ""}).to_string();
        let pad = "x".repeat(padding - short.len() + 1);
        let text = json!({"command": "subscribe", "identifier": identifier, "pad": pad}).to_string();
        prop_assert!(text.len() > MAX_COMMAND);
        prop_assert!(parse_command(&text).is_none());
        // One byte shorter than the limit allows is fine.
        let fits = "x".repeat(MAX_COMMAND - short.len());
        let text = json!({"command": "subscribe", "identifier": identifier, "pad": fits}).to_string();
        prop_assert!(parse_command(&text).is_some());
    }
}
