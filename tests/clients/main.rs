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
