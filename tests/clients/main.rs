//! Published Chatwoot API clients, unmodified, against a real Switchboard server.
//!
//! Two clients run every one of their operations as an integration's backend would, each using
//! what the previous ones made:
//! - Chatwoot's own Python SDK (`chatwoot-sdk`, pinned in `tests/clients/python/requirements.txt`,
//!   JSON bodies, pydantic models that check every answer's shape), by
//!   `tests/clients/python/suite.py`;
//! - the TypeScript client `@figuro/chatwoot-sdk` (pinned in `tests/clients/node/package.json`;
//!   multipart messages, query arrays, trailing slashes), by `tests/clients/node/suite.js`.
//!
//! What each operation should do is written once, in that client's table of
//! `docs/COMPATIBILITY.md`: every operation marked `supported` or `partial` must pass, on SQLite and on
//! PostgreSQL, and every operation a suite runs must have a row there.
//!
//! The clients are installed by `.ci/run` (a virtualenv and `npm ci`, both inside
//! `tests/clients/`); without them the test says so and passes, unless `REQUIRE_COMPAT` is set.

#[path = "../support/mod.rs"]
mod support;

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use support::{on_each_backend, TestApp};

#[derive(Debug, Deserialize)]
struct Outcome {
    op: String,
    ok: bool,
    detail: String,
}

/// What the table says of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expected {
    /// Supported, or partial (works, with a difference the note names): must pass.
    Supported,
    /// Not supported, or the client contradicting Chatwoot: run, reported, not required.
    Other(String),
}

/// One published client and how to run its suite.
struct Suite {
    /// The heading of its table in `docs/COMPATIBILITY.md` (a prefix of the line).
    heading: &'static str,
    program: PathBuf,
    script: PathBuf,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The suite, or `None` when its client is not installed.
fn suite(name: &str) -> Option<Suite> {
    let dir = root().join("tests/clients").join(name);
    match name {
        "python" => {
            let program = dir.join(".venv/bin/python");
            program.is_file().then(|| Suite {
                heading: "## Chatwoot's Python SDK",
                program,
                script: dir.join("suite.py"),
            })
        }
        "node" => dir
            .join("node_modules/@figuro/chatwoot-sdk")
            .is_dir()
            .then(|| Suite {
                heading: "## @figuro/chatwoot-sdk",
                program: PathBuf::from("node"),
                script: dir.join("suite.js"),
            }),
        other => unreachable!("no suite {other}"),
    }
}

/// A table: `| \`op\` | route | status | note |` rows under the line starting with `heading`.
fn expected_outcomes(markdown: &str, heading: &str) -> BTreeMap<String, Expected> {
    let section = markdown
        .split_once(heading)
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("docs/COMPATIBILITY.md has a table under {heading:?}"));
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
            let op = cells.first()?.trim().strip_prefix('`')?.strip_suffix('`')?;
            let status = cells.get(2)?.trim();
            let expected = if status == "supported" || status == "partial" {
                Expected::Supported
            } else {
                Expected::Other(status.to_owned())
            };
            Some((op.to_owned(), expected))
        })
        .collect()
}

fn run_suite(suite: &Suite, base: &str, token: &str, account_id: i64) -> Vec<Outcome> {
    let output = std::process::Command::new(&suite.program)
        .arg(&suite.script)
        .args([base, token, &account_id.to_string()])
        .output()
        .expect("the suite starts");
    assert!(
        output.status.success(),
        "the suite itself failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON outcome per line"))
        .collect()
}

/// Runs the named suite on each backend and fails on every claimed operation that fails.
async fn every_claimed_operation_passes(name: &str) {
    let Some(suite) = suite(name) else {
        assert!(
            std::env::var_os("REQUIRE_COMPAT").is_none(),
            "REQUIRE_COMPAT is set but the {name} client is not installed (see .ci/run)"
        );
        eprintln!("clients: {name} skipped, its client is not installed in tests/clients/{name}");
        return;
    };
    let docs = std::fs::read_to_string(root().join("docs/COMPATIBILITY.md"))
        .expect("docs/COMPATIBILITY.md");
    let expected = expected_outcomes(&docs, suite.heading);
    let suite = std::sync::Arc::new(suite);
    on_each_backend(async |app: TestApp| {
        let base = app.serve().await;
        let token = app.admin.token.clone();
        let account = app.acme.account_id;
        let runner = suite.clone();
        let outcomes =
            tokio::task::spawn_blocking(move || run_suite(&runner, &base, &token, account))
                .await
                .expect("the suite ran");
        let mut failures = Vec::new();
        for outcome in &outcomes {
            match expected.get(&outcome.op) {
                None => failures.push(format!("{}: no row in docs/COMPATIBILITY.md", outcome.op)),
                Some(Expected::Supported) if !outcome.ok => {
                    failures.push(format!("{}: {}", outcome.op, outcome.detail))
                }
                Some(Expected::Other(status)) if outcome.ok => {
                    eprintln!("{}: passes, though the table says {status}", outcome.op)
                }
                Some(Expected::Other(status)) => {
                    eprintln!("{} ({status}): {}", outcome.op, outcome.detail)
                }
                Some(Expected::Supported) => {}
            }
        }
        assert!(
            outcomes.len() >= expected.len(),
            "the suite ran {} operations, the table lists {}",
            outcomes.len(),
            expected.len()
        );
        assert!(
            failures.is_empty(),
            "{name}: claimed but failing:\n{}",
            failures.join("\n")
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chatwoots_python_sdk_passes_every_operation_we_claim() {
    every_claimed_operation_passes("python").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_figuro_typescript_client_passes_every_operation_we_claim() {
    every_claimed_operation_passes("node").await;
}

#[test]
fn the_table_parser_reads_statuses_and_ignores_other_sections() {
    let markdown = "# x\n## Chatwoot's Python SDK (chatwoot-sdk 0.2.0)\n\
        | operation | route | status | note |\n|---|---|---|---|\n\
        | `a.b` | GET /x | supported | |\n| `c.d` | GET /y | not supported | why |\n\
        ## Routes\n| `e.f` | GET /z | supported | |\n";
    let table = expected_outcomes(markdown, "## Chatwoot's Python SDK");
    assert_eq!(table.len(), 2);
    assert_eq!(table["a.b"], Expected::Supported);
    assert_eq!(table["c.d"], Expected::Other("not supported".into()));
}

async fn context_token(app: &TestApp, uri: &str) -> String {
    app.get(uri, &app.agent).await.json()["token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

/// What PyJWT (`tests/clients/python/verify_token.py`) made of `token`.
fn pyjwt_verdict(python: &std::path::Path, base: &str, token: &str, app_id: i64) -> Value {
    let output = std::process::Command::new(python)
        .arg(root().join("tests/clients/python/verify_token.py"))
        .args([
            &format!("{base}/.well-known/jwks.json"),
            token,
            &format!("dashboard_app:{app_id}"),
            // The in-process router's public URL (the served copy's only differs in port).
            "http://localhost:3000",
        ])
        .output()
        .expect("the verifier starts");
    assert!(
        output.status.success(),
        "the verifier itself failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON verdict")
}

/// An app's backend verifies our EdDSA tokens with an independent JOSE library (PyJWT) and the
/// published keys alone, before and after `switchboard keys rotate` — run as the operator would,
/// beside the running server, on its database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pyjwt_verifies_context_tokens_through_the_jwks_before_and_after_a_key_rotation() {
    let python = root().join("tests/clients/python/.venv/bin/python");
    if !python.is_file() {
        assert!(
            std::env::var_os("REQUIRE_COMPAT").is_none(),
            "REQUIRE_COMPAT is set but tests/clients/python/.venv is not installed (see .ci/run)"
        );
        eprintln!("clients: PyJWT skipped, tests/clients/python/.venv is not installed");
        return;
    }
    let (_dir, url) = support::scratch_sqlite();
    let store = store::Store::connect(&url).await.expect("the database");
    store.migrate().await.expect("migrations");
    let app = TestApp::with_store(store).await;
    let base = app.serve().await;
    let body = serde_json::json!({"title": "Orders", "content": [{"type": "frame", "url": "https://orders.example/"}]});
    let created = app
        .post(&app.api("dashboard_apps"), &app.admin, &body)
        .await;
    let app_id = created.json()["id"].as_i64().expect("an app id");
    let context_uri = app.api(&format!(
        "conversations/{}/app_context?app_id={app_id}",
        app.acme.conversation
    ));
    let before = context_token(&app, &context_uri).await;
    let verdict = pyjwt_verdict(&python, &base, &before, app_id);
    assert_eq!(verdict["ok"], true, "{verdict}");
    assert_eq!(verdict["claims"]["sub"], app.agent.id.to_string());
    assert_eq!(verdict["claims"]["conversation_id"], app.acme.conversation);
    let first_kid = verdict["kid"].as_str().expect("a kid").to_owned();
    // Another app's audience, and a token with a byte of its signature changed, are refused.
    let other = pyjwt_verdict(&python, &base, &before, app_id + 1);
    assert_eq!(other["ok"], false, "{other}");
    let mut tampered = before.clone().into_bytes();
    let last = tampered.len() - 3;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("base64url stays text");
    let refused = pyjwt_verdict(&python, &base, &tampered, app_id);
    assert_eq!(refused["ok"], false, "{refused}");

    let rotated = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["keys", "rotate", "--database-url", &url])
        .env_remove("DATABASE_URL")
        .env_remove("SWITCHBOARD_APP_TOKEN_LIFETIME")
        .output()
        .expect("the binary runs");
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    let said = String::from_utf8_lossy(&rotated.stdout).into_owned();
    assert!(said.contains("300 seconds"), "{said}");

    let after = context_token(&app, &context_uri).await;
    let verdict = pyjwt_verdict(&python, &base, &after, app_id);
    assert_eq!(verdict["ok"], true, "{verdict}");
    let second_kid = verdict["kid"].as_str().expect("a kid").to_owned();
    assert_ne!(second_kid, first_kid, "the new key signs at once");
    assert!(said.contains(&second_kid), "{said}");
    let still = pyjwt_verdict(&python, &base, &before, app_id);
    assert_eq!(
        still["ok"], true,
        "a token signed before the rotation verifies until it expires: {still}"
    );
}
