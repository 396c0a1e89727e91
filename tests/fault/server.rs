//! The real `switchboard` binary as a child process, and a small JSON API client for it.

use crate::postgres;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const EMAIL: &str = "fault@example.test";
pub const PASSWORD: &str = "fault-test-password-1";

/// How long the binary may take to print its address.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A fresh folder under the system's temp dir for one test (the binary's logs, an SQLite
/// file), removed when dropped; kept, and named on stderr, when the test is failing, for the
/// logs it holds.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(kind: &str) -> Scratch {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "switchboard-fault-{kind}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        Scratch(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept {} for its logs", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A database of one test's own, with its [`Scratch`] folder: an SQLite file in that folder,
/// or a fresh database on the PostgreSQL server `TEST_DATABASE_URL` names.
pub struct TestDatabase {
    pub url: String,
    pub dir: Scratch,
    postgres: Option<postgres::FreshDatabase>,
}

impl TestDatabase {
    pub fn sqlite(kind: &str) -> TestDatabase {
        let dir = Scratch::new(&format!("{kind}-sqlite"));
        TestDatabase {
            url: format!("sqlite://{}", dir.path().join("switchboard.db").display()),
            dir,
            postgres: None,
        }
    }

    /// `None` (after saying so) without `TEST_DATABASE_URL`, unless `REQUIRE_POSTGRES` is set.
    pub async fn postgres(kind: &str) -> Option<TestDatabase> {
        let database = postgres::FreshDatabase::create().await?;
        Some(TestDatabase {
            url: database.url.clone(),
            dir: Scratch::new(&format!("{kind}-postgres")),
            postgres: Some(database),
        })
    }

    /// Starts the binary on this database, logging into its folder.
    pub fn start(&self) -> Switchboard {
        Switchboard::start(&self.url, self.dir.path())
    }

    /// Drops the PostgreSQL database (the folder goes with `self`).
    pub async fn finish(self) {
        if let Some(database) = self.postgres {
            database.drop_it().await;
        }
    }
}

/// A running `switchboard serve` on `127.0.0.1:0`. Dropping it kills the process.
pub struct Switchboard {
    child: Child,
    pub base: String,
    /// The demo app's `http://127.0.0.1:PORT`, when it was started with one.
    pub demo: Option<String>,
    /// Where its log (stderr) goes; shown when a test fails.
    pub log: PathBuf,
}

impl Switchboard {
    /// Starts the binary on `database_url` (migrating, and seeding an administrator with
    /// [`EMAIL`] / [`PASSWORD`] into an empty database) and waits for its address.
    pub fn start(database_url: &str, dir: &Path) -> Switchboard {
        Self::start_with(database_url, dir, false)
    }

    /// As [`Switchboard::start`], with the demo app on a port of its own when `demo` is set
    /// (its address in [`Switchboard::demo`]).
    pub fn start_with(database_url: &str, dir: &Path, demo: bool) -> Switchboard {
        static STARTS: AtomicUsize = AtomicUsize::new(0);
        let log = dir.join(format!(
            "switchboard-{}.log",
            STARTS.fetch_add(1, Ordering::Relaxed)
        ));
        let stderr = std::fs::File::create(&log).expect("a log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .args(["--addr", "127.0.0.1:0"])
            .args(if demo {
                &["--demo-app-addr", "127.0.0.1:0"][..]
            } else {
                &["--no-demo"][..]
            })
            .env("DATABASE_URL", database_url)
            .env("SWITCHBOARD_ADMIN_EMAIL", EMAIL)
            .env("SWITCHBOARD_ADMIN_PASSWORD", PASSWORD)
            .env("RUST_LOG", "info")
            // Its data directory on PostgreSQL (`data/`, for the secret key) goes in `dir` too.
            .current_dir(dir)
            // The webhook receivers of tests/fault/events.rs listen on loopback.
            .env("SWITCHBOARD_EGRESS_ALLOW_PRIVATE", "1")
            // A delivery claimed by a killed instance is sent by another 12 s later, not 60 s.
            .env("SWITCHBOARD_WEBHOOK_LEASE", "12")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("the switchboard binary starts");
        let stdout = child.stdout.take().expect("a piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads every line, so the child never blocks on a full pipe; the first address wins.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                for prefix in ["Switchboard listening on ", "Demo dashboard app on "] {
                    if let Some(rest) = line.strip_prefix(prefix) {
                        let url = rest.trim().trim_end_matches('/').to_owned();
                        let _ = tx.send((prefix, url));
                    }
                }
            }
        });
        let (mut base, mut demo_base) = (None, None);
        while base.is_none() || (demo && demo_base.is_none()) {
            match rx.recv_timeout(START_TIMEOUT) {
                Ok(("Switchboard listening on ", url)) => base = Some(url),
                Ok((_, url)) => demo_base = Some(url),
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "switchboard did not print its address; log:\n{}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    );
                }
            }
        }
        Switchboard {
            child,
            base: base.expect("the address was printed"),
            demo: demo_base,
            log,
        }
    }

    /// `kill -9`: no shutdown, no flush, nothing.
    pub fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL is delivered");
        self.child.wait().expect("the killed process is reaped");
    }

    /// The process is still running (it did not exit, or panic its way out).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Switchboard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a request answered: its status and body, or that it got no answer at all.
#[derive(Debug)]
pub enum Answer {
    Status(u16, String),
    /// Connection refused, reset or timed out: the request may or may not have been served.
    NoAnswer(String),
}

impl Answer {
    pub fn is_success(&self) -> bool {
        matches!(self, Answer::Status(status, _) if (200..300).contains(status))
    }

    /// The JSON body of a 2xx, or a panic naming what came instead.
    pub fn ok(self, what: &str) -> Value {
        match self {
            Answer::Status(status, body) if (200..300).contains(&status) => {
                serde_json::from_str(&body).unwrap_or(Value::Null)
            }
            other => panic!("{what}: {other:?}"),
        }
    }
}

/// The API as an administrator signed in with a token.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    pub base: String,
    pub token: String,
    pub pubsub_token: String,
    pub account_id: i64,
}

/// Every request gives up after this long; the server's own timeout is 30 s.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(40);

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("an HTTP client")
}

pub async fn send(request: reqwest::RequestBuilder) -> Answer {
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            match response.text().await {
                Ok(body) => Answer::Status(status, body),
                Err(error) => {
                    Answer::NoAnswer(format!("{status} with an unreadable body: {error}"))
                }
            }
        }
        Err(error) => Answer::NoAnswer(error.to_string()),
    }
}

impl Api {
    pub async fn sign_in(base: &str) -> Api {
        let http = client();
        let body = send(
            http.post(format!("{base}/auth/sign_in"))
                .header("content-type", "application/json")
                .body(json!({"email": EMAIL, "password": PASSWORD}).to_string()),
        )
        .await
        .ok("sign in");
        let data = &body["data"];
        Api {
            http,
            base: base.to_owned(),
            token: data["access_token"].as_str().expect("a token").to_owned(),
            pubsub_token: data["pubsub_token"]
                .as_str()
                .expect("a pubsub token")
                .to_owned(),
            account_id: data["account_id"].as_i64().expect("an account"),
        }
    }

    /// The same signed-in administrator on the server at `base` (another instance, or this
    /// one restarted: the token is in the database).
    pub fn at(&self, base: &str) -> Api {
        Api {
            base: base.to_owned(),
            ..self.clone()
        }
    }

    /// `{base}/api/v1/accounts/{account}/{rest}`.
    pub fn url(&self, rest: &str) -> String {
        format!("{}/api/v1/accounts/{}/{rest}", self.base, self.account_id)
    }

    pub async fn get(&self, rest: &str) -> Answer {
        send(
            self.http
                .get(self.url(rest))
                .header("api_access_token", &self.token),
        )
        .await
    }

    pub async fn post(&self, rest: &str, body: &Value) -> Answer {
        send(
            self.http
                .post(self.url(rest))
                .header("api_access_token", &self.token)
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    /// An inbox, a contact and an open conversation; returns the conversation's display id.
    pub async fn conversation(&self) -> i64 {
        let inbox = self
            .post("inboxes", &json!({"name": "Fault line"}))
            .await
            .ok("create an inbox");
        let inbox_id = inbox["id"].as_i64().expect("an inbox id");
        let contact = self
            .post(
                "contacts",
                &json!({"name": "Fay Ult", "email": "fay@example.test", "inbox_id": inbox_id}),
            )
            .await
            .ok("create a contact");
        let contact_id = contact["payload"]["contact"]["id"]
            .as_i64()
            .expect("a contact id");
        let conversation = self
            .post(
                "conversations",
                &json!({"inbox_id": inbox_id, "contact_id": contact_id}),
            )
            .await
            .ok("create a conversation");
        conversation["id"].as_i64().expect("a display id")
    }

    /// Every message of the conversation as (id, content), walking the thread back 20 at a time.
    pub async fn all_messages(&self, display_id: i64) -> Vec<(i64, String)> {
        let mut all = Vec::new();
        let mut before: Option<i64> = None;
        loop {
            let query = before.map(|id| format!("?before={id}")).unwrap_or_default();
            let page = self
                .get(&format!("conversations/{display_id}/messages{query}"))
                .await
                .ok("list messages");
            let items = page["payload"].as_array().expect("a payload").clone();
            if items.is_empty() {
                break;
            }
            let mut oldest = i64::MAX;
            for item in &items {
                let id = item["id"].as_i64().expect("a message id");
                oldest = oldest.min(id);
                let content = item["content"].as_str().unwrap_or_default().to_owned();
                all.push((id, content));
            }
            if before == Some(oldest) {
                break;
            }
            before = Some(oldest);
        }
        all
    }
}

/// One message creation of a [`Burst`] that was answered 2xx.
#[derive(Debug, Clone)]
pub struct Acknowledged {
    pub writer: usize,
    /// Its place among its writer's messages (each writer waits for each answer).
    pub n: usize,
    /// The id the server gave it.
    pub id: i64,
    pub content: String,
}

/// Writers posting messages to one conversation as fast as they are answered, until a request
/// gets no answer (the server was killed). Every answered creation is written down; any other
/// answer fails the test.
pub struct Burst {
    acknowledged: Arc<Mutex<Vec<Acknowledged>>>,
    writers: Vec<tokio::task::JoinHandle<String>>,
}

/// How long a burst may take to reach the size a test waits for.
const BURST_PATIENCE: Duration = Duration::from_secs(60);

impl Burst {
    /// `writers` concurrent writers; each message's content is `burst {label} w{writer} n{n} ✓`.
    pub fn start(api: &Api, display_id: i64, writers: usize, label: &str) -> Burst {
        let acknowledged: Arc<Mutex<Vec<Acknowledged>>> = Arc::default();
        let messages = format!("conversations/{display_id}/messages");
        let writers = (0..writers)
            .map(|writer| {
                let (api, messages, acknowledged) =
                    (api.clone(), messages.clone(), acknowledged.clone());
                let label = label.to_owned();
                tokio::spawn(async move {
                    for n in 0.. {
                        let content = format!("burst {label} w{writer} n{n} ✓");
                        let body = json!({"content": content, "message_type": "outgoing"});
                        match api.post(&messages, &body).await {
                            answer if answer.is_success() => {
                                let message = answer.ok("create a message");
                                let id = message["id"].as_i64().expect("a message id");
                                assert_eq!(message["content"], content);
                                acknowledged.lock().unwrap().push(Acknowledged {
                                    writer,
                                    n,
                                    id,
                                    content,
                                });
                            }
                            Answer::NoAnswer(why) => return why,
                            other => panic!("a message creation failed before the kill: {other:?}"),
                        }
                    }
                    unreachable!("the loop ends with the server")
                })
            })
            .collect();
        Burst {
            acknowledged,
            writers,
        }
    }

    /// How many creations were acknowledged so far.
    pub fn len(&self) -> usize {
        self.acknowledged.lock().unwrap().len()
    }

    /// Waits until at least `count` creations were acknowledged.
    pub async fn reach(&self, count: usize) {
        let deadline = Instant::now() + BURST_PATIENCE;
        while self.len() < count {
            assert!(
                Instant::now() < deadline,
                "the burst did not reach {count} messages in {BURST_PATIENCE:?}"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// After the server is gone: every writer had a request in flight, or sent one right
    /// after, so each ends on a request with no answer. Returns what was acknowledged.
    pub async fn end(self) -> Vec<Acknowledged> {
        for writer in self.writers {
            let why = writer.await.expect("a writer task");
            assert!(!why.is_empty());
        }
        Arc::try_unwrap(self.acknowledged)
            .expect("the writers are done")
            .into_inner()
            .expect("no writer panicked holding the list")
    }
}
