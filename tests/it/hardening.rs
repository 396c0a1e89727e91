//! The hardened surface, over HTTP: the Content-Security-Policy of every kind of page, secrets
//! that never reach a log or a read response, and the body limits.

use crate::api::{ok, raw};
use crate::support::{TestApp, TestResponse, PASSWORD};
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Signs `email` in through the login form; returns the `Cookie` header value.
pub(crate) async fn page_session(app: &TestApp, email: &str) -> String {
    let res = crate::sessions::sign_in_form(app, email, PASSWORD, &[]).await;
    assert!(res.status.is_redirection(), "sign in: {res:?}");
    let cookie =
        crate::sessions::set_cookie(&res, "switchboard_session").expect("a session cookie");
    cookie
        .split(';')
        .next()
        .expect("name=value")
        .trim()
        .to_owned()
}

pub(crate) async fn page(app: &TestApp, cookie: &str, uri: &str) -> TestResponse {
    raw(app, Method::GET, uri, &[("cookie", cookie)], Vec::new()).await
}

/// The directives of a response's policy, by name.
fn policy(res: &TestResponse, what: &str) -> std::collections::BTreeMap<String, String> {
    let header = res
        .headers
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what} has no Content-Security-Policy: {res:?}"))
        .to_str()
        .expect("an ASCII policy");
    header
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| match d.split_once(' ') {
            Some((name, value)) => (name.to_owned(), value.to_owned()),
            None => (d.to_owned(), String::new()),
        })
        .collect()
}

fn frame_src(res: &TestResponse, what: &str) -> BTreeSet<String> {
    policy(res, what)
        .get("frame-src")
        .unwrap_or_else(|| panic!("{what}: no frame-src"))
        .split(' ')
        .map(str::to_owned)
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn every_kind_of_page_has_the_policy_frames_nothing_and_cannot_be_framed() {
    let app = TestApp::new().await;
    let cookie = page_session(&app, &app.admin.email).await;
    let account = app.acme.account_id;
    let pages = [
        "/app/login".to_owned(),
        format!("/app/accounts/{account}/conversations"),
        format!("/app/accounts/{account}/conversations/_list"),
        format!("/app/accounts/{account}/settings/integrations/dashboard_apps"),
        format!("/app/accounts/{account}/settings/inboxes"),
        format!("/app/accounts/{account}/settings/agents"),
        format!("/app/accounts/{account}/settings/teams"),
        format!("/app/accounts/{account}/settings/labels"),
        // The error page, and a page of an account the admin is not a member of.
        "/app/no-such-page".to_owned(),
        format!("/app/accounts/{}/conversations", app.other.account_id),
    ];
    for uri in &pages {
        // Signed in, the login page redirects; it is shown to the signed-out.
        let cookie = if uri == "/app/login" {
            ""
        } else {
            cookie.as_str()
        };
        let res = page(&app, cookie, uri).await;
        assert!(
            res.status == StatusCode::OK || res.status == StatusCode::NOT_FOUND,
            "{uri}: {res:?}"
        );
        let directives = policy(&res, uri);
        for (name, value) in [
            ("default-src", "'self'"),
            ("script-src", "'self'"),
            ("style-src", "'self'"),
            ("img-src", "'self' data:"),
            ("connect-src", "'self'"),
            ("object-src", "'none'"),
            ("base-uri", "'none'"),
            ("form-action", "'self'"),
            ("frame-ancestors", "'none'"),
            ("frame-src", "'none'"),
        ] {
            assert_eq!(
                directives.get(name).map(String::as_str),
                Some(value),
                "{uri}: {name}"
            );
        }
    }
    // A JSON answer carries it too (inert there, but nothing can opt out by accident).
    let res = app.get(&app.api("conversations"), &app.admin).await;
    assert_eq!(frame_src(&res, "the API"), set(&["'none'"]));
}

#[tokio::test]
async fn the_conversation_page_may_frame_exactly_its_enabled_apps_origins() {
    let app = TestApp::new().await;
    let cookie = page_session(&app, &app.admin.email).await;
    let conversation = format!(
        "/app/accounts/{}/conversations/{}",
        app.acme.account_id, app.acme.conversation
    );
    let res = page(&app, &cookie, &conversation).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(frame_src(&res, "no apps yet"), set(&["'none'"]));

    let create = |title: &str, urls: &[&str]| {
        let content: Vec<Value> = urls
            .iter()
            .map(|url| json!({"type": "frame", "url": url}))
            .collect();
        json!({"title": title, "content": content})
    };
    for body in [
        create(
            "Orders",
            &[
                "https://orders.example/c/{{conversation.id}}",
                "https://charts.example:8443/x?y=1",
            ],
        ),
        // The same origin again: listed once.
        create("Refunds", &["https://orders.example/refunds"]),
        create("Disabled", &["https://disabled.example/"]),
    ] {
        ok(&app
            .post(&app.api("dashboard_apps"), &app.admin, &body)
            .await);
    }
    let apps = ok(&app.get(&app.api("dashboard_apps"), &app.admin).await);
    let disabled = apps
        .as_array()
        .expect("a list")
        .iter()
        .find(|a| a["title"] == "Disabled")
        .expect("the third app")["id"]
        .clone();
    ok(&app
        .patch(
            &app.api(&format!("dashboard_apps/{disabled}")),
            &app.admin,
            &json!({"enabled": false}),
        )
        .await);

    let res = page(&app, &cookie, &conversation).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        frame_src(&res, "the conversation page"),
        set(&["https://orders.example", "https://charts.example:8443"])
    );
    let directives = policy(&res, "the conversation page");
    assert_eq!(directives["frame-ancestors"], "'none'");
    assert_eq!(directives["script-src"], "'self'");
    // Other pages of the same account still frame nothing.
    let list = page(
        &app,
        &cookie,
        &format!("/app/accounts/{}/conversations", app.acme.account_id),
    )
    .await;
    assert_eq!(frame_src(&list, "the list"), set(&["'none'"]));
}

/// A `MakeWriter` into a shared buffer: what the test's subscriber wrote.
#[derive(Clone, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

impl Captured {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

// A current-thread runtime: the subscriber below is this thread's default, and every task of
// the test (the router's, the webhook worker's, the hub's) runs on this thread.
#[tokio::test(flavor = "current_thread")]
async fn secrets_never_reach_the_log_nor_a_read_answer() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);
    // With a single dispatcher registered, tracing-core decides whether a callsite is wanted by
    // asking the current thread's default, so a callsite first reached by a test on another
    // thread would be muted for this one too. A second live dispatcher turns that off.
    let _second = tracing::Dispatch::new(tracing_subscriber::registry());

    let app = TestApp::new().await;
    let worker = webhooks::Worker::spawn(
        app.store().clone(),
        &app.state.bus,
        webhooks::Config {
            max_attempts: 1,
            egress: egress::Policy {
                allow_private: true,
            },
            ..webhooks::Config::default()
        },
    );

    // Signing in, by the API and by the form.
    let signed_in = app
        .request(
            Method::POST,
            "/auth/sign_in",
            None,
            Some(&json!({"email": app.admin.email, "password": PASSWORD}).to_string()),
        )
        .await;
    let token = ok(&signed_in)["data"]["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let cookie = page_session(&app, &app.admin.email).await;
    let csrf = page_csrf(&app, &cookie).await;
    // A cookie-authenticated write, as the pages make them.
    let labelled = raw(
        &app,
        Method::POST,
        &app.api("labels"),
        &[
            ("cookie", &cookie),
            ("x-csrf-token", &csrf),
            ("content-type", "application/json"),
        ],
        json!({"title": "vip"}).to_string().into_bytes(),
    )
    .await;
    ok(&labelled);

    // A dashboard app and its rotated signing secret.
    let created = ok(&app
        .post(
            &app.api("dashboard_apps"),
            &app.admin,
            &json!({"title": "Orders", "content": [{"type": "frame", "url": "https://orders.example/"}]}),
        )
        .await);
    let app_id = created["id"].as_i64().expect("an app id");
    let signing_secret = app.rotate_secret(app_id).await;

    // A webhook whose URL carries a key of its own, on a port nobody listens on, so a
    // delivery is attempted, fails and is logged.
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a port")
        .local_addr()
        .expect("an address")
        .port();
    let url_key = "urlkey5f1d2c9e8b7a";
    let webhook = ok(&app
        .post(
            &app.api("webhooks"),
            &app.admin,
            &json!({"url": format!("http://127.0.0.1:{closed_port}/hook?key={url_key}"),
                    "subscriptions": ["message_created"]}),
        )
        .await);
    let webhook_secret = webhook["secret"]
        .as_str()
        .or_else(|| webhook["payload"]["webhook"]["secret"].as_str())
        .unwrap_or_else(|| panic!("the creation shows the secret once: {webhook}"))
        .to_owned();
    let webhook_id = webhook["id"]
        .as_i64()
        .or_else(|| webhook["payload"]["webhook"]["id"].as_i64())
        .expect("a webhook id");
    ok(&app
        .post(
            &app.api(&format!("conversations/{}/messages", app.acme.conversation)),
            &app.admin,
            &json!({"content": "hello"}),
        )
        .await);
    // Wait (bounded) for the failed delivery to be logged.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !captured.text().contains("webhook attempt failed") {
        assert!(
            std::time::Instant::now() < deadline,
            "no webhook attempt was logged:\n{}",
            captured.text()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    worker.stop().await;

    // Read answers: the secrets were shown at creation only.
    let reads = [
        app.get(&app.api("dashboard_apps"), &app.admin).await,
        app.get(&app.api(&format!("dashboard_apps/{app_id}")), &app.admin)
            .await,
        app.get(&app.api("webhooks"), &app.admin).await,
        app.get(
            &app.api(&format!("webhooks/{webhook_id}/deliveries")),
            &app.admin,
        )
        .await,
        app.get(&app.api("agents"), &app.admin).await,
        page(
            &app,
            &cookie,
            &format!(
                "/app/accounts/{}/settings/integrations/dashboard_apps",
                app.acme.account_id
            ),
        )
        .await,
    ];
    for res in &reads {
        assert!(res.status.is_success(), "{res:?}");
        for secret in [&signing_secret, &webhook_secret, &app.agent.token] {
            assert!(!res.text.contains(secret.as_str()), "a secret in {res:?}");
        }
        assert!(!res.text.contains(PASSWORD), "the password in {res:?}");
    }

    let log = captured.text();
    // The capture works: requests and the failed delivery are in it.
    assert!(log.contains("/api/v1/accounts/"), "{log}");
    assert!(log.contains("webhook attempt failed"), "{log}");
    let session = cookie.split_once('=').expect("name=value").1;
    for (what, secret) in [
        ("the password", PASSWORD),
        ("the access token", token.as_str()),
        ("the session cookie", session),
        ("the CSRF token", csrf.as_str()),
        ("the app signing secret", signing_secret.as_str()),
        ("the webhook secret", webhook_secret.as_str()),
        ("the key in the webhook URL", url_key),
    ] {
        assert!(!log.contains(secret), "{what} is in the log:\n{log}");
    }
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_with_413_on_every_kind_of_route() {
    let app = TestApp::new().await;
    let too_big = format!(
        "{{\"content\": \"{}\"}}",
        "x".repeat(web::routes::BODY_LIMIT + 1)
    );
    let inbox = ok(&app
        .get(
            &app.api(&format!("inboxes/{}", app.acme.inbox_id)),
            &app.admin,
        )
        .await);
    let identifier = inbox["inbox_identifier"]
        .as_str()
        .expect("an API inbox identifier")
        .to_owned();
    for uri in [
        app.api(&format!("conversations/{}/messages", app.acme.conversation)),
        "/auth/sign_in".to_owned(),
        format!("/public/api/v1/inboxes/{identifier}/contacts"),
    ] {
        let res = app
            .request(Method::POST, &uri, Some(&app.admin.token), Some(&too_big))
            .await;
        assert_eq!(
            res.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{uri}: {}",
            res.text
        );
        assert_eq!(res.json()["attributes"], json!(["body"]), "{uri}");
    }
    // The login form too (a form body, not JSON).
    let form = format!(
        "email=a%40b.c&password={}",
        "x".repeat(web::routes::BODY_LIMIT)
    );
    let res = raw(
        &app,
        Method::POST,
        "/app/login",
        &[("content-type", "application/x-www-form-urlencoded")],
        form.into_bytes(),
    )
    .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_sidebar_app_page_may_frame_its_own_origin_only() {
    let app = TestApp::new().await;
    let cookie = page_session(&app, &app.agent.email).await;
    ok(&app
        .post(
            &app.api("dashboard_apps"),
            &app.admin,
            &json!({"title": "Tab", "content": [{"type": "frame", "url": "https://tab.example/"}]}),
        )
        .await);
    let sidebar = ok(&app
        .post(
            &app.api("dashboard_apps"),
            &app.admin,
            &json!({"title": "Reports", "display_type": "sidebar",
                    "content": [{"type": "frame", "url": "https://reports.example:9443/a?agent={{agent.id}}"}]}),
        )
        .await);
    let uri = format!(
        "/app/accounts/{}/apps/{}",
        app.acme.account_id, sidebar["id"]
    );
    let res = page(&app, &cookie, &uri).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        frame_src(&res, "the sidebar app page"),
        set(&["https://reports.example:9443"])
    );
    assert_eq!(
        policy(&res, "the sidebar app page")["frame-ancestors"],
        "'none'"
    );
}

#[tokio::test]
async fn the_demo_app_has_a_policy_of_its_own_and_a_small_body_limit() {
    let demo = web::demo_app::router(None);
    let call = |method: Method, uri: &str, body: Vec<u8>| {
        let request = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .body(axum::body::Body::from(body))
            .expect("a request");
        tower::ServiceExt::oneshot(demo.clone(), request)
    };
    let page = call(Method::GET, "/", Vec::new()).await.expect("an answer");
    assert_eq!(page.status(), StatusCode::OK);
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    // It is made to be framed, by Switchboard on whatever origin agents browse it.
    assert!(!policy.contains("frame-ancestors"), "{policy}");

    // A context token is under a kilobyte; 17 KiB is refused before the handler reads it.
    let big = call(Method::POST, "/api/verify", vec![b'x'; 17 * 1024])
        .await
        .expect("an answer");
    assert_eq!(big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let small = call(Method::POST, "/api/verify", b"not.a.token".to_vec())
        .await
        .expect("an answer");
    assert_eq!(small.status(), StatusCode::NOT_FOUND, "unregistered demo");
}

/// The CSRF token a signed-in page carries (`body[data-csrf-token]`).
async fn page_csrf(app: &TestApp, cookie: &str) -> String {
    let res = page(
        app,
        cookie,
        &format!("/app/accounts/{}/conversations", app.acme.account_id),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    res.text
        .split("data-csrf-token=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page's CSRF token")
        .to_owned()
}

#[tokio::test]
async fn cookie_authenticated_writes_need_the_pages_csrf_token() {
    let app = TestApp::new().await;
    let cookie = page_session(&app, &app.admin.email).await;
    let csrf = page_csrf(&app, &cookie).await;
    let labels = app.api("labels");
    let write = |method: Method, uri: String, token: Option<&'static str>, body: &str| {
        let mut headers = vec![
            ("cookie", cookie.as_str()),
            ("content-type", "application/json"),
        ];
        let token = match token {
            Some("right") => Some(csrf.as_str()),
            Some(other) => Some(other),
            None => None,
        };
        if let Some(token) = token {
            headers.push(("x-csrf-token", token));
        }
        let body = body.as_bytes().to_vec();
        let app = &app;
        async move { raw(app, method, &uri, &headers, body).await }
    };
    let body = json!({"title": "csrf"}).to_string();
    // What a cross-site page can make a browser send: the cookie, without our header.
    for token in [None, Some(""), Some("not-the-token")] {
        let res = write(Method::POST, labels.clone(), token, &body).await;
        assert_eq!(
            res.status,
            StatusCode::UNAUTHORIZED,
            "{token:?}: {}",
            res.text
        );
        assert!(res.json()["error"].is_string(), "{}", res.text);
    }
    assert!(
        !ok(&app.get(&labels, &app.admin).await)
            .to_string()
            .contains("csrf"),
        "a refused write happened anyway"
    );
    let created = write(Method::POST, labels.clone(), Some("right"), &body).await;
    let id = ok(&created)["id"].clone();
    let one = format!("{labels}/{id}");
    let refused = write(Method::DELETE, one.clone(), None, "").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    // Reads need no token; the label is still there.
    let read = raw(&app, Method::GET, &one, &[("cookie", &cookie)], Vec::new()).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    let deleted = write(Method::DELETE, one.clone(), Some("right"), "").await;
    assert!(deleted.status.is_success(), "{}", deleted.text);
}

#[tokio::test]
async fn signing_out_needs_the_token_and_the_session_cookie_is_http_only_and_same_site() {
    let app = TestApp::new().await;
    let res = crate::sessions::sign_in_form(&app, &app.admin.email, PASSWORD, &[]).await;
    let set_cookie = crate::sessions::set_cookie(&res, "switchboard_session")
        .expect("a session cookie")
        .to_owned();
    let attributes: Vec<String> = set_cookie
        .split(';')
        .map(|a| a.trim().to_lowercase())
        .collect();
    for wanted in ["httponly", "samesite=lax", "path=/"] {
        assert!(
            attributes.iter().any(|a| a == wanted),
            "{wanted} in {set_cookie}"
        );
    }
    let cookie = set_cookie.split(';').next().expect("name=value").to_owned();
    let csrf = page_csrf(&app, &cookie).await;
    let list = format!("/app/accounts/{}/conversations", app.acme.account_id);
    let sign_out = |token: String| {
        let cookie = cookie.clone();
        let app = &app;
        async move {
            raw(
                app,
                Method::POST,
                "/app/logout",
                &[
                    ("cookie", &cookie),
                    ("content-type", "application/x-www-form-urlencoded"),
                ],
                format!("csrf_token={token}").into_bytes(),
            )
            .await
        }
    };
    // A cross-site form cannot sign the user out.
    let refused = sign_out("forged".to_owned()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(page(&app, &cookie, &list).await.status, StatusCode::OK);
    let done = sign_out(csrf).await;
    assert!(done.status.is_redirection(), "{done:?}");
    let after = page(&app, &cookie, &list).await;
    assert!(
        after.status.is_redirection(),
        "the session ended: {after:?}"
    );
}
