//! The server under test: a fresh database (an SQLite file in a temporary folder, or a new
//! PostgreSQL database), `switchboard seed` into it, `switchboard serve` on a free port, and its
//! memory read from `/proc`.

use crate::client::{Call, Connection};
use crate::BenchError;
use sqlx::Connection as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// The administrator the harness signs in as (the seed creates it on an empty database).
pub const ADMIN_EMAIL: &str = "bench@example.com";
pub const ADMIN_PASSWORD: &str = "bench-admin-password";

/// How long a server may take to answer its first `/health` before the harness gives up.
const START_LIMIT: Duration = Duration::from_secs(60);

/// Which database a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// A database made for one run and removed after it (see [`Database::remove`]).
#[derive(Debug)]
pub struct Database {
    pub backend: Backend,
    pub url: String,
    /// Where the servers' logs and (on SQLite) the database file live.
    pub dir: PathBuf,
    /// On PostgreSQL: the server URL to drop the database through, and its name.
    postgres: Option<(String, String)>,
}

impl Database {
    pub fn sqlite() -> Result<Self, BenchError> {
        let dir = scratch_dir("sqlite")?;
        Ok(Self {
            backend: Backend::Sqlite,
            url: format!("sqlite://{}", dir.join("bench.db").display()),
            dir,
            postgres: None,
        })
    }

    /// Creates `bench_<pid>_<n>` on the server `server_url` points at.
    pub async fn postgres(server_url: &str) -> Result<Self, BenchError> {
        let dir = scratch_dir("postgres")?;
        let name = format!(
            "bench_{}_{}",
            std::process::id(),
            dir.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.rsplit('_').next())
                .unwrap_or("0")
        );
        let mut admin = sqlx::PgConnection::connect(server_url).await?;
        // The name is ours (digits and underscores), never input; DDL takes no parameters.
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        let mut url = url::Url::parse(server_url)
            .map_err(|e| BenchError::Protocol(format!("database URL: {e}")))?;
        url.set_path(&format!("/{name}"));
        Ok(Self {
            backend: Backend::Postgres,
            url: url.to_string(),
            dir,
            postgres: Some((server_url.to_owned(), name)),
        })
    }

    /// Drops the PostgreSQL database and deletes the scratch folder (stop the servers first).
    pub async fn remove(self) -> Result<(), BenchError> {
        if let Some((server_url, name)) = &self.postgres {
            let mut admin = sqlx::PgConnection::connect(server_url).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await?;
            admin.close().await?;
        }
        std::fs::remove_dir_all(&self.dir)?;
        Ok(())
    }
}

/// A fresh folder under the system temporary directory.
fn scratch_dir(kind: &str) -> Result<PathBuf, BenchError> {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "switchboard-bench-{kind}-{}_{n}",
        std::process::id()
    ));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Runs `switchboard seed`: the demo account (its administrator is [`ADMIN_EMAIL`]) and
/// `conversations` conversations of `messages_each` messages. Returns how long it took.
pub async fn seed(
    binary: &Path,
    database: &Database,
    conversations: usize,
    messages_each: usize,
) -> Result<Duration, BenchError> {
    let log = database.dir.join("seed.log");
    let started = Instant::now();
    let status = Command::new(binary)
        .args(["seed", "--database-url", &database.url])
        .args(["--conversations", &conversations.to_string()])
        .args(["--messages-per-conversation", &messages_each.to_string()])
        .env("SWITCHBOARD_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("SWITCHBOARD_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdout(std::fs::File::create(&log)?)
        .stderr(std::fs::File::options().append(true).open(&log)?)
        .status()
        .await?;
    if !status.success() {
        return Err(BenchError::Process {
            what: "switchboard seed".into(),
            status: status.to_string(),
            log,
        });
    }
    Ok(started.elapsed())
}

/// A running `switchboard serve`; killed when dropped.
pub struct Instance {
    child: Child,
    pub addr: SocketAddr,
    pub pid: u32,
    /// From spawning the process to its first `200` on `/health`.
    pub started_in: Duration,
    log: PathBuf,
}

impl Instance {
    /// Serves `database` on a free local port (no demo app) and waits for `/health`.
    pub async fn start(binary: &Path, database: &Database, name: &str) -> Result<Self, BenchError> {
        let addr = free_port()?;
        let log = database.dir.join(format!("{name}.log"));
        let started = Instant::now();
        let mut child = Command::new(binary)
            .args(["serve", "--no-demo", "--database-url", &database.url])
            .args(["--addr", &addr.to_string()])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log)?)
            .stderr(std::fs::File::options().append(true).open(&log)?)
            .kill_on_drop(true)
            .spawn()?;
        let pid = child
            .id()
            .ok_or_else(|| BenchError::Protocol("the server exited at once".into()))?;
        loop {
            if health_answers(addr).await {
                break;
            }
            if let Some(status) = child.try_wait()? {
                return Err(BenchError::Process {
                    what: "switchboard serve".into(),
                    status: status.to_string(),
                    log,
                });
            }
            if started.elapsed() > START_LIMIT {
                return Err(BenchError::Timeout(format!(
                    "switchboard serve did not answer /health within {START_LIMIT:?}; see {}",
                    log.display()
                )));
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        Ok(Self {
            child,
            addr,
            pid,
            started_in: started.elapsed(),
            log,
        })
    }

    /// Resident memory now and at its highest so far.
    pub fn memory(&self) -> Result<Memory, BenchError> {
        Memory::of(self.pid)
    }

    /// Fails when the server died during a measurement (its log says why).
    pub fn require_running(&mut self) -> Result<(), BenchError> {
        match self.child.try_wait()? {
            None => Ok(()),
            Some(status) => Err(BenchError::Process {
                what: "switchboard serve".into(),
                status: status.to_string(),
                log: self.log.clone(),
            }),
        }
    }

    pub async fn stop(mut self) -> Result<(), BenchError> {
        self.child.kill().await?;
        Ok(())
    }
}

async fn health_answers(addr: SocketAddr) -> bool {
    match Connection::open(addr, None).await {
        Ok(mut connection) => connection.send(&Call::get("/health")).await.is_ok(),
        Err(_) => false,
    }
}

/// A port nobody listens on now (the kernel's pick; another process could take it before the
/// server binds, which on a bench machine does not happen).
fn free_port() -> Result<SocketAddr, BenchError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?)
}

/// `VmRSS` and `VmHWM` of a process, in MiB.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    pub rss_mb: f64,
    pub peak_mb: f64,
}

impl Memory {
    pub fn of(pid: u32) -> Result<Self, BenchError> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kb| kb.parse::<f64>().ok())
                .map(|kb| kb / 1024.0)
                .ok_or_else(|| BenchError::Protocol(format!("/proc/{pid}/status has no {name}")))
        };
        Ok(Self {
            rss_mb: field("VmRSS:")?,
            peak_mb: field("VmHWM:")?,
        })
    }
}
