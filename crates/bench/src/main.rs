//! `bench`: the benchmark harness's command line.
//!
//! - `bench all`: seeds a fresh SQLite database (and a PostgreSQL one with `--postgres-url`,
//!   `DATABASE_URL` or `TEST_DATABASE_URL`), starts the release `switchboard` on it, measures,
//!   prints one table and writes it into `docs/PERFORMANCE.md`.
//! - `bench soak --minutes 10`: steady load; fails when memory grows more than 10% after warm-up.
//! - `bench cable`: `/cable` delivery against instances you started yourself.
#![forbid(unsafe_code)]

use anyhow::Context;
use bench::cable::Sockets;
use bench::client::{self, Connection};
use bench::report::{self, Machine};
use bench::server::Memory;
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every measurement of issue 6 on fresh databases, printed as one table.
    All {
        #[command(flatten)]
        binary: Binary,
        #[arg(long, default_value_t = 100_000)]
        conversations: usize,
        #[arg(long, default_value_t = 10)]
        messages_per_conversation: usize,
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Seconds each load row is measured.
        #[arg(long, default_value_t = 10.0)]
        duration: f64,
        #[arg(long, default_value_t = 1000)]
        sockets: usize,
        /// Messages posted one at a time for each `/cable` delivery row.
        #[arg(long, default_value_t = 200)]
        cable_messages: usize,
        #[command(flatten)]
        postgres: Postgres,
        /// Skip SQLite (measure PostgreSQL only).
        #[arg(long)]
        no_sqlite: bool,
        /// Where to write the table (between its markers).
        #[arg(long)]
        docs: Option<PathBuf>,
        /// Print the table only.
        #[arg(long)]
        no_docs: bool,
    },
    /// A steady load for a long time, sampling the server's memory.
    Soak {
        #[command(flatten)]
        binary: Binary,
        #[arg(long, default_value_t = 10.0)]
        minutes: f64,
        #[arg(long, default_value_t = 10)]
        sample_seconds: u64,
        /// Seconds of warm-up before the baseline sample (default: a tenth of the run, ≤ 60).
        #[arg(long)]
        warm_up_seconds: Option<u64>,
        #[arg(long, default_value_t = 100_000)]
        conversations: usize,
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Requests per second over all clients (a quarter of them new messages).
        #[arg(long, default_value_t = 400.0)]
        rate: f64,
        #[arg(long, default_value_t = 100)]
        sockets: usize,
        /// Fail when RSS grows more than this many percent after warm-up.
        #[arg(long, default_value_t = 10.0)]
        limit_percent: f64,
        #[command(flatten)]
        postgres: Postgres,
    },
    /// Delivery latency from POST …/messages to /cable subscribers of running instances.
    Cable {
        /// The instance the sockets connect to.
        #[arg(long, default_value = "http://127.0.0.1:3000")]
        url: String,
        /// The instance the messages are posted to (default: --url).
        #[arg(long)]
        post_url: Option<String>,
        #[arg(long, default_value = "admin@example.com")]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, default_value_t = 1000)]
        sockets: usize,
        #[arg(long, default_value_t = 200)]
        messages: usize,
        #[arg(long, default_value_t = 1)]
        account: i64,
        #[arg(long, default_value_t = 1)]
        conversation: i64,
        /// The server's pid, to report its resident memory with the sockets open.
        #[arg(long)]
        pid: Option<u32>,
    },
}

#[derive(clap::Args)]
struct Binary {
    /// The switchboard binary; by default `cargo build --release -p switchboard` is run and the
    /// one beside this executable is used.
    #[arg(long)]
    switchboard: Option<PathBuf>,
}

#[derive(clap::Args)]
struct Postgres {
    /// A PostgreSQL server URL (default: DATABASE_URL or TEST_DATABASE_URL when they name one);
    /// the harness creates its own database there and drops it after.
    #[arg(long)]
    postgres_url: Option<String>,
}

impl Postgres {
    fn url(self) -> Option<String> {
        self.postgres_url.or_else(|| {
            ["DATABASE_URL", "TEST_DATABASE_URL"]
                .into_iter()
                .filter_map(|name| std::env::var(name).ok())
                .find(|url| url.starts_with("postgres:") || url.starts_with("postgresql:"))
        })
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::All {
            binary,
            conversations,
            messages_per_conversation,
            clients,
            duration,
            sockets,
            cable_messages,
            postgres,
            no_sqlite,
            docs,
            no_docs,
        } => {
            let options = bench::Options {
                switchboard: switchboard(binary)?,
                conversations,
                messages_per_conversation,
                clients,
                duration: Duration::from_secs_f64(duration),
                sockets,
                cable_messages,
                sqlite: !no_sqlite,
                postgres_url: postgres.url(),
            };
            let command = format!(
                "cargo run --release -p bench -- {}",
                std::env::args().skip(1).collect::<Vec<_>>().join(" ")
            );
            let report = bench::all(&options, command).await?;
            println!("{}", report.markdown());
            if !no_docs {
                let path = docs.unwrap_or_else(|| workspace().join("docs/PERFORMANCE.md"));
                report::write_between_markers(&path, &report.markdown())?;
                eprintln!("bench: wrote the table into {}", path.display());
            }
            Ok(())
        }
        Command::Soak {
            binary,
            minutes,
            sample_seconds,
            warm_up_seconds,
            conversations,
            clients,
            rate,
            sockets,
            limit_percent,
            postgres,
        } => {
            let duration = Duration::from_secs_f64(minutes * 60.0);
            let warm_up = warm_up_seconds
                .map(Duration::from_secs)
                .unwrap_or_else(|| (duration / 10).min(Duration::from_secs(60)));
            let options = bench::SoakOptions {
                switchboard: switchboard(binary)?,
                conversations,
                clients,
                rate,
                sockets,
                duration,
                sample_every: Duration::from_secs(sample_seconds.max(1)),
                warm_up,
                limit_percent,
                postgres_url: postgres.url(),
            };
            let before = report::load_average();
            let outcome = bench::soak(&options).await;
            let machine = Machine::describe(String::new(), before);
            match &outcome {
                Ok(soak) => println!(
                    "soak: {minutes} min, {clients} clients, {sockets} sockets: {:.0} req/s; RSS \
                     {:.1} MB after warm-up, {:.1} MB at the end ({:+.1}%); worst delivery p99 \
                     {:.1} ms; load average {} → {}",
                    soak.requests_per_second,
                    soak.baseline_mb,
                    soak.final_mb,
                    soak.growth_percent,
                    soak.delivery_p99.as_secs_f64() * 1000.0,
                    machine.load_before,
                    machine.load_after
                ),
                Err(error) => eprintln!("soak failed: {error}"),
            }
            outcome.map(|_| ()).map_err(Into::into)
        }
        Command::Cable {
            url,
            post_url,
            email,
            password,
            sockets,
            messages,
            account,
            conversation,
            pid,
        } => {
            let socket_addr = resolve(&url).await?;
            let post_addr = match post_url {
                Some(other) => resolve(&other).await?,
                None => socket_addr,
            };
            let login = client::sign_in(socket_addr, &email, &password).await?;
            let mut open = Sockets::open(socket_addr, &login.pubsub_token, sockets).await?;
            println!("{sockets} sockets subscribed");
            let rss = |when: &str| {
                if let Some(memory) = pid.and_then(|pid| Memory::of(pid).ok()) {
                    println!("server RSS {when}: {:.1} MB", memory.rss_mb);
                }
            };
            rss("with sockets open");
            let mut post = Connection::open(post_addr, Some(&login.access_token)).await?;
            let path = format!("/api/v1/accounts/{account}/conversations/{conversation}/messages");
            let delivery = open.delivery(&mut post, &path, messages).await?;
            for (what, latencies) in [
                ("POST → first socket".to_owned(), &delivery.first),
                (format!("POST → all {sockets} sockets"), &delivery.all),
            ] {
                println!(
                    "{what}: n={} p50={:.2} ms p99={:.2} ms max={:.2} ms",
                    latencies.len(),
                    latencies.p50().as_secs_f64() * 1000.0,
                    latencies.p99().as_secs_f64() * 1000.0,
                    latencies.quantile(1.0).as_secs_f64() * 1000.0
                );
            }
            rss("after the run");
            Ok(())
        }
    }
}

/// The workspace root (this crate is `crates/bench`).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The binary to measure: the one given, or a freshly built release `switchboard` beside us
/// (building first, so a stale binary is never measured).
fn switchboard(binary: Binary) -> anyhow::Result<PathBuf> {
    if let Some(path) = binary.switchboard {
        return Ok(path);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("bench: cargo build --release -p switchboard");
    let status = std::process::Command::new(cargo)
        .args(["build", "--release", "-p", "switchboard"])
        .current_dir(workspace())
        .status()
        .context("running cargo build (or pass --switchboard PATH)")?;
    anyhow::ensure!(
        status.success(),
        "cargo build --release -p switchboard failed"
    );
    let path = std::env::current_exe()?.with_file_name("switchboard");
    anyhow::ensure!(
        path.exists(),
        "no switchboard beside {}; pass --switchboard PATH",
        path.display()
    );
    Ok(path)
}

async fn resolve(url: &str) -> anyhow::Result<SocketAddr> {
    let host = url
        .strip_prefix("http://")
        .context("only http:// URLs")?
        .trim_end_matches('/');
    tokio::net::lookup_host(host)
        .await?
        .next()
        .with_context(|| format!("{host} does not resolve"))
}
