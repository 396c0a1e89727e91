//! The benchmark harness's smoke run: `bench::all`, the code `cargo run -p bench -- all` runs,
//! on tiny data against the real `switchboard` binary, so the harness cannot rot. It checks
//! that every row is there with sane figures, never how fast they are (that is the harness's
//! job on a quiet machine, see docs/PERFORMANCE.md).

use bench::report::{RowKind, Verdict};
use bench::server::Backend;
use std::path::PathBuf;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_harness_measures_every_row_on_tiny_data() {
    let postgres_url = std::env::var("TEST_DATABASE_URL").ok();
    if postgres_url.is_none() {
        if std::env::var_os("REQUIRE_POSTGRES").is_some() {
            panic!("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not");
        }
        eprintln!("postgres: skipped, TEST_DATABASE_URL is not set");
    }
    let options = bench::Options {
        switchboard: PathBuf::from(env!("CARGO_BIN_EXE_switchboard")),
        conversations: 50,
        messages_per_conversation: 3,
        clients: 32,
        duration: Duration::from_secs(1),
        sockets: 20,
        cable_messages: 5,
        sqlite: true,
        postgres_url: postgres_url.clone(),
    };
    let report = bench::all(&options, "smoke".into())
        .await
        .expect("the harness runs end to end");

    let mut backends = vec![Backend::Sqlite];
    backends.extend(postgres_url.map(|_| Backend::Postgres));
    report
        .require_complete(&backends)
        .expect("every row, with positive figures");
    for backend in backends {
        let rows: Vec<RowKind> = report
            .rows
            .iter()
            .filter(|r| r.backend == backend)
            .map(|r| r.kind)
            .collect();
        assert_eq!(rows, RowKind::expected(backend), "{}", backend.name());
    }
    // Every row but the ceiling and the upload (measured, with no target set) is judged against a
    // target, and the table prints them all.
    let table = report.table();
    eprintln!("{table}");
    for row in &report.rows {
        assert!(table.contains(&row.what), "{table}");
        let judged = row.verdict != Verdict::NoTarget;
        assert_eq!(
            judged,
            row.kind != RowKind::Health
                && row.kind != RowKind::MessageWithPicture
                && !(row.backend == Backend::Postgres && row.kind == RowKind::ListWithCounts),
            "{}",
            row.what
        );
    }
    assert!(report.markdown().contains(&report.machine.model));
}
