//! PostgreSQL for the fault tests: a fresh database on the shared server (`TEST_DATABASE_URL`),
//! or a private cluster of our own that a test may stop and start (never the shared one, which
//! other tests are using).

use crate::server::Scratch;
use sqlx::Connection;
use std::path::PathBuf;
use std::process::Command;

fn required() -> bool {
    std::env::var_os("REQUIRE_POSTGRES").is_some()
}

/// A database of its own on the server `TEST_DATABASE_URL` names.
pub struct FreshDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl FreshDatabase {
    /// `None` (after saying so) without `TEST_DATABASE_URL`, unless `REQUIRE_POSTGRES` is set.
    pub async fn create() -> Option<FreshDatabase> {
        let admin_url = match std::env::var("TEST_DATABASE_URL") {
            Ok(url) => url,
            Err(_) if required() => panic!("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not"),
            Err(_) => {
                eprintln!("postgres: skipped, TEST_DATABASE_URL is not set");
                return None;
            }
        };
        let name = format!(
            "switchboard_fault_{}",
            domain::password::random_token(12).to_lowercase()
        );
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("TEST_DATABASE_URL answers");
        // The name is ours (alphanumeric), never input.
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create a database");
        let _ = admin.close().await;
        let url = with_database(&admin_url, &name);
        Some(FreshDatabase {
            admin_url,
            name,
            url,
        })
    }

    pub async fn drop_it(self) {
        if let Ok(mut admin) = sqlx::PgConnection::connect(&self.admin_url).await {
            let _ = sqlx::raw_sql(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin)
            .await;
        }
    }
}

/// `url` naming database `name` instead (its query, if any, kept).
fn with_database(url: &str, name: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((head, query)) => (head, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = head.find("//").map_or(0, |i| i + 2);
    let server = match head[authority_start..].find('/') {
        Some(slash) => &head[..authority_start + slash],
        None => head,
    };
    format!("{server}/{name}{query}")
}

/// A PostgreSQL cluster in a temporary directory on a free port, run as the `postgres` user
/// when we are root (PostgreSQL refuses to run as root). Dropping it stops it and removes it
/// (its folder goes with its [`Scratch`]).
pub struct Cluster {
    bin: PathBuf,
    dir: Scratch,
    pub port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// `None` (after saying so) when PostgreSQL's server binaries are not installed, unless
    /// `REQUIRE_POSTGRES` is set.
    pub fn start() -> Option<Cluster> {
        let Some(bin) = server_binaries() else {
            if required() {
                panic!("REQUIRE_POSTGRES is set but /usr/lib/postgresql/*/bin/initdb is missing");
            }
            eprintln!(
                "postgres: skipped, no /usr/lib/postgresql/*/bin/initdb to start a private cluster"
            );
            return None;
        };
        let as_postgres = is_root();
        let dir = Scratch::new("cluster");
        let port = free_port();
        let cluster = Cluster {
            bin,
            dir,
            port,
            as_postgres,
        };
        if as_postgres {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(cluster.dir.path()));
        }
        let data = cluster.data();
        run(cluster
            .command("initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data));
        cluster.start_server();
        Some(cluster)
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `pg_ctl start`, waiting until it accepts connections.
    pub fn start_server(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        run(self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.path().join("server.log"))
            .args(["-o", &options, "-w", "-t", "60", "start"]));
    }

    /// `pg_ctl stop -m fast`: every connection is terminated, as in a real restart.
    pub fn stop_server(&self) {
        run(self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "fast", "-w", "-t", "60", "stop"]));
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin` holding `initdb` and `pg_ctl`.
fn server_binaries() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("a bound address").port()
}

fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The cluster's server log, for failure messages.
pub fn server_log(cluster: &Cluster) -> String {
    std::fs::read_to_string(cluster.dir.path().join("server.log")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn a_url_is_pointed_at_another_database() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/test?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:1", "x"), "postgres://h:1/x");
    }
}
