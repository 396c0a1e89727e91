//! `/cable` with the real `@rails/actioncable` client: the npm package (pinned in
//! `tests/compat/package.json`, unmodified) runs under Node with the `ws` package as its
//! WebSocket, driven by `tests/compat/cable.mjs`, against a server this test starts.
//!
//! It subscribes as Chatwoot's dashboard does (`RoomChannel` with `pubsub_token`, `account_id`
//! and `user_id`) and as its widget does (a contact inbox's `pubsub_token`), makes the server
//! produce each event kind through the API, and checks what the client hands its `received`
//! callback: every event arrives with the account's `account_id` and matches
//! `tests/fixtures/cable.schema.json`. What must pass is written once, in the `## /cable` table
//! of `docs/COMPATIBILITY.md`: every row marked `supported` must pass here, on SQLite and on
//! PostgreSQL, and every check here has a row there.
//!
//! The client is installed by `.ci/run` (`npm ci --prefix tests/compat`); without it the test
//! says so and passes, unless `REQUIRE_COMPAT` is set.

#[path = "../support/mod.rs"]
mod support;

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use support::{on_each_backend, TestApp};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// The longest the test waits for something the client must report.
const PATIENCE: Duration = Duration::from_secs(10);
/// How long the test listens for something the client must not report.
const QUIET: Duration = Duration::from_millis(1500);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn installed() -> bool {
    root()
        .join("tests/compat/node_modules/@rails/actioncable/package.json")
        .is_file()
        && root()
            .join("tests/compat/node_modules/ws/package.json")
            .is_file()
}

/// One `@rails/actioncable` consumer (one page of Chatwoot's dashboard or widget).
struct Client {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Client {
    async fn start(base: &str) -> Client {
        let url = format!("{}/cable", base.replacen("http", "ws", 1));
        let mut child = Command::new("node")
            .arg(root().join("tests/compat/cable.mjs"))
            .arg(url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts (is Node.js installed?)");
        let stdin = child.stdin.take().expect("piped stdin");
        let lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        Client {
            child,
            stdin,
            lines,
        }
    }

    async fn send(&mut self, command: Value) {
        let line = format!("{command}\n");
        self.stdin
            .write_all(line.as_bytes())
            .await
            .expect("the client reads its commands");
    }

    async fn subscribe(&mut self, name: &str, identifier: Value) {
        self.send(json!({"op": "subscribe", "name": name, "identifier": identifier}))
            .await;
    }

    /// The next line the client reports within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<Value> {
        let line = tokio::time::timeout(wait, self.lines.next_line())
            .await
            .ok()?
            .expect("the client's stdout reads")?;
        let value: Value = serde_json::from_str(&line).expect("one JSON line per report");
        assert_ne!(value["kind"], "error", "the driver failed: {value}");
        Some(value)
    }

    /// The first report matching `wanted` within PATIENCE; `Err` says what did come.
    async fn expect(
        &mut self,
        what: &str,
        wanted: impl Fn(&Value) -> bool,
    ) -> Result<Value, String> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Some(line) if wanted(&line) => return Ok(line),
                Some(line) => seen.push(line),
                None => return Err(format!("no {what}; the client reported {seen:?}")),
            }
        }
    }

    /// The next `received` event named `event` on subscription `name`, checked: the client got
    /// `{event, data}` with the account's `account_id`, in the shape the schema describes.
    async fn event(&mut self, name: &str, event: &str, account_id: i64) -> Result<Value, String> {
        let line = self
            .expect(&format!("{event} on {name}"), |line| {
                line["name"] == name && line["kind"] == "received" && line["data"]["event"] == event
            })
            .await?;
        let message = &line["data"];
        if message["data"]["account_id"] != account_id {
            return Err(format!(
                "{event} without account_id {account_id}: {message}"
            ));
        }
        let errors = cable_schema_errors(message);
        if !errors.is_empty() {
            return Err(format!("{event} departs from the schema: {errors:?}"));
        }
        Ok(message["data"].clone())
    }

    /// Every `received` event on `name` within QUIET.
    async fn drain(&mut self, name: &str) -> Vec<Value> {
        let mut events = Vec::new();
        while let Some(line) = self.next(QUIET).await {
            if line["name"] == name && line["kind"] == "received" {
                events.push(line["data"].clone());
            }
        }
        events
    }

    async fn quit(mut self) {
        self.send(json!({"op": "quit"})).await;
        let _ = tokio::time::timeout(PATIENCE, self.child.wait()).await;
    }
}

/// Where a message the client received departs from `tests/fixtures/cable.schema.json`.
fn cable_schema_errors(message: &Value) -> Vec<String> {
    static VALIDATOR: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        jsonschema::validator_for(&support::fixture("cable.schema.json"))
            .expect("the cable schema compiles")
    });
    // The schema describes whole frames; the client hands over the frame's `message`.
    let frame = json!({"identifier": "{}", "message": message});
    validator
        .iter_errors(&frame)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

/// The `supported`/other status of each row of the table under `heading`.
fn table(markdown: &str, heading: &str) -> BTreeMap<String, String> {
    let section = markdown
        .split_once(heading)
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("docs/COMPATIBILITY.md has a table under {heading:?}"));
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
            let row = cells.first()?.trim().strip_prefix('`')?.strip_suffix('`')?;
            Some((row.to_owned(), cells.get(1)?.trim().to_owned()))
        })
        .collect()
}

/// What each check came to, by its row in the table.
#[derive(Default)]
struct Outcomes(BTreeMap<&'static str, Result<(), String>>);

impl Outcomes {
    fn record<T>(&mut self, row: &'static str, outcome: Result<T, String>) -> Option<T> {
        let previous = self.0.get(row).cloned().unwrap_or(Ok(()));
        let (kept, value) = match outcome {
            Ok(value) => (previous, Some(value)),
            Err(why) => (Err(why), None),
        };
        self.0.insert(row, kept);
        value
    }

    fn check(&mut self, row: &'static str, holds: bool, why: impl FnOnce() -> String) {
        self.record(row, if holds { Ok(()) } else { Err(why()) });
    }
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

/// `POST /public/api/v1/inboxes/{inbox}/{rest}` with `body`, answered 200.
async fn public_post(app: &TestApp, inbox: &str, rest: &str, body: Value) -> Value {
    let body = body.to_string();
    let response = app
        .request(
            axum::http::Method::POST,
            &format!("/public/api/v1/inboxes/{inbox}/{rest}"),
            None,
            Some(&body),
        )
        .await;
    assert_eq!(response.status, 200, "{rest}: {}", response.text);
    response.json()
}

/// Runs every check once on `app`, as Chatwoot's dashboard and widget would see it.
async fn run(app: &TestApp) -> Outcomes {
    let mut outcomes = Outcomes::default();
    let base = app.serve().await;
    let account = app.acme.account_id;
    let admin_token = user_pubsub_token(app, &app.admin.email).await;
    let dashboard = |token: &str, user_id: i64| json!({"channel": "RoomChannel", "pubsub_token": token, "account_id": account, "user_id": user_id});

    // The dashboard: the admin's page.
    let mut page = Client::start(&base).await;
    page.subscribe("admin", dashboard(&admin_token, app.admin.id))
        .await;
    let open = page
        .expect("the socket opening", |l| l["kind"] == "open")
        .await;
    outcomes.record(
        "connect",
        open.and_then(|open| match open["protocol"].as_str() {
            Some("actioncable-v1-json") => Ok(()),
            other => Err(format!("subprotocol {other:?}")),
        }),
    );
    let confirmed = page
        .expect("the confirmation", |l| {
            l["name"] == "admin" && l["kind"] != "received"
        })
        .await
        .and_then(|l| match l["kind"].as_str() {
            Some("connected") => Ok(()),
            other => Err(format!("{other:?}")),
        });
    if outcomes
        .record("subscribe as the dashboard", confirmed)
        .is_none()
    {
        // Every later check would wait out its patience for nothing.
        return outcomes;
    }
    outcomes.record(
        "presence.update on subscribing",
        page.event("admin", "presence.update", account).await,
    );
    // The same page naming another user, and a foreign account: refused, as RoomChannel's
    // `User.find_by!(pubsub_token:, id: user_id)` and `accounts.find(account_id)` refuse.
    page.subscribe("impostor", dashboard(&admin_token, app.agent.id))
        .await;
    page.subscribe(
        "foreign",
        json!({"channel": "RoomChannel", "pubsub_token": admin_token, "account_id": app.other.account_id, "user_id": app.admin.id}),
    )
    .await;
    for name in ["impostor", "foreign"] {
        let answer = page
            .expect(&format!("an answer to {name}"), |l| l["name"] == name)
            .await;
        outcomes.record(
            "rejected: another user_id or account",
            answer.and_then(|l| match l["kind"].as_str() {
                Some("rejected") => Ok(()),
                other => Err(format!("{name}: {other:?}")),
            }),
        );
    }

    // The widget: a contact made through the Client API, on a page of its own.
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
    let contact = public_post(app, &inbox, "contacts", json!({"name": "Ivy Chen"})).await;
    let source = contact["source_id"]
        .as_str()
        .expect("a source id")
        .to_owned();
    let contact_token = contact["pubsub_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let mut widget = Client::start(&base).await;
    widget
        .subscribe(
            "ivy",
            json!({"channel": "RoomChannel", "pubsub_token": contact_token}),
        )
        .await;
    let confirmed = widget
        .expect("the widget's confirmation", |l| {
            l["name"] == "ivy" && l["kind"] != "received"
        })
        .await
        .and_then(|l| match l["kind"].as_str() {
            Some("connected") => Ok(()),
            other => Err(format!("{other:?}")),
        });
    outcomes.record("subscribe as the widget", confirmed);

    // conversation.created: the contact opens a conversation.
    let opened = public_post(
        app,
        &inbox,
        &format!("contacts/{source}/conversations"),
        json!({}),
    )
    .await;
    let display = opened["id"].as_i64().expect("a display id");
    let data = page.event("admin", "conversation.created", account).await;
    outcomes.record("conversation.created", data);
    let data = widget.event("ivy", "conversation.created", account).await;
    outcomes.record("widget: its own conversation's events", data);

    // message.created: the contact writes, an agent answers, the widget sees the answer.
    let messages = format!("contacts/{source}/conversations/{display}/messages");
    public_post(
        app,
        &inbox,
        &messages,
        json!({"content": "Where is my parcel?"}),
    )
    .await;
    let data = page.event("admin", "message.created", account).await;
    if let Some(data) = outcomes.record("message.created", data) {
        outcomes.check("message.created", data["sender_type"] == "Contact", || {
            format!("sender_type {}", data["sender_type"])
        });
        outcomes.check(
            "message.created",
            data["conversation"]["contact_inbox"]["source_id"] == source.as_str(),
            || format!("conversation {}", data["conversation"]),
        );
    }
    // Chatwoot's `contact_tokens`: the widget gets the contact's own message back.
    let data = widget.event("ivy", "message.created", account).await;
    if let Some(data) = outcomes.record("widget: its own conversation's events", data) {
        outcomes.check(
            "widget: its own conversation's events",
            data["content"] == "Where is my parcel?",
            || format!("the widget's first message was {data}"),
        );
    }
    let thread = app.api(&format!("conversations/{display}/messages"));
    app.post(
        &thread,
        &app.admin,
        &json!({"content": "note: call the carrier", "private": true}),
    )
    .await;
    let reply = app
        .post(&thread, &app.admin, &json!({"content": "It ships today."}))
        .await
        .json();
    let data = widget.event("ivy", "message.created", account).await;
    if let Some(data) = outcomes.record("widget: its own conversation's events", data) {
        outcomes.check(
            "widget: never a private note",
            data["content"] == "It ships today.",
            || format!("the widget's first message was {data}"),
        );
    }

    // conversation.typing_on / typing_off: the agent types; the admin's page hears it.
    let typing = app.api(&format!("conversations/{display}/toggle_typing_status"));
    for (status, event) in [
        ("on", "conversation.typing_on"),
        ("off", "conversation.typing_off"),
    ] {
        app.post(&typing, &app.agent, &json!({"typing_status": status}))
            .await;
        let data = page.event("admin", event, account).await;
        outcomes.record("conversation.typing_on / typing_off", data);
    }
    // The widget's `toggle_typing`: the contact is the typist.
    public_post(
        app,
        &inbox,
        &format!("contacts/{source}/conversations/{display}/toggle_typing"),
        json!({"typing_status": "on"}),
    )
    .await;
    let data = page.event("admin", "conversation.typing_on", account).await;
    if let Some(data) = outcomes.record("typing from the widget", data) {
        outcomes.check(
            "typing from the widget",
            data["user"]["type"] == "contact" && data["user"]["name"] == "Ivy Chen",
            || format!("user {}", data["user"]),
        );
    }

    // message.updated: the answer is deleted.
    let id = reply["id"].as_i64().expect("a message id");
    app.delete(&format!("{thread}/{id}"), &app.admin).await;
    let data = page.event("admin", "message.updated", account).await;
    outcomes.record("message.updated", data);

    // conversation.status_changed, assignee.changed, conversation.updated, conversation.read.
    let conversation = |rest: &str| app.api(&format!("conversations/{display}/{rest}"));
    app.post(
        &conversation("toggle_status"),
        &app.admin,
        &json!({"status": "resolved"}),
    )
    .await;
    let data = page
        .event("admin", "conversation.status_changed", account)
        .await;
    outcomes.record("conversation.status_changed", data);
    let data = widget
        .event("ivy", "conversation.status_changed", account)
        .await;
    outcomes.record("widget: its own conversation's events", data);
    app.post(
        &conversation("assignments"),
        &app.admin,
        &json!({"assignee_id": app.agent.id}),
    )
    .await;
    let data = page.event("admin", "assignee.changed", account).await;
    if let Some(data) = outcomes.record("assignee.changed", data) {
        // Chatwoot's `broadcast`: `Current.user.push_event_data` as `performer`.
        let performer = &data["performer"];
        let mut keys: Vec<&str> = performer
            .as_object()
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.sort_unstable();
        outcomes.check(
            "performer",
            performer["id"] == app.admin.id
                && keys
                    == [
                        "availability_status",
                        "available_name",
                        "avatar_url",
                        "id",
                        "name",
                        "thumbnail",
                        "type",
                    ],
            || format!("performer {performer}"),
        );
    }
    app.post(
        &conversation("custom_attributes"),
        &app.admin,
        &json!({"custom_attributes": {"order": "A-1001"}}),
    )
    .await;
    let data = page.event("admin", "conversation.updated", account).await;
    outcomes.record("conversation.updated", data);
    app.post(&conversation("update_last_seen"), &app.admin, &json!({}))
        .await;
    let data = page.event("admin", "conversation.read", account).await;
    outcomes.record("conversation.read", data);

    // contact.updated and conversation.contact_changed (a merge moves the conversation).
    app.patch(
        &app.api(&format!("contacts/{}", app.acme.contact_id)),
        &app.admin,
        &json!({"name": "Maria L."}),
    )
    .await;
    let data = page.event("admin", "contact.updated", account).await;
    outcomes.record("contact.updated", data);
    let mergee = app
        .post(
            &app.api("contacts"),
            &app.admin,
            &json!({"name": "M. Lopez", "email": "m.lopez@personal.example", "inbox_id": app.acme.inbox_id}),
        )
        .await
        .json()["payload"]["contact"]["id"]
        .as_i64()
        .expect("a contact id");
    app.post(
        &app.api("conversations"),
        &app.admin,
        &json!({"inbox_id": app.acme.inbox_id, "contact_id": mergee}),
    )
    .await;
    app.post(
        &app.api("actions/contact_merge"),
        &app.admin,
        &json!({"base_contact_id": app.acme.contact_id, "mergee_contact_id": mergee}),
    )
    .await;
    let data = page
        .event("admin", "conversation.contact_changed", account)
        .await;
    outcomes.record("conversation.contact_changed", data);

    // presence.update: the dashboard's update_presence, and another agent arriving.
    page.send(json!({"op": "perform", "name": "admin", "action": "update_presence"}))
        .await;
    let data = page.event("admin", "presence.update", account).await;
    if let Some(data) = outcomes.record("presence.update on update_presence", data) {
        outcomes.check(
            "presence.update on update_presence",
            data["users"][app.admin.id.to_string()] == "online"
                && data["contacts"].as_object().is_some_and(|c| c.len() == 1),
            || format!("presence {data}"),
        );
    }
    let agent_token = user_pubsub_token(app, &app.agent.email).await;
    let mut colleague = Client::start(&base).await;
    colleague
        .subscribe("agent", dashboard(&agent_token, app.agent.id))
        .await;
    let arrived = page
        .expect("the agent's arrival", |l| {
            l["kind"] == "received"
                && l["data"]["event"] == "presence.update"
                && l["data"]["data"]["users"][app.agent.id.to_string()] == "online"
        })
        .await;
    outcomes.record("presence.update when someone arrives", arrived);

    // Nothing else reached the widget: no note, nothing of another conversation.
    let rest = widget.drain("ivy").await;
    let text = serde_json::to_string(&rest).expect("JSON");
    outcomes.check(
        "widget: never a private note",
        !text.contains("note:"),
        || text.clone(),
    );
    outcomes.check(
        "widget: its own conversation's events",
        rest.iter().all(|m| {
            m["event"] == "presence.update"
                || m["data"]["id"] == display
                || m["data"]["conversation_id"] == display
                || m["data"]["conversation"]["id"] == display
        }),
        || text.clone(),
    );

    colleague.quit().await;
    widget.quit().await;
    page.quit().await;
    outcomes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_actioncable_client_receives_every_event_kind_we_claim() {
    if !installed() {
        assert!(
            std::env::var_os("REQUIRE_COMPAT").is_none(),
            "REQUIRE_COMPAT is set but @rails/actioncable is not installed (npm ci --prefix tests/compat)"
        );
        eprintln!(
            "compat: skipped, @rails/actioncable is not installed in tests/compat/node_modules"
        );
        return;
    }
    let docs = std::fs::read_to_string(root().join("docs/COMPATIBILITY.md"))
        .expect("docs/COMPATIBILITY.md");
    let claimed = table(&docs, "## /cable");
    on_each_backend(async |app: TestApp| {
        let outcomes = run(&app).await;
        let mut failures = Vec::new();
        for (row, outcome) in &outcomes.0 {
            match (claimed.get(*row).map(String::as_str), outcome) {
                (None, _) => failures.push(format!("{row}: no row in docs/COMPATIBILITY.md")),
                (Some("supported"), Err(why)) => failures.push(format!("{row}: {why}")),
                (Some(status), Err(why)) => eprintln!("{row} ({status}): {why}"),
                (Some(status), Ok(())) if status != "supported" => {
                    eprintln!("{row}: passes, though the table says {status}")
                }
                _ => {}
            }
        }
        for (row, status) in &claimed {
            if status == "supported" && !outcomes.0.contains_key(row.as_str()) {
                failures.push(format!("{row}: claimed supported, but nothing checks it"));
            }
        }
        assert!(failures.is_empty(), "/cable:\n{}", failures.join("\n"));
        eprintln!("compat: {} checks passed", outcomes.0.len());
    })
    .await;
}

#[test]
fn the_table_reads_each_rows_status_and_no_other_section() {
    let markdown = "## /cable (x)\n| check | status | note |\n|---|---|---|\n\
        | `connect` | supported | |\n| `presence` | partial | one instance |\n\
        ## Other\n| `x` | supported | |\n";
    let rows = table(markdown, "## /cable");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows["connect"], "supported");
    assert_eq!(rows["presence"], "partial");
}
