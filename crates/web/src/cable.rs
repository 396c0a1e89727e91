//! `/cable`: the subset of ActionCable's JSON protocol that Chatwoot's clients speak.
//! `welcome` on connect, a `ping` every 3 s, `subscribe` to `RoomChannel` with the user's
//! `pubsub_token` → `confirm_subscription` (or `reject_subscription`), then one `message` frame
//! per event of the accounts the user belongs to. The payloads are rendered once by the `Hub`.

use crate::state::AppState;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use domain::AccountId;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// How often the server pings (ActionCable's beat).
const PING_EVERY: Duration = Duration::from_secs(3);
/// A socket that sends nothing for this long is closed. ActionCable's JSON pings are never
/// answered, so each beat also sends a WebSocket ping, which browsers and WebSocket libraries
/// answer with a pong on their own: a live client is never idle this long, while a vanished
/// one (a laptop closed mid-session, a half-open TCP connection) stops holding a task.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// A frame that cannot be written within this long (the client stopped reading) ends the
/// socket rather than holding it open.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest command a client may send.
pub const MAX_COMMAND: usize = 16 * 1024;
/// Per-socket buffers. Clients send a few small commands and we send small frames, so the
/// library's 128 KiB defaults would make each idle socket cost ~130 KB.
const READ_BUFFER: usize = 4 * 1024;
const WRITE_BUFFER: usize = 4 * 1024;

/// `GET /cable`.
pub async fn connect(State(state): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    upgrade
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_message_size(MAX_COMMAND)
        .on_upgrade(move |socket| session(socket, state))
}

/// A client's command: `{"command": "subscribe", "identifier": "<JSON text>"}`.
#[derive(Debug, Deserialize)]
pub struct Command {
    pub command: String,
    pub identifier: String,
}

/// The identifier Chatwoot's client subscribes with (itself JSON inside a string).
#[derive(Debug, Deserialize)]
pub struct Identifier {
    pub channel: String,
    pub pubsub_token: Option<String>,
}

/// Reads a client frame; `None` for anything that is not a well-formed command.
pub fn parse_command(text: &str) -> Option<(Command, Identifier)> {
    if text.len() > MAX_COMMAND {
        return None;
    }
    let command: Command = from_object(text)?;
    let identifier: Identifier = from_object(&command.identifier)?;
    Some((command, identifier))
}

/// `text` read as `T` only when it is a JSON object: serde also reads a struct from an array
/// (`["subscribe", "…"]`), which is no ActionCable command.
fn from_object<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    if !value.is_object() {
        return None;
    }
    serde_json::from_value(value).ok()
}

struct Subscription {
    identifier: String,
    accounts: HashSet<AccountId>,
}

async fn session(socket: WebSocket, state: AppState) {
    let (mut sink, mut stream) = socket.split();
    let mut events = state.hub.subscribe();
    let mut subscriptions: Vec<Subscription> = Vec::new();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut last_heard = tokio::time::Instant::now();
    if send(&mut sink, r#"{"type":"welcome"}"#.to_owned())
        .await
        .is_err()
    {
        return;
    }
    loop {
        let outgoing: Vec<String> = tokio::select! {
            _ = ping.tick() => {
                if last_heard.elapsed() > IDLE_TIMEOUT {
                    break;
                }
                let probe = sink.send(Message::Ping(Default::default()));
                if !matches!(tokio::time::timeout(WRITE_TIMEOUT, probe).await, Ok(Ok(()))) {
                    return;
                }
                vec![format!(r#"{{"type":"ping","message":{}}}"#, domain::time::now())]
            }
            incoming = stream.next() => {
                last_heard = tokio::time::Instant::now();
                match incoming {
                    Some(Ok(Message::Text(text))) => handle(&state, &mut subscriptions, text.as_str()).await,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    // Pongs (and pings) only show the client is alive.
                    Some(Ok(_)) => Vec::new(),
                }
            }
            event = events.recv() => match event {
                Ok(rendered) => subscriptions
                    .iter()
                    .filter(|s| rendered.account_id.is_none_or(|a| s.accounts.contains(&a)))
                    .map(|s| frame(&s.identifier, &rendered.message))
                    .collect(),
                // Fell behind: tell the client to reload rather than pretend nothing was missed.
                Err(RecvError::Lagged(_)) => subscriptions
                    .iter()
                    .map(|s| frame(&s.identifier, r#"{"event":"resync","data":{}}"#))
                    .collect(),
                Err(RecvError::Closed) => break,
            },
        };
        for text in outgoing {
            if send(&mut sink, text).await.is_err() {
                return;
            }
        }
    }
}

async fn handle(
    state: &AppState,
    subscriptions: &mut Vec<Subscription>,
    text: &str,
) -> Vec<String> {
    let Some((command, identifier)) = parse_command(text) else {
        return Vec::new();
    };
    let reply = |kind: &str| {
        format!(
            r#"{{"identifier":{},"type":"{kind}"}}"#,
            serde_json::to_string(&command.identifier).expect("a string serializes")
        )
    };
    match command.command.as_str() {
        "subscribe" => {
            let accounts = match (&identifier.channel[..], identifier.pubsub_token.as_deref()) {
                ("RoomChannel", Some(token)) => accounts_of(state, token).await,
                _ => None,
            };
            match accounts {
                Some(accounts) => {
                    subscriptions.retain(|s| s.identifier != command.identifier);
                    subscriptions.push(Subscription {
                        identifier: command.identifier.clone(),
                        accounts,
                    });
                    vec![reply("confirm_subscription")]
                }
                None => vec![reply("reject_subscription")],
            }
        }
        "unsubscribe" => {
            subscriptions.retain(|s| s.identifier != command.identifier);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

async fn accounts_of(state: &AppState, pubsub_token: &str) -> Option<HashSet<AccountId>> {
    let user = state
        .store
        .users()
        .by_pubsub_token(pubsub_token)
        .await
        .ok()?;
    let memberships = state.store.users().memberships(user.id).await.ok()?;
    Some(
        memberships
            .into_iter()
            .map(|(account, _)| account.id)
            .collect(),
    )
}

fn frame(identifier: &str, message: &str) -> String {
    format!(
        r#"{{"identifier":{},"message":{message}}}"#,
        serde_json::to_string(identifier).expect("a string serializes")
    )
}

async fn send(
    sink: &mut futures_util::stream::SplitSink<WebSocket, Message>,
    text: String,
) -> Result<(), axum::Error> {
    match tokio::time::timeout(
        WRITE_TIMEOUT,
        sink.send(Message::Text(Utf8Bytes::from(text))),
    )
    .await
    {
        Ok(sent) => sent,
        Err(_) => Err(axum::Error::new("the client stopped reading")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_carry_their_identifier_as_json_text() {
        let text = r#"{"command":"subscribe","identifier":"{\"channel\":\"RoomChannel\",\"pubsub_token\":\"abc\"}"}"#;
        let (command, identifier) = parse_command(text).unwrap();
        assert_eq!(command.command, "subscribe");
        assert_eq!(identifier.channel, "RoomChannel");
        assert_eq!(identifier.pubsub_token.as_deref(), Some("abc"));
        for bad in [
            "",
            "{}",
            "[1]",
            r#"{"command":"subscribe","identifier":"nope"}"#,
        ] {
            assert!(parse_command(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn frames_embed_the_identifier_as_a_string() {
        let text = frame(r#"{"channel":"RoomChannel"}"#, r#"{"event":"x","data":{}}"#);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["identifier"], r#"{"channel":"RoomChannel"}"#);
        assert_eq!(value["message"]["event"], "x");
    }
}
