//! Published Chatwoot API clients, unmodified, against a real Switchboard server.
//!
//! Chatwoot's own Python SDK (`chatwoot-sdk`, pinned in `tests/clients/python/requirements.txt`)
//! runs every one of its operations (`tests/clients/python/suite.py`) as an integration's
//! backend would. What each operation should do is written once, in the SDK table of
//! `docs/COMPATIBILITY.md`: every operation marked `supported` must pass, on SQLite and on
//! PostgreSQL, and every operation the suite runs must have a row there.
//!
//! The client lives in a virtualenv that `.ci/run` makes (`tests/clients/python/.venv`);
//! without it the test says so and passes, unless `REQUIRE_COMPAT` is set.

#[path = "../support/mod.rs"]
mod support;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::{on_each_backend, TestApp};

/// The heading of the SDK's table in `docs/COMPATIBILITY.md`.
const TABLE_HEADING: &str = "## Chatwoot's Python SDK";

#[derive(Debug, Deserialize)]
struct Outcome {
    op: String,
    ok: bool,
    detail: String,
}

/// What the table says of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expected {
    Supported,
    /// Partial, not supported, or the client contradicting Chatwoot: run, reported, not required.
    Other(String),
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> Option<PathBuf> {
    let path = root().join("tests/clients/python/.venv/bin/python");
    path.is_file().then_some(path)
}

/// The SDK table: `| \`op\` | route | status | note |` rows under [`TABLE_HEADING`].
fn expected_outcomes(markdown: &str) -> BTreeMap<String, Expected> {
    let section = markdown
        .split_once(TABLE_HEADING)
        .map(|(_, rest)| rest)
        .expect("docs/COMPATIBILITY.md has the SDK's table");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
            let op = cells.first()?.trim().strip_prefix('`')?.strip_suffix('`')?;
            let status = cells.get(2)?.trim();
            let expected = if status == "supported" {
                Expected::Supported
            } else {
                Expected::Other(status.to_owned())
            };
            Some((op.to_owned(), expected))
        })
        .collect()
}

fn run_suite(python: &Path, base: &str, token: &str, account_id: i64) -> Vec<Outcome> {
    let output = std::process::Command::new(python)
        .arg(root().join("tests/clients/python/suite.py"))
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chatwoots_python_sdk_passes_every_operation_we_claim() {
    let Some(python) = python() else {
        assert!(
            std::env::var_os("REQUIRE_COMPAT").is_none(),
            "REQUIRE_COMPAT is set but tests/clients/python/.venv is missing (see .ci/run)"
        );
        eprintln!("clients: skipped, no tests/clients/python/.venv");
        return;
    };
    let docs = std::fs::read_to_string(root().join("docs/COMPATIBILITY.md"))
        .expect("docs/COMPATIBILITY.md");
    let expected = expected_outcomes(&docs);
    on_each_backend(async |app: TestApp| {
        let base = app.serve().await;
        let python = python.clone();
        let token = app.admin.token.clone();
        let account = app.acme.account_id;
        let outcomes =
            tokio::task::spawn_blocking(move || run_suite(&python, &base, &token, account))
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
            "claimed but failing:\n{}",
            failures.join("\n")
        );
    })
    .await;
}

#[test]
fn the_table_parser_reads_statuses_and_ignores_other_sections() {
    let markdown = "# x\n## Chatwoot's Python SDK (chatwoot-sdk 0.2.0)\n\
        | operation | route | status | note |\n|---|---|---|---|\n\
        | `a.b` | GET /x | supported | |\n| `c.d` | GET /y | not supported | why |\n\
        ## Routes\n| `e.f` | GET /z | supported | |\n";
    let table = expected_outcomes(markdown);
    assert_eq!(table.len(), 2);
    assert_eq!(table["a.b"], Expected::Supported);
    assert_eq!(table["c.d"], Expected::Other("not supported".into()));
}
