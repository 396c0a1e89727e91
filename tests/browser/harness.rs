//! One headless Chromium per test, driven through its own chromedriver, plus the waits and frame
//! plumbing the tests share.
//!
//! At most `BROWSER_JOBS` (default 2) browsers run at once: the tests run in parallel, but a
//! 2-core machine does not enjoy eleven Chromiums. Every wait is on a condition (an element, or
//! a script's value) with a 10 s bound; the only timed waits are the "nothing more arrives"
//! checks, which by nature watch for a while.

use crate::support::{Person, TestApp};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, SemaphorePermit};

/// The bound of every wait.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a "nothing more arrives" check watches.
pub const QUIET: Duration = Duration::from_millis(700);
const POLL: Duration = Duration::from_millis(40);

fn chromedriver() -> Option<PathBuf> {
    let path = std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver"));
    path.is_file().then_some(path)
}

fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

fn slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let jobs = std::env::var("BROWSER_JOBS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|n: &usize| *n > 0)
            .unwrap_or(2);
        Semaphore::new(jobs)
    })
}

/// A tiny blocking HTTP/1.1 exchange with chromedriver (used for `/status` and, from `Drop`,
/// to end the session); returns the response once its `Content-Length` body is in (chromedriver
/// does not close the connection, and ignores HTTP/1.0).
fn http(port: u16, method: &str, path: &str) -> std::io::Result<String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(2)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )?;
    let mut response = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        response.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&response);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())
                        .flatten()
                })
                .unwrap_or(0);
            if response.len() >= end + 4 + length {
                break;
            }
        }
    }
    Ok(String::from_utf8_lossy(&response).into_owned())
}

/// The chromedriver process; dropping it ends the browser session, stops the driver and
/// removes the profile (the driver's log is kept, and named, when the test failed).
struct Driver {
    child: Child,
    port: u16,
    dir: PathBuf,
    session: Option<String>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(session) = &self.session {
            // Ends Chromium too; without it a killed driver could leave the browser behind.
            let _ = http(self.port, "DELETE", &format!("/session/{session}"));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(self.dir.join("profile"));
        if std::thread::panicking() {
            eprintln!(
                "browser: chromedriver log kept at {}",
                self.dir.join("chromedriver.log").display()
            );
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("a bound address").port()
}

fn fresh_dir() -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "switchboard-browser-{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(dir.join("profile")).expect("a temporary directory");
    dir
}

async fn launch(path: &Path) -> Result<(Client, Driver), String> {
    let port = free_port();
    let dir = fresh_dir();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .arg(format!(
            "--log-path={}",
            dir.join("chromedriver.log").display()
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", path.display()))?;
    let mut driver = Driver {
        child,
        port,
        dir,
        session: None,
    };
    // Process start-up: poll /status, bounded.
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Ok(Some(status)) = driver.child.try_wait() {
            return Err(format!("chromedriver exited early: {status}"));
        }
        if let Ok(response) = http(port, "GET", "/status") {
            if response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200") {
                break;
            }
        }
        if Instant::now() > deadline {
            return Err("chromedriver did not answer /status within 10 s".to_owned());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let args = [
        "--headless=new".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--disable-quic".to_owned(),
        format!("--user-data-dir={}", driver.dir.join("profile").display()),
        "--window-size=1400,900".to_owned(),
    ];
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": chromium(), "args": args},
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!("an object literal")
    };
    // object_store's client brings rustls' ring beside aws-lc-rs, so rustls no longer picks a
    // process-wide provider by itself; the WebDriver client needs one.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let client = ClientBuilder::rustls()
        .map_err(|e| format!("TLS setup: {e}"))?
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .map_err(|e| format!("new session: {e}"))?;
    driver.session = client
        .session_id()
        .await
        .map_err(|e| format!("session id: {e}"))?;
    Ok((client, driver))
}

/// A frame to run scripts in: the top page, or a path of iframe selectors from it.
#[derive(Clone, Debug)]
pub struct Frame(Vec<String>);

impl Frame {
    pub fn top() -> Self {
        Frame(Vec::new())
    }

    /// Frame `index` of dashboard app `app_id`.
    pub fn app(app_id: i64, index: usize) -> Self {
        Frame(vec![app_frame_css(app_id, index)])
    }

    /// The iframe matching `css` inside this frame.
    pub fn child(&self, css: &str) -> Self {
        let mut path = self.0.clone();
        path.push(css.to_owned());
        Frame(path)
    }
}

pub fn app_frame_css(app_id: i64, index: usize) -> String {
    format!("iframe.dashboard-app-frame[data-app-id=\"{app_id}\"][data-frame-index=\"{index}\"]")
}

pub struct Browser {
    pub client: Client,
    /// Dropped after the client: ends the session and the driver.
    _driver: Driver,
    _slot: SemaphorePermit<'static>,
}

impl std::ops::Deref for Browser {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Browser {
    /// A fresh browser, or `None` (after saying so) when there is no chromedriver and
    /// `REQUIRE_BROWSER` is not set.
    pub async fn start() -> Option<Browser> {
        let Some(path) = chromedriver() else {
            if std::env::var_os("REQUIRE_BROWSER").is_some() {
                panic!("REQUIRE_BROWSER is set but there is no chromedriver (set CHROMEDRIVER or install /usr/bin/chromedriver)");
            }
            eprintln!("browser: skipped, no chromedriver");
            return None;
        };
        let slot = slots()
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let mut last = String::new();
        for _attempt in 0..3 {
            match launch(&path).await {
                Ok((client, driver)) => {
                    return Some(Browser {
                        client,
                        _driver: driver,
                        _slot: slot,
                    })
                }
                Err(error) => {
                    eprintln!("browser: start failed, retrying: {error}");
                    last = error;
                }
            }
        }
        panic!("could not start a browser: {last}");
    }

    /// Signs in through the login form and waits for the signed-in layout.
    pub async fn sign_in(&self, base: &str, email: &str) {
        self.client
            .goto(&format!("{base}/app/login"))
            .await
            .expect("the login page opens");
        self.find("#email")
            .await
            .send_keys(email)
            .await
            .expect("type e-mail");
        self.find("#password")
            .await
            .send_keys(crate::support::PASSWORD)
            .await
            .expect("type password");
        self.click("form[action=\"/app/login\"] button[type=submit]")
            .await;
        self.client
            .wait()
            .at_most(TIMEOUT)
            .for_element(Locator::Css("nav.nav"))
            .await
            .unwrap_or_else(|e| panic!("{email} did not get signed in: {e}"));
    }

    /// Opens a page whose script marks `body[data-ready="true"]` and waits for that mark.
    pub async fn open(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
        self.client
            .wait()
            .at_most(TIMEOUT)
            .for_element(Locator::Css("body[data-ready=\"true\"]"))
            .await
            .unwrap_or_else(|e| panic!("{url} never became ready: {e}"));
    }

    /// An element of the top page, waited for.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .enter_frame(None)
            .await
            .expect("back to the top page");
        self.client
            .wait()
            .at_most(TIMEOUT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Replaces the value of an input of the top page by typing.
    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        input
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clear {css}: {e}"));
        input
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Clicks the tab of dashboard app `app_id` and waits for its frames to exist.
    pub async fn open_tab(&self, app_id: i64) {
        self.click(&format!("#tab-app-{app_id}")).await;
        self.find(&format!(
            "#panel-app-{app_id}:not([hidden]) {}",
            app_frame_css(app_id, 0)
        ))
        .await;
    }

    async fn enter(&self, frame: &Frame) -> Result<(), CmdError> {
        self.client.enter_frame(None).await?;
        for css in &frame.0 {
            self.client
                .find(Locator::Css(css))
                .await?
                .enter_frame()
                .await?;
        }
        Ok(())
    }

    pub async fn try_run(&self, frame: &Frame, script: &str) -> Result<Value, CmdError> {
        self.enter(frame).await?;
        self.client.execute(script, Vec::new()).await
    }

    /// Runs `script` (a function body; `return` gives the value) in `frame`.
    pub async fn run(&self, frame: &Frame, script: &str) -> Value {
        self.try_run(frame, script)
            .await
            .unwrap_or_else(|e| panic!("script in {frame:?} failed: {e}\n{script}"))
    }

    /// Re-runs `script` in `frame` until `done` holds for its value (errors, e.g. while a frame
    /// is navigating, count as "not yet"), for at most 10 s.
    pub async fn eventually(
        &self,
        frame: &Frame,
        script: &str,
        what: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let last = self.try_run(frame, script).await;
            if let Ok(value) = &last {
                if done(value) {
                    return value.clone();
                }
            }
            if Instant::now() > deadline {
                panic!("timed out after 10 s waiting for {what} in {frame:?}; last: {last:?}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Checks that `script` keeps returning `expected` in `frame` for a while.
    pub async fn stays(&self, frame: &Frame, script: &str, expected: &Value, what: &str) {
        let until = Instant::now() + QUIET;
        loop {
            let value = self.run(frame, script).await;
            assert_eq!(&value, expected, "{what} changed in {frame:?}");
            if Instant::now() > until {
                return;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Saves a PNG of the viewport to `relative`: under the package root (the docs' pictures) with
    /// `UPDATE_SCREENSHOTS=1`, else under Cargo's scratch directory for tests.
    pub async fn screenshot_to(&self, relative: &str) -> PathBuf {
        self.client
            .enter_frame(None)
            .await
            .expect("back to the top page");
        let png = self.client.screenshot().await.expect("a screenshot");
        // The docs' pictures change only when asked for, so a test run leaves the tree clean.
        let root = if std::env::var_os("UPDATE_SCREENSHOTS").is_some_and(|v| v == "1") {
            Path::new(env!("CARGO_MANIFEST_DIR"))
        } else {
            Path::new(env!("CARGO_TARGET_TMPDIR"))
        };
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent directory")).expect("mkdir");
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }
}

/// `{base}/app/accounts/{acme}/conversations/{display id}`.
pub fn conversation_page(base: &str, app: &TestApp) -> String {
    format!(
        "{base}/app/accounts/{}/conversations/{}",
        app.acme.account_id, app.acme.conversation
    )
}

/// `{base}/app/accounts/{acme}/settings/integrations/dashboard_apps`.
pub fn settings_page(base: &str, app: &TestApp) -> String {
    format!(
        "{base}/app/accounts/{}/settings/integrations/dashboard_apps",
        app.acme.account_id
    )
}

/// Registers a dashboard app through the API (as `who`) and returns its id.
pub async fn create_app(app: &TestApp, who: &Person, title: &str, urls: &[String]) -> i64 {
    let content: Vec<Value> = urls
        .iter()
        .map(|url| json!({"type": "frame", "url": url}))
        .collect();
    let response = app
        .post(
            &app.api("dashboard_apps"),
            who,
            &json!({"title": title, "content": content}),
        )
        .await;
    assert_eq!(
        response.status, 200,
        "create dashboard app: {}",
        response.text
    );
    response.json()["id"].as_i64().expect("an app id")
}
