//! The benchmark harness for Switchboard (issue 6): `all` seeds a fresh database, starts the
//! release binary on it and measures with its own load generator; `soak` holds a steady load
//! and watches memory; `cable` measures `/cable` delivery against instances you started.
//!
//! Speed is reported here, never asserted: the figures go beside their targets in one table,
//! which `bench all` also writes into `docs/PERFORMANCE.md`. The smoke test only checks that
//! every row is there with sane figures.
#![forbid(unsafe_code)]

pub mod cable;
pub mod client;
mod error;
pub mod load;
pub mod report;
pub mod server;
pub mod upload;

pub use error::BenchError;

use cable::Sockets;
use client::{Call, Connection};
use load::{Load, Throughput};
use report::{Figure, Machine, Report, Row, RowKind, Verdict};
use serde_json::json;
use server::{Backend, Database, Instance, ADMIN_EMAIL, ADMIN_PASSWORD};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The list every list row asks for (account 1 is the one the seed fills).
const LIST: &str = "/api/v1/accounts/1/conversations";

/// What `bench all` measures and how big.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `switchboard` binary to start.
    pub switchboard: PathBuf,
    pub conversations: usize,
    pub messages_per_conversation: usize,
    /// Concurrent connections of each load row.
    pub clients: usize,
    /// How long each load row is measured (after a warm-up of a fifth of it, at most 2 s).
    pub duration: Duration,
    /// `/cable` sockets held open during the delivery rows.
    pub sockets: usize,
    /// Messages posted, one at a time, per delivery row.
    pub cable_messages: usize,
    pub sqlite: bool,
    /// A PostgreSQL server URL: the harness creates its own database there and drops it after.
    pub postgres_url: Option<String>,
}

impl Options {
    fn load(&self) -> Load {
        Load {
            clients: self.clients,
            duration: self.duration,
            warm_up: (self.duration / 5).min(Duration::from_secs(2)),
            pace: None,
        }
    }

    fn backends(&self) -> Vec<Backend> {
        let mut backends = Vec::new();
        if self.sqlite {
            backends.push(Backend::Sqlite);
        }
        if self.postgres_url.is_some() {
            backends.push(Backend::Postgres);
        }
        backends
    }
}

/// Runs every measurement on each backend and returns the complete table; `command` is how
/// the run was invoked, for the report. Progress goes to stderr.
pub async fn all(options: &Options, command: String) -> Result<Report, BenchError> {
    let load_before = report::load_average();
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for backend in options.backends() {
        let database = match (backend, &options.postgres_url) {
            (Backend::Postgres, Some(url)) => Database::postgres(url).await?,
            _ => Database::sqlite()?,
        };
        let measured = measure_backend(options, &database, &mut rows, &mut notes).await;
        // The database goes whether or not the run succeeded; the run's error wins.
        let removed = database.remove().await;
        measured?;
        removed?;
    }
    let report = Report {
        rows,
        machine: Machine::describe(command, load_before),
        notes,
    };
    report.require_complete(&options.backends())?;
    Ok(report)
}

async fn measure_backend(
    options: &Options,
    database: &Database,
    rows: &mut Vec<Row>,
    notes: &mut Vec<String>,
) -> Result<(), BenchError> {
    let backend = database.backend;
    let name = backend.name();
    progress(format!(
        "{name}: seeding {} conversations × {} messages",
        options.conversations, options.messages_per_conversation
    ));
    let seeded = server::seed(
        &options.switchboard,
        database,
        options.conversations,
        options.messages_per_conversation,
    )
    .await?;
    notes.push(format!(
        "{name}: `switchboard seed --conversations {} --messages-per-conversation {}` took {:.1} s.",
        options.conversations,
        options.messages_per_conversation,
        seeded.as_secs_f64()
    ));
    let mut a = Instance::start(&options.switchboard, database, "a").await?;
    let login = client::sign_in(a.addr, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    let idle = a.memory()?;
    let token = Some(login.access_token.as_str());
    let load = options.load();
    let first_row = rows.len();
    let mut row = |kind, what: String, figure, target: String, verdict| {
        rows.push(Row {
            backend,
            kind,
            what,
            figure,
            target,
            verdict,
        })
    };

    progress(format!("{name}: GET /health"));
    let health = load::run(a.addr, None, load, |_, _| Call::get("/health")).await?;
    // A discarded pass over the list first: otherwise the first measured row pays for the
    // caches the seed left cold (SQLite's page cache, the OS file cache, the WAL still to be
    // checkpointed), which a server that has been up for a while does not.
    progress(format!("{name}: warming the conversation list"));
    for path in [LIST.to_owned(), format!("{LIST}?page=400")] {
        load::run(a.addr, token, load, move |_, _| Call::get(path.clone())).await?;
    }
    progress(format!("{name}: conversation list"));
    let page_one = load::run(a.addr, token, load, |_, _| Call::get(LIST)).await?;
    let without_counts = load::run(a.addr, token, load, |_, _| {
        Call::get(format!("{LIST}?counts=false"))
    })
    .await?;
    let page_400 = load::run(a.addr, token, load, |_, _| {
        Call::get(format!("{LIST}?page=400"))
    })
    .await?;
    a.require_running()?;

    let rate = |t: &Throughput, unit| Figure::Rate {
        per_second: t.per_second,
        unit,
        p50: t.latencies.p50(),
        p99: t.latencies.p99(),
        vs_health: t.per_second / health.per_second,
    };
    row(
        RowKind::Health,
        "`GET /health`".into(),
        rate(&health, "req/s"),
        "the ceiling".into(),
        Verdict::NoTarget,
    );
    let (list_target, list_verdict) = match backend {
        Backend::Sqlite => (
            "≥ 2,000 req/s, p99 ≤ 25 ms".to_owned(),
            Verdict::of(
                page_one.per_second >= 2_000.0
                    && page_one.latencies.p99() <= Duration::from_millis(25),
            ),
        ),
        Backend::Postgres => ("(set for SQLite)".to_owned(), Verdict::NoTarget),
    };
    row(
        RowKind::ListWithCounts,
        "list page 1 with counts".into(),
        rate(&page_one, "req/s"),
        list_target,
        list_verdict,
    );
    row(
        RowKind::ListWithoutCounts,
        "list page 1 without counts (`counts=false`)".into(),
        rate(&without_counts, "req/s"),
        "≥ 0.50 × /health".into(),
        Verdict::of(without_counts.per_second >= 0.5 * health.per_second),
    );
    row(
        RowKind::ListPage400,
        "list page 400 with counts".into(),
        rate(&page_400, "req/s"),
        "p50 ≤ 2 × page 1's".into(),
        Verdict::of(page_400.latencies.p50() <= page_one.latencies.p50() * 2),
    );
    progress(format!(
        "{name}: /cable delivery with {} sockets",
        options.sockets
    ));
    let conversation_messages = format!("{LIST}/1/messages");
    let sockets = options.sockets;
    let one = {
        let mut open = Sockets::open(a.addr, &login.pubsub_token, sockets).await?;
        let mut post = Connection::open(a.addr, token).await?;
        open.delivery(&mut post, &conversation_messages, options.cable_messages)
            .await?
    };
    let within = |limit| format!("p99 ≤ {limit} ms");
    let delivered = |p99: Duration, limit| Verdict::of(p99 <= Duration::from_millis(limit));
    row(
        RowKind::CableFirst,
        format!("`/cable` POST → first of {sockets} sockets, one instance"),
        Figure::Latency {
            p50: one.first.p50(),
            p99: one.first.p99(),
        },
        within(20),
        delivered(one.first.p99(), 20),
    );
    row(
        RowKind::CableAll,
        format!("`/cable` POST → all {sockets} sockets, one instance"),
        Figure::Latency {
            p50: one.all.p50(),
            p99: one.all.p99(),
        },
        within(20),
        delivered(one.all.p99(), 20),
    );
    if backend == Backend::Postgres {
        progress(format!(
            "{name}: /cable delivery across two instances ({sockets} sockets on B, POST on A)"
        ));
        let mut b = Instance::start(&options.switchboard, database, "b").await?;
        let across = {
            let mut open = Sockets::open(b.addr, &login.pubsub_token, sockets).await?;
            let mut post = Connection::open(a.addr, token).await?;
            open.delivery(&mut post, &conversation_messages, options.cable_messages)
                .await?
        };
        b.require_running()?;
        b.stop().await?;
        row(
            RowKind::CableAcrossFirst,
            format!("`/cable` POST on A → first of {sockets} sockets on B"),
            Figure::Latency {
                p50: across.first.p50(),
                p99: across.first.p99(),
            },
            within(50),
            delivered(across.first.p99(), 50),
        );
        row(
            RowKind::CableAcrossAll,
            format!("`/cable` POST on A → all {sockets} sockets on B"),
            Figure::Latency {
                p50: across.all.p50(),
                p99: across.all.p99(),
            },
            within(50),
            delivered(across.all.p99(), 50),
        );
    }
    // Message creation comes after /cable: the hub renders every message.created it causes,
    // and delivery measured behind that backlog would measure the backlog.
    progress(format!("{name}: message creation"));
    let spread = options.conversations.max(1) as u64;
    let messages = load::run(a.addr, token, load, move |client, n| {
        // Spread over the seeded conversations (display ids 1..=spread), as many agents
        // replying at once would; two clients rarely write to one conversation together.
        let display_id = 1 + (client as u64 * 7_919 + n * 104_729) % spread;
        Call::post(
            format!("{LIST}/{display_id}/messages"),
            &json!({"content": "load message", "private": true}),
        )
    })
    .await?;
    row(
        RowKind::MessageCreation,
        "`POST …/messages` (private notes)".into(),
        rate(&messages, "msg/s"),
        "≥ 2,000 msg/s, p99 ≤ 20 ms".into(),
        Verdict::of(
            messages.per_second >= 2_000.0 && messages.latencies.p99() <= Duration::from_millis(20),
        ),
    );
    // Files are streamed to storage, so 32 clients each sending a megabyte must not hold 32
    // megabytes at once; the peak row below is read after this one.
    progress(format!("{name}: message creation with a 1 MB picture"));
    let picture = upload::multipart(&upload::one_megabyte_png());
    // Eight agents sending pictures at once: uploads are a share of the traffic, not all of it.
    let uploads = Load {
        clients: load.clients.min(8),
        ..load
    };
    let with_picture = load::run(a.addr, token, uploads, move |client, n| {
        let display_id = 1 + (client as u64 * 7_919 + n * 104_729) % spread;
        Call::multipart(
            format!("{LIST}/{display_id}/messages"),
            upload::BOUNDARY,
            picture.clone(),
        )
    })
    .await?;
    row(
        RowKind::MessageWithPicture,
        "`POST …/messages` with a 1 MB picture (multipart)".into(),
        rate(&with_picture, "msg/s"),
        "no target yet; peak RSS below".into(),
        Verdict::NoTarget,
    );
    // The hub under the highest message rate: the sockets hold on while messages are created
    // flat out, as many agents replying at once would, and must get every one, none as resync.
    progress(format!(
        "{name}: message creation with {sockets} sockets open"
    ));
    let mut open = Sockets::open(a.addr, &login.pubsub_token, sockets).await?;
    let under_sockets = load::run(a.addr, token, load, move |client, n| {
        let display_id = 1 + (client as u64 * 7_919 + n * 104_729) % spread;
        Call::post(
            format!("{LIST}/{display_id}/messages"),
            &json!({"content": "load message", "private": true}),
        )
    })
    .await?;
    let last_answer = std::time::Instant::now();
    let hub = open.settle(under_sockets.completed, last_answer).await;
    drop(open);
    row(
        RowKind::HubUnderLoad,
        format!("`/cable`: {sockets} sockets during `POST …/messages` flat out"),
        Figure::Hub {
            per_second: under_sockets.per_second,
            resyncs: hub.resyncs,
            missed: hub.missed,
            drain: hub.drain,
        },
        "no resync, nothing missed, drained ≤ 1 s".into(),
        Verdict::of(hub.resyncs == 0 && hub.missed == 0 && hub.drain <= Duration::from_secs(1)),
    );
    a.require_running()?;
    let peak = a.memory()?;
    row(
        RowKind::RssIdle,
        "server RSS idle (after start and sign-in)".into(),
        Figure::Megabytes(idle.rss_mb),
        "≤ 30 MB".into(),
        Verdict::of(idle.rss_mb <= 30.0),
    );
    row(
        RowKind::RssPeak,
        format!("server peak RSS (VmHWM: the load rows and uploads, then {sockets} sockets)"),
        Figure::Megabytes(peak.peak_mb),
        "≤ 150 MB".into(),
        Verdict::of(peak.peak_mb <= 150.0),
    );
    row(
        RowKind::Startup,
        "spawn → first `/health` answer".into(),
        Figure::Time(a.started_in),
        "≤ 300 ms".into(),
        Verdict::of(a.started_in <= Duration::from_millis(300)),
    );
    a.stop().await?;
    // Rows in the table's order, whatever order they were measured in.
    rows[first_row..].sort_by_key(|r| r.kind);
    Ok(())
}

/// What `bench soak` holds and for how long.
#[derive(Debug, Clone)]
pub struct SoakOptions {
    pub switchboard: PathBuf,
    pub conversations: usize,
    pub clients: usize,
    /// Requests per second over all clients: steady, well below saturation, as a working day.
    pub rate: f64,
    pub sockets: usize,
    pub duration: Duration,
    pub sample_every: Duration,
    /// Samples before this are the warm-up; growth is measured from the first after it.
    pub warm_up: Duration,
    /// The growth in RSS from the end of the warm-up to the end that fails the soak.
    pub limit_percent: f64,
    pub postgres_url: Option<String>,
}

/// The memory samples of a soak and its verdict.
#[derive(Debug, Clone)]
pub struct SoakReport {
    pub samples: Vec<(Duration, f64)>,
    pub baseline_mb: f64,
    pub final_mb: f64,
    pub growth_percent: f64,
    pub requests_per_second: f64,
    pub delivery_p99: Duration,
}

/// Holds a steady mixed load (list reads, message creation, `/cable` sockets receiving) for
/// `duration`, sampling the server's RSS; fails with [`BenchError::MemoryGrowth`] when RSS at
/// the end exceeds RSS after the warm-up by more than the limit.
pub async fn soak(options: &SoakOptions) -> Result<SoakReport, BenchError> {
    let database = match &options.postgres_url {
        Some(url) => Database::postgres(url).await?,
        None => Database::sqlite()?,
    };
    let result = soak_on(options, &database).await;
    let removed = database.remove().await;
    let report = result?;
    removed?;
    if report.growth_percent > options.limit_percent {
        return Err(BenchError::MemoryGrowth {
            growth_percent: report.growth_percent,
            limit_percent: options.limit_percent,
        });
    }
    Ok(report)
}

async fn soak_on(options: &SoakOptions, database: &Database) -> Result<SoakReport, BenchError> {
    progress(format!(
        "soak: seeding {} conversations",
        options.conversations
    ));
    server::seed(&options.switchboard, database, options.conversations, 10).await?;
    let mut server = Instance::start(&options.switchboard, database, "soak").await?;
    let login = client::sign_in(server.addr, ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    let mut sockets = Sockets::open(server.addr, &login.pubsub_token, options.sockets).await?;
    let mut probe = Connection::open(server.addr, Some(&login.access_token)).await?;
    let spread = options.conversations.max(1) as u64;
    let steady = Load {
        clients: options.clients,
        duration: options.duration,
        warm_up: Duration::ZERO,
        pace: Some(Duration::from_secs_f64(
            options.clients as f64 / options.rate.max(1.0),
        )),
    };
    let load = tokio::spawn(mixed_load(
        server.addr,
        login.access_token.clone(),
        steady,
        spread,
    ));
    let started = Instant::now();
    let mut samples = Vec::new();
    let mut deliveries = Vec::new();
    while started.elapsed() < options.duration {
        tokio::time::sleep(options.sample_every).await;
        server.require_running()?;
        let rss = server.memory()?.rss_mb;
        // A few probe messages per sample: sockets keep receiving and delivery is watched too.
        let delivery = sockets
            .delivery(&mut probe, &format!("{LIST}/1/messages"), 3)
            .await?;
        deliveries.push(delivery.all.p99());
        progress(format!(
            "soak: {:>5.0} s  RSS {rss:.1} MB  delivery p99 {:.1} ms",
            started.elapsed().as_secs_f64(),
            delivery.all.p99().as_secs_f64() * 1000.0
        ));
        samples.push((started.elapsed(), rss));
    }
    let throughput = load
        .await
        .map_err(|e| BenchError::Protocol(format!("the soak load panicked: {e}")))??;
    server.stop().await?;
    let baseline_mb = samples
        .iter()
        .find(|(at, _)| *at >= options.warm_up)
        .or(samples.first())
        .map(|(_, rss)| *rss)
        .ok_or_else(|| BenchError::Incomplete("the soak took no sample".into()))?;
    let final_mb = samples.last().map_or(baseline_mb, |(_, rss)| *rss);
    Ok(SoakReport {
        growth_percent: (final_mb - baseline_mb) / baseline_mb * 100.0,
        samples,
        baseline_mb,
        final_mb,
        requests_per_second: throughput.per_second,
        delivery_p99: load::Latencies::new(deliveries).quantile(1.0),
    })
}

/// The soak's load: three clients in four read the list (pages 1–40, with and without
/// counts), the fourth adds messages across the seeded conversations.
async fn mixed_load(
    addr: SocketAddr,
    token: String,
    load: Load,
    spread: u64,
) -> Result<Throughput, BenchError> {
    load::run(addr, Some(&token), load, move |client, n| {
        if client % 4 == 3 {
            let display_id = 1 + (client as u64 * 7_919 + n * 104_729) % spread;
            Call::post(
                format!("{LIST}/{display_id}/messages"),
                &json!({"content": "soak message", "private": true}),
            )
        } else if n % 2 == 0 {
            Call::get(format!("{LIST}?page={}", 1 + n % 40))
        } else {
            Call::get(format!("{LIST}?counts=false&page={}", 1 + n % 40))
        }
    })
    .await
}

fn progress(line: String) {
    eprintln!("bench: {line}");
}
