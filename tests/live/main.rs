//! `/cable` over real sockets: the handshake and its subprotocol, rejection of a bad token or
//! another user's id, account isolation, a contact's subscription seeing its own conversations'
//! public messages only, presence, payload shapes (every frame checked against
//! `tests/fixtures/cable.schema.json`), and delivery across two instances sharing one PostgreSQL
//! database.

#[path = "../support/mod.rs"]
mod support;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use support::TestApp;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use web::AppState;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The longest any test waits for a frame that must come.
const PATIENCE: Duration = Duration::from_secs(10);

async fn open(base: &str) -> Socket {
    let url = format!("{}/cable", base.replacen("http", "ws", 1));
    let (socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("the socket opens");
    socket
}

/// The next JSON frame that is not a ping, or None when none comes within `wait`.
async fn next_frame(socket: &mut Socket, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let frame = tokio::time::timeout_at(deadline, socket.next())
            .await
            .ok()??
            .ok()?;
        if let Message::Text(text) = frame {
            let value: Value = serde_json::from_str(text.as_str()).expect("frames are JSON");
            let errors = cable_schema_errors(&value);
            assert!(errors.is_empty(), "{value}: {errors:#?}");
            if value["type"] != "ping" {
                return Some(value);
            }
        }
    }
}

/// Where `frame` departs from `tests/fixtures/cable.schema.json`.
fn cable_schema_errors(frame: &Value) -> Vec<String> {
    static VALIDATOR: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            jsonschema::validator_for(&support::fixture("cable.schema.json"))
                .expect("the cable schema compiles")
        })
        .iter_errors(frame)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

async fn user_pubsub_token(app: &TestApp, email: &str) -> String {
    let body = json!({"email": email, "password": support::PASSWORD}).to_string();
    let response = app
        .request(axum::http::Method::POST, "/auth/sign_in", None, Some(&body))
        .await;
    response.json()["data"]["pubsub_token"]
        .as_str()
        .expect("a pubsub token")
        .to_owned()
}

async fn subscribe(socket: &mut Socket, token: &str) -> Value {
    subscribe_as(
        socket,
        json!({"channel": "RoomChannel", "pubsub_token": token}),
    )
    .await
}

/// Subscribes with `identifier` (sent as JSON text) and returns the answer.
async fn subscribe_as(socket: &mut Socket, identifier: Value) -> Value {
    let identifier = identifier.to_string();
    let command = json!({"command": "subscribe", "identifier": identifier}).to_string();
    socket
        .send(Message::Text(command.into()))
        .await
        .expect("sent");
    next_frame(socket, PATIENCE)
        .await
        .expect("a subscription answer")
}

/// Opens a socket, checks the welcome and subscribes as `email`.
async fn subscribed(app: &TestApp, base: &str, email: &str) -> Socket {
    let mut socket = open(base).await;
    let welcome = next_frame(&mut socket, PATIENCE).await.expect("welcome");
    assert_eq!(welcome, json!({"type": "welcome"}));
    let token = user_pubsub_token(app, email).await;
    let answer = subscribe(&mut socket, &token).await;
    assert_eq!(answer["type"], "confirm_subscription", "{answer}");
    socket
}

/// Waits for the next `message` frame carrying `event`.
async fn event(socket: &mut Socket, name: &str) -> Value {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let frame = next_frame(socket, left)
            .await
            .unwrap_or_else(|| panic!("no {name} event came"));
        if frame["message"]["event"] == name {
            return frame;
        }
    }
}

#[tokio::test]
async fn a_socket_is_welcomed_pinged_and_confirmed() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut socket = subscribed(&app, &base, &app.admin.email).await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let ping = loop {
        let frame = tokio::time::timeout_at(deadline, socket.next())
            .await
            .expect("a ping within 10 s");
        if let Some(Ok(Message::Text(text))) = frame {
            let value: Value = serde_json::from_str(text.as_str()).unwrap();
            if value["type"] == "ping" {
                break value;
            }
        }
    };
    assert!(ping["message"].is_i64());
}

#[tokio::test]
async fn a_bad_pubsub_token_is_rejected() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut socket = open(&base).await;
    next_frame(&mut socket, PATIENCE).await.expect("welcome");
    let answer = subscribe(&mut socket, "not-a-token").await;
    assert_eq!(answer["type"], "reject_subscription");
    let identifier: Value = serde_json::from_str(answer["identifier"].as_str().unwrap()).unwrap();
    assert_eq!(identifier["channel"], "RoomChannel");
}

#[tokio::test]
async fn events_reach_members_of_their_account_only() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut acme = subscribed(&app, &base, &app.agent.email).await;
    let mut globex = subscribed(&app, &base, &app.stranger.email).await;

    let uri = app.api(&format!("conversations/{}/messages", app.acme.conversation));
    let created = app
        .post(
            &uri,
            &app.admin,
            &json!({"content": "Your parcel is on its way"}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);

    let frame = event(&mut acme, "message.created").await;
    let data = &frame["message"]["data"];
    assert_eq!(data["content"], "Your parcel is on its way");
    assert_eq!(data["conversation_id"], app.acme.conversation);
    assert_eq!(data["message_type"], 1);
    assert_eq!(data["sender"]["type"], "user");
    assert_eq!(data["conversation"]["id"], app.acme.conversation);

    // Globex's member sees its own account's event next, never Acme's.
    let theirs = app.other_api(&format!(
        "conversations/{}/messages",
        app.other.conversation
    ));
    app.post(&theirs, &app.stranger, &json!({"content": "globex only"}))
        .await;
    let frame = event(&mut globex, "message.created").await;
    assert_eq!(frame["message"]["data"]["content"], "globex only");
    assert_eq!(frame["message"]["data"]["account_id"], app.other.account_id);
}

/// Chatwoot's clients name one account when they subscribe; the agent is present there alone
/// but hears every account it belongs to (Chatwoot streams to the user's token), even one no
/// other socket on this instance listens to.
#[tokio::test]
async fn an_agent_naming_one_account_hears_its_other_accounts_events_too() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let joined = domain::user::NewAgent {
        account_id: domain::AccountId(app.other.account_id),
        name: "Agent".into(),
        email: app.agent.email.clone(),
        // An administrator there, so every conversation's events are theirs to hear.
        role: domain::Role::Administrator,
    };
    app.store()
        .users()
        .add_agent(&joined, None, store::AddExisting::Join)
        .await
        .expect("Acme's agent joins Globex");
    let mut socket = open(&base).await;
    next_frame(&mut socket, PATIENCE).await.expect("welcome");
    let token = user_pubsub_token(&app, &app.agent.email).await;
    let identifier = json!({
        "channel": "RoomChannel",
        "pubsub_token": token,
        "account_id": app.acme.account_id,
        "user_id": app.agent.id,
    });
    let answer = subscribe_as(&mut socket, identifier).await;
    assert_eq!(answer["type"], "confirm_subscription", "{answer}");

    let theirs = app.other_api(&format!(
        "conversations/{}/messages",
        app.other.conversation
    ));
    let sent = app
        .post(&theirs, &app.stranger, &json!({"content": "for Globex"}))
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let frame = event(&mut socket, "message.created").await;
    assert_eq!(frame["message"]["data"]["content"], "for Globex");
    assert_eq!(frame["message"]["data"]["account_id"], app.other.account_id);
}

#[tokio::test]
async fn conversation_events_carry_the_chatwoot_conversation() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut socket = subscribed(&app, &base, &app.admin.email).await;
    let toggle = app.api(&format!(
        "conversations/{}/toggle_status",
        app.acme.conversation
    ));
    app.post(&toggle, &app.admin, &json!({"status": "pending"}))
        .await;
    let frame = event(&mut socket, "conversation.status_changed").await;
    let data = &frame["message"]["data"];
    assert_eq!(data["status"], "pending");
    assert_eq!(data["id"], app.acme.conversation);
    assert!(support::schema_errors(data, Some("conversation")).is_empty());

    let assign = app.api(&format!(
        "conversations/{}/assignments",
        app.acme.conversation
    ));
    app.post(&assign, &app.admin, &json!({"assignee_id": app.agent.id}))
        .await;
    let frame = event(&mut socket, "assignee.changed").await;
    assert_eq!(
        frame["message"]["data"]["meta"]["assignee"]["id"],
        app.agent.id
    );

    let contact = app.api(&format!("contacts/{}", app.acme.contact_id));
    app.patch(&contact, &app.admin, &json!({"name": "Maria L."}))
        .await;
    let frame = event(&mut socket, "contact.updated").await;
    assert_eq!(frame["message"]["data"]["name"], "Maria L.");
    assert_eq!(frame["message"]["data"]["account_id"], app.acme.account_id);
    assert!(support::schema_errors(&frame["message"]["data"], Some("contact")).is_empty());
}

#[tokio::test]
async fn deleting_a_message_announces_message_updated() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut socket = subscribed(&app, &base, &app.admin.email).await;
    let messages = app.api(&format!("conversations/{}/messages", app.acme.conversation));
    let sent = app
        .post(
            &messages,
            &app.admin,
            &json!({"content": "wrong customer, sorry"}),
        )
        .await;
    let id = sent.json()["id"].as_i64().expect("a message id");
    let uri = format!("{messages}/{id}");

    let refused = app.delete(&uri, &app.agent).await;
    assert_eq!(
        refused.status, 401,
        "an agent may not delete another's message"
    );
    let foreign = app
        .delete(
            &app.other_api(&format!(
                "conversations/{}/messages/{id}",
                app.other.conversation
            )),
            &app.stranger,
        )
        .await;
    assert_eq!(
        foreign.status, 404,
        "the message is not in that account's conversation"
    );
    assert_eq!(
        app.delete(&format!("{messages}/999999"), &app.admin)
            .await
            .status,
        404
    );

    let deleted = app.delete(&uri, &app.admin).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert_eq!(deleted.json()["content"], "This message was deleted");
    let frame = event(&mut socket, "message.updated").await;
    let data = &frame["message"]["data"];
    assert_eq!(data["id"], id);
    assert_eq!(data["content_attributes"]["deleted"], true);
    assert_eq!(data["conversation_id"], app.acme.conversation);
}

#[tokio::test]
async fn merging_contacts_moves_conversations_and_announces_contact_changed() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut socket = subscribed(&app, &base, &app.admin.email).await;
    let created = app
        .post(&app.api("contacts"), &app.admin, &json!({"name": "M. Lopez", "email": "m.lopez@personal.example", "inbox_id": app.acme.inbox_id}))
        .await;
    let mergee = created.json()["payload"]["contact"]["id"]
        .as_i64()
        .expect("a contact id");
    let conversation = app
        .post(&app.api("conversations"), &app.admin, &json!({"inbox_id": app.acme.inbox_id, "contact_id": mergee, "message": {"content": "from my personal address"}}))
        .await
        .json()["id"]
        .as_i64()
        .expect("a display id");
    let merge = app.api("actions/contact_merge");

    let into_itself = app
        .post(
            &merge,
            &app.admin,
            &json!({"base_contact_id": mergee, "mergee_contact_id": mergee}),
        )
        .await;
    assert_eq!(into_itself.status, 422);
    let foreign = app.post(&merge, &app.admin, &json!({"base_contact_id": app.acme.contact_id, "mergee_contact_id": app.other.contact_id})).await;
    assert_eq!(foreign.status, 404);

    let merged = app
        .post(
            &merge,
            &app.admin,
            &json!({"base_contact_id": app.acme.contact_id, "mergee_contact_id": mergee}),
        )
        .await;
    assert_eq!(merged.status, 200, "{}", merged.text);
    assert_eq!(
        merged.json()["email"],
        "maria@northwind.example",
        "the base keeps its own e-mail"
    );
    let frame = event(&mut socket, "conversation.contact_changed").await;
    assert_eq!(frame["message"]["data"]["id"], conversation);
    assert_eq!(
        frame["message"]["data"]["meta"]["sender"]["id"],
        app.acme.contact_id
    );
    assert_eq!(
        app.get(&app.api(&format!("contacts/{mergee}")), &app.admin)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn typing_is_announced_on_and_off() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut socket = subscribed(&app, &base, &app.admin.email).await;
    let uri = app.api(&format!(
        "conversations/{}/toggle_typing_status",
        app.acme.conversation
    ));
    let on = app
        .post(&uri, &app.agent, &json!({"typing_status": "on"}))
        .await;
    assert_eq!(on.status, 200);
    let frame = event(&mut socket, "conversation.typing_on").await;
    assert_eq!(frame["message"]["data"]["user"]["id"], app.agent.id);
    assert_eq!(frame["message"]["data"]["account_id"], app.acme.account_id);
    assert_eq!(frame["message"]["data"]["is_private"], false);
    assert_eq!(
        frame["message"]["data"]["conversation"]["id"],
        app.acme.conversation
    );
    app.post(&uri, &app.agent, &json!({"typing_status": "off"}))
        .await;
    event(&mut socket, "conversation.typing_off").await;
    let bad = app
        .post(&uri, &app.agent, &json!({"typing_status": "maybe"}))
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["attributes"][0], "typing_status");
}

/// Chatwoot's `Public::Api::V1::Inboxes::ConversationsController#toggle_typing`: the contact's
/// typing reaches the agents with the contact's `push_event_data` as `user` and no performer
/// (no agent acted); the contact does not hear its own typing.
#[tokio::test]
async fn a_contact_typing_through_the_client_api_is_announced_to_agents() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut agents = subscribed(&app, &base, &app.admin.email).await;
    let (token, source) = public_contact(&app, "Ivy Chen").await;
    let display = public_conversation(&app, &source).await;
    let mut widget = open(&base).await;
    next_frame(&mut widget, PATIENCE).await.expect("welcome");
    let answer = subscribe(&mut widget, &token).await;
    assert_eq!(answer["type"], "confirm_subscription", "{answer}");
    let inbox = app
        .get(
            &app.api(&format!("inboxes/{}", app.acme.inbox_id)),
            &app.admin,
        )
        .await
        .json()["inbox_identifier"]
        .as_str()
        .expect("an inbox identifier")
        .to_owned();
    let uri = format!(
        "/public/api/v1/inboxes/{inbox}/contacts/{source}/conversations/{display}/toggle_typing"
    );
    let post = |body: Value| {
        let uri = uri.clone();
        let app = &app;
        async move {
            app.request(
                axum::http::Method::POST,
                &uri,
                None,
                Some(&body.to_string()),
            )
            .await
        }
    };
    for (status, name) in [
        ("on", "conversation.typing_on"),
        ("off", "conversation.typing_off"),
    ] {
        let answer = post(json!({"typing_status": status})).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        let frame = event(&mut agents, name).await;
        let data = &frame["message"]["data"];
        assert_eq!(data["user"]["type"], "contact", "{data}");
        assert_eq!(data["user"]["name"], "Ivy Chen");
        assert_eq!(data["conversation"]["id"], display);
        assert_eq!(data["is_private"], false);
        assert_eq!(data["account_id"], app.acme.account_id);
        assert!(data.get("performer").is_none(), "{data}");
    }
    let bad = post(json!({"typing_status": "maybe"})).await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["attributes"][0], "typing_status");
    // Another contact inbox's conversation, or none: a 404 like any missing resource.
    let seeded = uri.replace(
        &format!("/conversations/{display}/"),
        &format!("/conversations/{}/", app.acme.conversation),
    );
    let foreign = app
        .request(
            axum::http::Method::POST,
            &seeded,
            None,
            Some(r#"{"typing_status":"on"}"#),
        )
        .await;
    assert_eq!(foreign.status, 404, "{}", foreign.text);
    // The widget heard none of it: the first thing it gets is the agent's reply.
    app.post(
        &app.api(&format!("conversations/{display}/messages")),
        &app.admin,
        &json!({"content": "Hello Ivy"}),
    )
    .await;
    loop {
        let frame = next_frame(&mut widget, PATIENCE)
            .await
            .expect("the reply reaches the widget");
        let name = frame["message"]["event"].as_str().unwrap_or_default();
        assert!(!name.starts_with("conversation.typing"), "{frame}");
        if name == "message.created" {
            break;
        }
    }
}

/// `performer` (Chatwoot's `ActionCableListener#broadcast`: `Current.user.push_event_data`
/// when an agent's request caused the event): the acting agent, whoever receives it; absent
/// when a contact acted through the Client API.
#[tokio::test]
async fn events_an_agent_caused_name_the_agent_as_performer() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut socket = subscribed(&app, &base, &app.agent.email).await;
    let conversation =
        |rest: &str| app.api(&format!("conversations/{}/{rest}", app.acme.conversation));
    app.post(
        &conversation("assignments"),
        &app.admin,
        &json!({"assignee_id": app.agent.id}),
    )
    .await;
    let frame = event(&mut socket, "assignee.changed").await;
    let performer = &frame["message"]["data"]["performer"];
    assert_eq!(performer["id"], app.admin.id, "{frame}");
    assert_eq!(performer["type"], "user");
    let mut keys: Vec<&String> = performer.as_object().expect("an object").keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "availability_status",
            "available_name",
            "avatar_url",
            "id",
            "name",
            "thumbnail",
            "type"
        ]
    );
    app.post(
        &conversation("messages"),
        &app.admin,
        &json!({"content": "On it"}),
    )
    .await;
    let frame = event(&mut socket, "message.created").await;
    assert_eq!(frame["message"]["data"]["performer"]["id"], app.admin.id);

    let (_, source) = public_contact(&app, "Ivy Chen").await;
    public_conversation(&app, &source).await;
    let frame = event(&mut socket, "conversation.created").await;
    assert!(
        frame["message"]["data"].get("performer").is_none(),
        "{frame}"
    );
}

#[tokio::test]
async fn a_message_posted_on_one_instance_reaches_a_subscriber_on_another() {
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        if std::env::var_os("REQUIRE_POSTGRES").is_some() {
            panic!("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not");
        }
        eprintln!("postgres: skipped, TEST_DATABASE_URL is not set");
        return;
    };
    let store = store::Store::postgres_fresh_schema(&url)
        .await
        .expect("postgres");
    let app = TestApp::with_store(store).await;
    // Two instances: each with its own bus, listener and notifier on the one database.
    let a = AppState::connected(app.store().clone())
        .await
        .expect("instance A");
    let b = AppState::connected(app.store().clone())
        .await
        .expect("instance B");
    let base_a = support::serve_router(web::app(a)).await;
    let base_b = support::serve_router(web::app(b)).await;
    let mut on_b = subscribed(&app, &base_b, &app.agent.email).await;

    let client = format!(
        "{base_a}{}",
        app.api(&format!("conversations/{}/messages", app.acme.conversation))
    );
    let response = post_json(&client, &app.admin.token, &json!({"content": "sent to A"})).await;
    assert!(response.contains("sent to A"), "{response}");

    let frame = event(&mut on_b, "message.created").await;
    assert_eq!(frame["message"]["data"]["content"], "sent to A");
}

/// A POST over a real connection (instance A is another server, not the in-process router).
async fn post_json(url: &str, token: &str, body: &Value) -> String {
    let url = url.strip_prefix("http://").expect("http");
    let (host, path) = url.split_once('/').expect("a path");
    let body = body.to_string();
    let request = format!(
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\napi_access_token: {token}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(host).await.expect("connects");
    tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes())
        .await
        .expect("writes");
    let mut response = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut response)
        .await
        .expect("reads");
    String::from_utf8_lossy(&response).into_owned()
}

/// Reads `socket` until it ends; `true` when the server closed it within `wait`.
async fn closes_within(socket: &mut Socket, wait: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return true,
            Ok(Some(Ok(_))) => {}
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn a_command_over_16_kib_ends_the_socket() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut socket = subscribed(&app, &base, &app.admin.email).await;
    let huge = json!({"command": "subscribe", "identifier": "x".repeat(17 * 1024)}).to_string();
    socket.send(Message::Text(huge.into())).await.expect("sent");
    assert!(
        closes_within(&mut socket, PATIENCE).await,
        "the server kept a socket that sent a 17 KiB frame"
    );
    // A command under the limit is served as usual (the control).
    let mut socket = open(&base).await;
    next_frame(&mut socket, PATIENCE).await.expect("welcome");
    let token = user_pubsub_token(&app, &app.admin.email).await;
    let padding = "x".repeat(8 * 1024);
    let identifier =
        json!({"channel": "RoomChannel", "pubsub_token": token, "padding": padding}).to_string();
    let command = json!({"command": "subscribe", "identifier": identifier}).to_string();
    socket
        .send(Message::Text(command.into()))
        .await
        .expect("sent");
    let answer = next_frame(&mut socket, PATIENCE).await.expect("an answer");
    assert_eq!(answer["type"], "confirm_subscription", "{answer}");
}

/// A client that vanished without closing (a laptop shut mid-session, a half-open TCP
/// connection) never answers the server's WebSocket pings: its socket is closed after the idle
/// timeout. A client that reads, and so answers them as every browser and library does, is
/// kept however quiet it is. Takes the idle timeout (30 s) to run.
#[tokio::test]
async fn a_socket_that_never_answers_is_closed_after_the_idle_timeout_and_a_live_one_stays() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = TestApp::new().await;
    let base = app.serve().await;
    // The live client reads all along in a task of its own (tungstenite answers pings while
    // reading) and never sends a command of its own.
    let mut live = subscribed(&app, &base, &app.admin.email).await;
    let (events_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(Ok(frame)) = live.next().await {
            if let Message::Text(text) = frame {
                let value: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
                let _ = events_tx.send(value);
            }
        }
    });

    // The silent client completes the handshake by hand and never writes again.
    let addr = base.trim_start_matches("http://");
    let mut silent = TcpStream::connect(addr).await.expect("connect");
    let handshake = format!(
        "GET /cable HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    silent
        .write_all(handshake.as_bytes())
        .await
        .expect("handshake");
    let started = tokio::time::Instant::now();
    let bound = web::cable::IDLE_TIMEOUT + Duration::from_secs(15);
    let mut buffer = vec![0u8; 4096];
    let mut received = Vec::new();
    loop {
        match tokio::time::timeout_at(started + bound, silent.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            Err(_) => panic!("the silent socket was still open after {bound:?}"),
        }
    }
    let text = String::from_utf8_lossy(&received);
    assert!(
        text.starts_with("HTTP/1.1 101"),
        "the handshake succeeded: {text}"
    );
    assert!(
        started.elapsed() >= web::cable::IDLE_TIMEOUT,
        "closed after {:?}, before the idle timeout",
        started.elapsed()
    );

    // The live socket, as quiet for as long, still gets events.
    let posted = app
        .post(
            &app.api(&format!("conversations/{}/messages", app.acme.conversation)),
            &app.admin,
            &json!({"content": "still there?"}),
        )
        .await;
    assert_eq!(posted.status, 200, "{}", posted.text);
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let value = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("the live socket got the event in time")
            .expect("the live socket stayed open");
        if value["message"]["event"] == "message.created" {
            assert_eq!(value["message"]["data"]["content"], "still there?");
            break;
        }
    }
}

#[tokio::test]
async fn a_snooze_that_runs_out_reopens_the_conversation_for_every_subscriber() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut socket = subscribed(&app, &base, &app.agent.email).await;
    let sweeper =
        web::snoozes::SnoozeSweeper::spawn(app.state.store.clone(), Duration::from_millis(200));
    let toggle = app.api(&format!(
        "conversations/{}/toggle_status",
        app.acme.conversation
    ));
    let until = domain::time::now() + 1;
    let snoozed = app
        .post(
            &toggle,
            &app.admin,
            &json!({"status": "snoozed", "snoozed_until": until}),
        )
        .await;
    assert_eq!(snoozed.status, 200, "{}", snoozed.text);
    let frame = event(&mut socket, "conversation.status_changed").await;
    assert_eq!(frame["message"]["data"]["status"], "snoozed");

    let frame = event(&mut socket, "conversation.status_changed").await;
    let data = &frame["message"]["data"];
    assert_eq!(data["status"], "open", "{data}");
    assert_eq!(data["id"], app.acme.conversation);
    assert!(data["snoozed_until"].is_null(), "{data}");
    assert!(domain::time::now() >= until, "not before its time");
    sweeper.stop();
}

/// Opens `/cable` offering `protocols` (comma-separated); returns the socket and the
/// subprotocol the server answered, if any.
async fn open_offering(base: &str, protocols: &str) -> (Socket, Option<String>) {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!("{}/cable", base.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("a request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        protocols.parse().expect("a header"),
    );
    let (socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the socket opens");
    let chosen = response
        .headers()
        .get("sec-websocket-protocol")
        .map(|v| v.to_str().expect("ASCII").to_owned());
    (socket, chosen)
}

#[tokio::test]
async fn cable_answers_actioncable_v1_json_when_a_client_offers_it() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    // As `@rails/actioncable` offers it.
    let (mut socket, chosen) =
        open_offering(&base, "actioncable-v1-json, actioncable-unsupported").await;
    assert_eq!(chosen.as_deref(), Some("actioncable-v1-json"));
    assert_eq!(
        next_frame(&mut socket, PATIENCE).await,
        Some(json!({"type": "welcome"}))
    );
    let token = user_pubsub_token(&app, &app.admin.email).await;
    let answer = subscribe(&mut socket, &token).await;
    assert_eq!(answer["type"], "confirm_subscription");

    // Offering only what we do not speak: no subprotocol is chosen, which tungstenite (like
    // the `ws` package) refuses since it offered one.
    use tokio_tungstenite::tungstenite::error::{Error, ProtocolError, SubProtocolError};
    let url = format!("{}/cable", base.replacen("http", "ws", 1));
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url)
            .expect("a request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "actioncable-unsupported".parse().unwrap(),
    );
    let refused = tokio_tungstenite::connect_async(request).await.err();
    assert!(
        matches!(
            refused,
            Some(Error::Protocol(
                ProtocolError::SecWebSocketSubProtocolError(SubProtocolError::NoSubProtocol)
            ))
        ),
        "{refused:?}"
    );

    // Offering none, as our own dashboard does: no header, the same protocol.
    let url = format!("{}/cable", base.replacen("http", "ws", 1));
    let (mut socket, response) = tokio_tungstenite::connect_async(url).await.expect("opens");
    assert!(response.headers().get("sec-websocket-protocol").is_none());
    assert_eq!(
        next_frame(&mut socket, PATIENCE).await,
        Some(json!({"type": "welcome"}))
    );
}

#[tokio::test]
async fn a_subscription_naming_another_user_or_a_foreign_account_is_rejected() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let token = user_pubsub_token(&app, &app.admin.email).await;
    let mut socket = open(&base).await;
    next_frame(&mut socket, PATIENCE).await.expect("welcome");
    let as_dashboard = |user_id: Value, account_id: i64| json!({"channel": "RoomChannel", "pubsub_token": token, "account_id": account_id, "user_id": user_id});
    // The admin's token with the agent's id.
    let answer = subscribe_as(
        &mut socket,
        as_dashboard(json!(app.agent.id), app.acme.account_id),
    )
    .await;
    assert_eq!(answer["type"], "reject_subscription", "{answer}");
    // Their own id, in an account they are not a member of.
    let answer = subscribe_as(
        &mut socket,
        as_dashboard(json!(app.admin.id), app.other.account_id),
    )
    .await;
    assert_eq!(answer["type"], "reject_subscription", "{answer}");
    // An id that is no number.
    let answer = subscribe_as(
        &mut socket,
        as_dashboard(json!("admin"), app.acme.account_id),
    )
    .await;
    assert_eq!(answer["type"], "reject_subscription", "{answer}");
    // A user's id with a contact's token is no user either.
    let (contact_token, _) = public_contact(&app, "Ivy Chen").await;
    let answer = subscribe_as(
        &mut socket,
        json!({"channel": "RoomChannel", "pubsub_token": contact_token, "user_id": app.admin.id}),
    )
    .await;
    assert_eq!(answer["type"], "reject_subscription", "{answer}");
    // The rejected subscriptions get nothing.
    let uri = app.api(&format!("conversations/{}/messages", app.acme.conversation));
    app.post(&uri, &app.admin, &json!({"content": "nobody listens"}))
        .await;
    assert!(next_frame(&mut socket, Duration::from_millis(500))
        .await
        .is_none());

    // Their own id as a number or a string, in their account (the control): confirmed.
    for user_id in [json!(app.admin.id), json!(app.admin.id.to_string())] {
        let mut socket = open(&base).await;
        next_frame(&mut socket, PATIENCE).await.expect("welcome");
        let answer = subscribe_as(&mut socket, as_dashboard(user_id, app.acme.account_id)).await;
        assert_eq!(answer["type"], "confirm_subscription", "{answer}");
    }
}

/// A contact made through the Client API of Acme's inbox: its `pubsub_token` and `source_id`.
async fn public_contact(app: &TestApp, name: &str) -> (String, String) {
    public_contact_from(app, json!({"name": name})).await
}

/// As `public_contact`, with the Client API body `body`.
async fn public_contact_from(app: &TestApp, body: Value) -> (String, String) {
    let inbox = app
        .get(
            &app.api(&format!("inboxes/{}", app.acme.inbox_id)),
            &app.admin,
        )
        .await
        .json()["inbox_identifier"]
        .as_str()
        .expect("an inbox identifier")
        .to_owned();
    let body = body.to_string();
    let created = app
        .request(
            axum::http::Method::POST,
            &format!("/public/api/v1/inboxes/{inbox}/contacts"),
            None,
            Some(&body),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let contact = created.json();
    (
        contact["pubsub_token"]
            .as_str()
            .expect("a token")
            .to_owned(),
        contact["source_id"]
            .as_str()
            .expect("a source id")
            .to_owned(),
    )
}

/// Opens a conversation for the Client API contact `source_id`; returns its display id.
async fn public_conversation(app: &TestApp, source_id: &str) -> i64 {
    let inbox = app
        .get(
            &app.api(&format!("inboxes/{}", app.acme.inbox_id)),
            &app.admin,
        )
        .await
        .json()["inbox_identifier"]
        .as_str()
        .expect("an inbox identifier")
        .to_owned();
    let opened = app
        .request(
            axum::http::Method::POST,
            &format!("/public/api/v1/inboxes/{inbox}/contacts/{source_id}/conversations"),
            None,
            Some("{}"),
        )
        .await;
    assert_eq!(opened.status, 200, "{}", opened.text);
    opened.json()["id"].as_i64().expect("a display id")
}

#[tokio::test]
async fn a_contact_token_receives_its_own_conversations_public_messages_only() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let (ivy_token, ivy_source) = public_contact(&app, "Ivy Chen").await;
    let (_, ole_source) = public_contact(&app, "Ole Berg").await;
    let ivy = public_conversation(&app, &ivy_source).await;
    let ole = public_conversation(&app, &ole_source).await;

    let mut socket = open(&base).await;
    next_frame(&mut socket, PATIENCE).await.expect("welcome");
    let answer = subscribe(&mut socket, &ivy_token).await;
    assert_eq!(answer["type"], "confirm_subscription", "{answer}");
    // Presence as a contact sees it: the agents, not the other contacts.
    let presence = event(&mut socket, "presence.update").await;
    assert_eq!(
        presence["message"]["data"]["account_id"],
        app.acme.account_id
    );
    assert!(
        presence["message"]["data"].get("contacts").is_none(),
        "{presence}"
    );

    let messages = |id: i64| app.api(&format!("conversations/{id}/messages"));
    // None of these is Ivy's to see: a private note in her conversation, a reply in Ole's
    // and in the seeded one, an agent typing a note, a contact's update, Ole's conversation
    // changing status, her own being assigned.
    app.post(
        &messages(ivy),
        &app.admin,
        &json!({"content": "note: VIP", "private": true}),
    )
    .await;
    app.post(&messages(ole), &app.admin, &json!({"content": "for Ole"}))
        .await;
    app.post(
        &messages(app.acme.conversation),
        &app.admin,
        &json!({"content": "for Maria"}),
    )
    .await;
    let typing = app.api(&format!("conversations/{ivy}/toggle_typing_status"));
    app.post(
        &typing,
        &app.agent,
        &json!({"typing_status": "on", "is_private": true}),
    )
    .await;
    app.patch(
        &app.api(&format!("contacts/{}", app.acme.contact_id)),
        &app.admin,
        &json!({"name": "Maria L."}),
    )
    .await;
    app.post(
        &app.api(&format!("conversations/{ole}/toggle_status")),
        &app.admin,
        &json!({"status": "pending"}),
    )
    .await;
    app.post(
        &app.api(&format!("conversations/{ivy}/assignments")),
        &app.admin,
        &json!({"assignee_id": app.agent.id}),
    )
    .await;
    // These are (Chatwoot's `contact_inbox_tokens`): her conversation changing status (its
    // last message shown is not the note), an agent typing a reply to her, and the reply.
    app.post(
        &app.api(&format!("conversations/{ivy}/toggle_status")),
        &app.admin,
        &json!({"status": "pending"}),
    )
    .await;
    app.post(&typing, &app.agent, &json!({"typing_status": "on"}))
        .await;
    app.post(&messages(ivy), &app.admin, &json!({"content": "Hello Ivy"}))
        .await;

    let mut seen = Vec::new();
    while let Some(frame) = next_frame(&mut socket, Duration::from_secs(2)).await {
        let message = &frame["message"];
        if message["event"] == "presence.update" {
            continue;
        }
        seen.push((message["event"].clone(), message["data"].clone()));
    }
    // Typing is not logged: it goes out as it happens, and may overtake the logged status
    // change still on its way from the log. The logged events keep their order.
    let typing_at = seen
        .iter()
        .position(|(name, _)| name == "conversation.typing_on")
        .unwrap_or_else(|| panic!("the agent typing a reply reached her: {seen:#?}"));
    let (_, typing) = seen.remove(typing_at);
    let names: Vec<&Value> = seen.iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        ["conversation.status_changed", "message.created"],
        "{seen:#?}"
    );
    let (_, status) = &seen[0];
    assert_eq!(status["id"], ivy);
    assert_eq!(status["status"], "pending");
    assert_eq!(status["account_id"], app.acme.account_id);
    assert_eq!(typing["conversation"]["id"], ivy);
    assert_eq!(typing["is_private"], false);
    let (_, reply) = &seen[1];
    assert_eq!(reply["content"], "Hello Ivy");
    assert_eq!(reply["conversation_id"], ivy);
    assert_eq!(reply["account_id"], app.acme.account_id);
    assert_eq!(
        reply["conversation"]["contact_inbox"]["source_id"],
        ivy_source
    );
    let text = serde_json::to_string(&seen).unwrap();
    assert!(
        !text.contains("note: VIP") && !text.contains("for Ole"),
        "{text}"
    );
}

#[tokio::test]
async fn presence_is_sent_on_subscribing_on_update_presence_and_when_someone_arrives() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let as_dashboard = |token: &str, user_id: i64| json!({"channel": "RoomChannel", "pubsub_token": token, "account_id": app.acme.account_id, "user_id": user_id});
    let admin_token = user_pubsub_token(&app, &app.admin.email).await;
    let mut admin = open(&base).await;
    next_frame(&mut admin, PATIENCE).await.expect("welcome");
    let identifier = as_dashboard(&admin_token, app.admin.id);
    let answer = subscribe_as(&mut admin, identifier.clone()).await;
    assert_eq!(answer["type"], "confirm_subscription");
    let users = |frame: &Value| frame["message"]["data"]["users"].clone();
    let first = event(&mut admin, "presence.update").await;
    assert_eq!(first["message"]["data"]["account_id"], app.acme.account_id);
    assert_eq!(users(&first), json!({app.admin.id.to_string(): "online"}));
    assert_eq!(first["message"]["data"]["contacts"], json!({}));

    // The agent arrives: the admin hears of it.
    let agent_token = user_pubsub_token(&app, &app.agent.email).await;
    let mut agent = open(&base).await;
    next_frame(&mut agent, PATIENCE).await.expect("welcome");
    let answer = subscribe_as(&mut agent, as_dashboard(&agent_token, app.agent.id)).await;
    assert_eq!(answer["type"], "confirm_subscription");
    let both = json!({app.admin.id.to_string(): "online", app.agent.id.to_string(): "online"});
    loop {
        let frame = event(&mut admin, "presence.update").await;
        if users(&frame) == both {
            break;
        }
    }
    // A contact's widget arrives too.
    let (contact_token, _) = public_contact(&app, "Ivy Chen").await;
    let mut widget = open(&base).await;
    next_frame(&mut widget, PATIENCE).await.expect("welcome");
    subscribe(&mut widget, &contact_token).await;

    // update_presence, as the dashboard performs it, is answered with the account's presence.
    let perform = json!({
        "command": "message",
        "identifier": identifier.to_string(),
        "data": json!({"action": "update_presence"}).to_string(),
    });
    loop {
        admin
            .send(Message::Text(perform.to_string().into()))
            .await
            .expect("sent");
        let frame = event(&mut admin, "presence.update").await;
        let contacts = frame["message"]["data"]["contacts"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        if users(&frame) == both && contacts.len() == 1 {
            assert!(
                contacts.values().all(|status| status == "online"),
                "{frame}"
            );
            break;
        }
    }

    // The agent leaves: the admin hears of that as well.
    agent.close(None).await.expect("closed");
    loop {
        let frame = event(&mut admin, "presence.update").await;
        if users(&frame) == json!({app.admin.id.to_string(): "online"}) {
            break;
        }
    }
}

#[tokio::test]
async fn a_contact_token_that_an_email_alone_attached_sees_none_of_the_contacts_fields() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    // Maria's e-mail, nothing more: attached to Maria, without a say over her fields.
    let (token, source) = public_contact_from(
        &app,
        json!({"name": "Mallory", "email": "maria@northwind.example"}),
    )
    .await;
    let mut socket = open(&base).await;
    next_frame(&mut socket, PATIENCE).await.expect("welcome");
    let answer = subscribe(&mut socket, &token).await;
    assert_eq!(answer["type"], "confirm_subscription", "{answer}");

    // Its conversation opens, it writes, an agent types and answers: every copy names the
    // contact by id only.
    let display = public_conversation(&app, &source).await;
    let inbox = app
        .get(
            &app.api(&format!("inboxes/{}", app.acme.inbox_id)),
            &app.admin,
        )
        .await
        .json()["inbox_identifier"]
        .as_str()
        .expect("an inbox identifier")
        .to_owned();
    let written = app
        .request(
            axum::http::Method::POST,
            &format!(
                "/public/api/v1/inboxes/{inbox}/contacts/{source}/conversations/{display}/messages"
            ),
            None,
            Some(r#"{"content": "hello"}"#),
        )
        .await;
    assert_eq!(written.status, 200, "{}", written.text);
    let typing = app.api(&format!("conversations/{display}/toggle_typing_status"));
    app.post(&typing, &app.agent, &json!({"typing_status": "on"}))
        .await;
    app.post(
        &app.api(&format!("conversations/{display}/messages")),
        &app.admin,
        &json!({"content": "Hello there"}),
    )
    .await;

    let mut seen = Vec::new();
    while let Some(frame) = next_frame(&mut socket, Duration::from_secs(2)).await {
        if frame["message"]["event"] != "presence.update" {
            seen.push(frame["message"].clone());
        }
    }
    let text = serde_json::to_string(&seen).unwrap();
    // Typing is not logged and may overtake logged events on their way from the log; the
    // logged ones keep their order.
    let typing_at = seen
        .iter()
        .position(|m| m["event"] == "conversation.typing_on")
        .unwrap_or_else(|| panic!("the agent typing reached the contact: {seen:#?}"));
    seen.remove(typing_at);
    let names: Vec<&Value> = seen.iter().map(|m| &m["event"]).collect();
    assert_eq!(
        names,
        ["conversation.created", "message.created", "message.created"],
        "{seen:#?}"
    );
    assert_eq!(seen[0]["data"]["meta"]["sender"]["id"], app.acme.contact_id);
    assert_eq!(seen[1]["data"]["sender"]["id"], app.acme.contact_id);
    for secret in [
        "Maria",
        "4155550100",
        "cust_8812",
        "maria@northwind.example",
    ] {
        assert!(!text.contains(secret), "{secret} leaked in {text}");
    }

    // The agents' copy names her (the control).
    let mut agent = subscribed(&app, &base, &app.admin.email).await;
    app.post(&typing, &app.agent, &json!({"typing_status": "off"}))
        .await;
    let frame = event(&mut agent, "conversation.typing_off").await;
    assert_eq!(
        frame["message"]["data"]["conversation"]["meta"]["sender"]["name"],
        "Maria Lopez"
    );
}

/// Inbox membership is decided per event at broadcast (issue 11): an open socket of an agent
/// removed from the inbox stops getting its events, and gets them again once added back, with
/// no reconnect. An account-wide event (`contact.updated`) follows each conversation event as
/// a fence: events are broadcast in order, so reaching the fence without the conversation's
/// event shows it was withheld.
#[tokio::test]
async fn an_open_socket_follows_inbox_membership_without_reconnecting() {
    support::on_each_backend(async |app: TestApp| {
        let base = app.serve().await;
        let mut socket = subscribed(&app, &base, &app.agent.email).await;
        let messages = app.api(&format!("conversations/{}/messages", app.acme.conversation));
        let contact = app.api(&format!("contacts/{}", app.acme.contact_id));
        let members = json!({"inbox_id": app.acme.inbox_id, "user_ids": [app.agent.id]});
        let say = |content: &'static str| {
            let (app, messages) = (&app, &messages);
            async move {
                let res = app
                    .post(messages, &app.admin, &json!({ "content": content }))
                    .await;
                assert_eq!(res.status, 200, "{}", res.text);
            }
        };
        let fence = |name: &'static str| {
            let (app, contact) = (&app, &contact);
            async move {
                let res = app
                    .patch(contact, &app.admin, &json!({ "name": name }))
                    .await;
                assert_eq!(res.status, 200, "{}", res.text);
            }
        };
        // Until the fence, the message events this socket gets, in order.
        async fn heard_until_fence(socket: &mut Socket, name: &str) -> Vec<String> {
            let mut heard = Vec::new();
            loop {
                let frame = next_frame(socket, PATIENCE).await.expect("the fence comes");
                let message = &frame["message"];
                if message["event"] == "contact.updated" && message["data"]["name"] == name {
                    return heard;
                }
                if message["event"] == "message.created" {
                    heard.push(message["data"]["content"].as_str().unwrap_or("").to_owned());
                }
            }
        }

        say("while a member").await;
        fence("Fence One").await;
        assert_eq!(
            heard_until_fence(&mut socket, "Fence One").await,
            ["while a member"]
        );

        let res = app
            .request(
                axum::http::Method::DELETE,
                &app.api("inbox_members"),
                Some(&app.admin.token),
                Some(&members.to_string()),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        say("after removal").await;
        fence("Fence Two").await;
        assert!(heard_until_fence(&mut socket, "Fence Two").await.is_empty());

        let res = app
            .post(&app.api("inbox_members"), &app.admin, &members)
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        say("added back").await;
        fence("Fence Three").await;
        assert_eq!(
            heard_until_fence(&mut socket, "Fence Three").await,
            ["added back"]
        );
    })
    .await;
}

/// Sends `content` as the admin into Acme's conversation and answers the message's id.
async fn post_message(app: &TestApp, content: &str) -> i64 {
    let messages = app.api(&format!("conversations/{}/messages", app.acme.conversation));
    let sent = app
        .post(&messages, &app.admin, &json!({"content": content}))
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    sent.json()["id"].as_i64().expect("a message id")
}

/// Opens a socket and subscribes as `email`, resuming after `last_event_id`.
async fn resumed(app: &TestApp, base: &str, email: &str, last_event_id: i64) -> Socket {
    let mut socket = open(base).await;
    next_frame(&mut socket, PATIENCE).await.expect("welcome");
    let token = user_pubsub_token(app, email).await;
    let identifier =
        json!({"channel": "RoomChannel", "pubsub_token": token, "last_event_id": last_event_id});
    let answer = subscribe_as(&mut socket, identifier).await;
    assert_eq!(answer["type"], "confirm_subscription", "{answer}");
    socket
}

#[tokio::test]
async fn a_client_that_reconnects_with_its_last_event_id_gets_what_it_missed_in_order() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut socket = subscribed(&app, &base, &app.admin.email).await;
    let seen = post_message(&app, "before the drop").await;
    let frame = event(&mut socket, "message.created").await;
    assert_eq!(frame["message"]["data"]["id"], seen);
    let last_event_id = frame["message"]["event_id"]
        .as_i64()
        .expect("a logged event carries its id");
    drop(socket);

    let missed = [
        post_message(&app, "while away 1").await,
        post_message(&app, "while away 2").await,
    ];
    let mut socket = resumed(&app, &base, &app.admin.email, last_event_id).await;
    let mut replayed = Vec::new();
    while replayed.len() < missed.len() {
        let frame = next_frame(&mut socket, PATIENCE)
            .await
            .expect("the missed events are replayed");
        assert_ne!(frame["message"]["event"], "resync", "{frame}");
        if frame["message"]["event"] == "message.created" {
            replayed.push(frame["message"]["data"]["id"].as_i64().unwrap());
            assert!(frame["message"]["event_id"].as_i64().unwrap() > last_event_id);
        }
    }
    assert_eq!(replayed, missed, "each missed message once, in order");

    // Live events follow the replay, none of the replayed ones twice.
    let live = post_message(&app, "after the resume").await;
    let frame = event(&mut socket, "message.created").await;
    assert_eq!(frame["message"]["data"]["id"], live);
}

#[tokio::test]
async fn a_client_resuming_from_an_id_the_log_does_not_hold_is_told_to_resync() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    // An id past the log's end: another database's, or one from before a restore.
    let mut socket = resumed(&app, &base, &app.admin.email, 1_000_000_000).await;
    event(&mut socket, "resync").await;
    // Then live events flow as usual.
    let live = post_message(&app, "after the resync").await;
    let frame = event(&mut socket, "message.created").await;
    assert_eq!(frame["message"]["data"]["id"], live);
}

#[tokio::test]
async fn a_client_resuming_gets_no_event_of_an_inbox_it_is_no_member_of() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut socket = subscribed(&app, &base, &app.admin.email).await;
    post_message(&app, "a mark").await;
    let frame = event(&mut socket, "message.created").await;
    let last_event_id = frame["message"]["event_id"].as_i64().unwrap();
    let missed = post_message(&app, "for members only").await;
    // The other account's stranger resumes after the same id: nothing of Acme's comes.
    let mut stranger = resumed(&app, &base, &app.stranger.email, last_event_id).await;
    while let Some(frame) = next_frame(&mut stranger, Duration::from_millis(500)).await {
        assert_ne!(frame["message"]["data"]["id"], missed, "{frame}");
        assert_ne!(frame["message"]["event"], "resync", "{frame}");
    }
}

#[tokio::test]
async fn a_contact_that_heard_nothing_resumes_from_the_logs_end_with_only_its_own_missed_events() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let (ivy_token, ivy_source) = public_contact(&app, "Ivy Chen").await;
    let (_, ole_source) = public_contact(&app, "Ole Berg").await;
    let ivy = public_conversation(&app, &ivy_source).await;
    let ole = public_conversation(&app, &ole_source).await;

    // A fresh subscription is told where the log ends: it hears everything after live.
    let mut socket = open(&base).await;
    next_frame(&mut socket, PATIENCE).await.expect("welcome");
    let answer = subscribe(&mut socket, &ivy_token).await;
    assert_eq!(answer["type"], "confirm_subscription", "{answer}");
    let end = answer["last_event_id"]
        .as_i64()
        .expect("a fresh subscription names the log's end");
    assert_eq!(end, app.store().events().last_id().await.unwrap());
    drop(socket);

    // While she is away: a reply to her, a note in her conversation, a reply to Ole.
    let messages = |id: i64| app.api(&format!("conversations/{id}/messages"));
    let reply = app
        .post(&messages(ivy), &app.admin, &json!({"content": "Hello Ivy"}))
        .await
        .json()["id"]
        .clone();
    app.post(
        &messages(ivy),
        &app.admin,
        &json!({"content": "note: VIP", "private": true}),
    )
    .await;
    app.post(&messages(ole), &app.admin, &json!({"content": "for Ole"}))
        .await;

    // Resuming from the end she was told: her reply alone is replayed, no resync.
    let mut socket = open(&base).await;
    next_frame(&mut socket, PATIENCE).await.expect("welcome");
    let identifier =
        json!({"channel": "RoomChannel", "pubsub_token": ivy_token, "last_event_id": end});
    let answer = subscribe_as(&mut socket, identifier).await;
    assert_eq!(answer["type"], "confirm_subscription", "{answer}");
    assert!(answer.get("last_event_id").is_none(), "{answer}");
    let mut replayed = Vec::new();
    while let Some(frame) = next_frame(&mut socket, Duration::from_millis(700)).await {
        let message = &frame["message"];
        assert_ne!(message["event"], "resync", "{frame}");
        if message["event"] != "presence.update" {
            assert!(message["event_id"].as_i64().unwrap() > end, "{frame}");
            replayed.push((message["event"].clone(), message["data"]["id"].clone()));
        }
    }
    assert_eq!(replayed, [(json!("message.created"), reply)]);
}

#[tokio::test]
async fn a_resync_names_the_logs_end_to_resume_from_next_time() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    post_message(&app, "something logged").await;
    let mut socket = resumed(&app, &base, &app.admin.email, 1_000_000_000).await;
    let frame = event(&mut socket, "resync").await;
    let end = app.store().events().last_id().await.unwrap();
    assert_eq!(frame["message"]["event_id"], end, "{frame}");
    drop(socket);
    // From there, it resumes.
    let missed = post_message(&app, "while away").await;
    let mut socket = resumed(&app, &base, &app.admin.email, end).await;
    let frame = event(&mut socket, "message.created").await;
    assert_eq!(frame["message"]["data"]["id"], missed);
}

/// The contact's `availability_status` wherever the API shows it, each named: the contact
/// (show, list, search, filter), its conversation (show, list, the contact's conversations,
/// the thread's `meta.contact`) and a dashboard app's context (contact and `meta.sender`).
async fn availabilities(
    app: &TestApp,
    display: i64,
    contact_id: i64,
) -> Vec<(&'static str, Value)> {
    let ours = |list: &Value, key: &str, id: i64| -> Value {
        let found = list
            .as_array()
            .and_then(|rows| rows.iter().find(|row| row["id"] == id))
            .unwrap_or_else(|| panic!("{id} in {list}"));
        match key {
            "contact" => found["availability_status"].clone(),
            _ => found["meta"]["sender"]["availability_status"].clone(),
        }
    };
    let get = |uri: String| async move { app.get(&app.api(&uri), &app.admin).await.json() };
    let filter = json!({"payload": [{"attribute_key": "name", "filter_operator": "contains",
        "values": ["Ivy"], "query_operator": null}]});
    let filtered = app
        .post(&app.api("contacts/filter"), &app.admin, &filter)
        .await
        .json();
    let context = get(format!("conversations/{display}/app_context")).await;
    vec![
        (
            "contacts#show",
            get(format!("contacts/{contact_id}")).await["payload"]["availability_status"].clone(),
        ),
        (
            "contacts#index",
            ours(
                &get("contacts".into()).await["payload"],
                "contact",
                contact_id,
            ),
        ),
        (
            "contacts#search",
            ours(
                &get("contacts/search?q=Ivy".into()).await["payload"],
                "contact",
                contact_id,
            ),
        ),
        (
            "contacts#filter",
            ours(&filtered["payload"], "contact", contact_id),
        ),
        (
            "conversations#show",
            get(format!("conversations/{display}")).await["meta"]["sender"]["availability_status"]
                .clone(),
        ),
        (
            "conversations#index",
            ours(
                &get("conversations?status=all".into()).await["data"]["payload"],
                "conversation",
                display,
            ),
        ),
        (
            "contacts#conversations",
            ours(
                &get(format!("contacts/{contact_id}/conversations")).await["payload"],
                "conversation",
                display,
            ),
        ),
        (
            "messages#index",
            get(format!("conversations/{display}/messages")).await["meta"]["contact"]
                ["availability_status"]
                .clone(),
        ),
        (
            "app_context contact",
            context["data"]["contact"]["availability_status"].clone(),
        ),
        (
            "app_context sender",
            context["data"]["conversation"]["meta"]["sender"]["availability_status"].clone(),
        ),
    ]
}

/// Waits for an agent's `presence.update` that lists `contact_id` online (`true`) or not.
async fn presence_of(socket: &mut Socket, contact_id: i64, online: bool) {
    loop {
        let frame = event(socket, "presence.update").await;
        let contacts = &frame["message"]["data"]["contacts"];
        if contacts.get(contact_id.to_string()).is_some() == online {
            return;
        }
    }
}

#[tokio::test]
async fn a_contact_is_online_everywhere_while_its_widget_holds_its_subscription() {
    support::on_each_backend(async |app: TestApp| {
        let base = app.serve().await;
        let (token, source) = public_contact(&app, "Ivy Chen").await;
        let display = public_conversation(&app, &source).await;
        let shown = app
            .get(&app.api(&format!("conversations/{display}")), &app.admin)
            .await
            .json();
        let contact_id = shown["meta"]["sender"]["id"]
            .as_i64()
            .expect("the contact's id");
        let mut admin = subscribed(&app, &base, &app.admin.email).await;
        let all = |status: &str, seen: &[(&str, Value)]| {
            for (place, value) in seen {
                assert_eq!(value, status, "{place}: {seen:?}");
            }
        };
        // (The list's page is cached from here on: it must be rendered again as presence changes.)
        all("offline", &availabilities(&app, display, contact_id).await);

        // The visitor's widget subscribes with the contact inbox's token.
        let mut widget = open(&base).await;
        next_frame(&mut widget, PATIENCE).await.expect("welcome");
        let answer = subscribe(&mut widget, &token).await;
        assert_eq!(answer["type"], "confirm_subscription", "{answer}");
        presence_of(&mut admin, contact_id, true).await;
        all("online", &availabilities(&app, display, contact_id).await);
        // Events about the contact and its conversation say so too.
        app.post(
            &app.api(&format!("conversations/{display}/toggle_status")),
            &app.admin,
            &json!({"status": "pending"}),
        )
        .await;
        let changed = event(&mut admin, "conversation.status_changed").await;
        assert_eq!(
            changed["message"]["data"]["meta"]["sender"]["availability_status"], "online",
            "{changed}"
        );
        app.patch(
            &app.api(&format!("contacts/{contact_id}")),
            &app.admin,
            &json!({"name": "Ivy C."}),
        )
        .await;
        let updated = event(&mut admin, "contact.updated").await;
        assert_eq!(
            updated["message"]["data"]["availability_status"], "online",
            "{updated}"
        );

        // The visitor leaves: offline everywhere again.
        widget.close(None).await.expect("closed");
        presence_of(&mut admin, contact_id, false).await;
        all("offline", &availabilities(&app, display, contact_id).await);
        app.post(
            &app.api(&format!("conversations/{display}/toggle_status")),
            &app.admin,
            &json!({"status": "open"}),
        )
        .await;
        let changed = event(&mut admin, "conversation.status_changed").await;
        assert_eq!(
            changed["message"]["data"]["meta"]["sender"]["availability_status"], "offline",
            "{changed}"
        );
    })
    .await;
}
