//! Sign-in throttling and the Client API's budget, kept in the database: per client address
//! and per address and e-mail, never per e-mail alone; 429 with `Retry-After` and a JSON error.

use crate::api::{expect, ok, raw};
use crate::support::{self, TestApp, TestResponse, PASSWORD};
use axum::http::Method;
use serde_json::json;
use web::throttle::Limit;

/// The fixture behind a trusted proxy, so each request names its client address in
/// `X-Forwarded-For`.
fn behind_proxy(app: TestApp) -> TestApp {
    app.with_config(web::Config::new("http://desk.acme.example", true).unwrap())
}

async fn sign_in_from(app: &TestApp, address: &str, email: &str, password: &str) -> TestResponse {
    let body = json!({"email": email, "password": password}).to_string();
    raw(
        app,
        Method::POST,
        "/auth/sign_in",
        &[
            ("content-type", "application/json"),
            ("x-forwarded-for", address),
        ],
        body.into_bytes(),
    )
    .await
}

/// 429, `{"error": …}` and a `Retry-After` within `window` seconds.
#[track_caller]
fn assert_throttled(res: &TestResponse, window: i64) {
    let body = expect(res, 429);
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{}",
        res.text
    );
    assert!(!res.text.contains("access_token"), "{}", res.text);
    let retry_after: i64 = res
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("a Retry-After in seconds: {res:?}"));
    assert!((1..=window).contains(&retry_after), "{retry_after}");
}

#[tokio::test]
async fn ten_failures_for_one_email_from_one_address_block_that_pair_only() {
    support::on_each_backend(async |app: TestApp| {
        let app = behind_proxy(app);
        let (attacker, owner) = ("203.0.113.7", "198.51.100.20");
        let admin = app.admin.email.clone();
        // A success clears the pair's earlier failures.
        for _ in 0..5 {
            expect(
                &sign_in_from(&app, owner, &admin, "wrong-password").await,
                401,
            );
        }
        ok(&sign_in_from(&app, owner, &admin, PASSWORD).await);
        for attempt in 1..=10 {
            let res = sign_in_from(&app, attacker, &admin, "wrong-password").await;
            assert_eq!(res.status, 401, "attempt {attempt}: {}", res.text);
        }
        let res = sign_in_from(&app, attacker, &admin, "wrong-password").await;
        assert_throttled(&res, 15 * 60);
        // From that address even the right password is refused, under any spelling.
        assert_throttled(&sign_in_from(&app, attacker, &admin, PASSWORD).await, 900);
        let spelled = format!("  {} ", admin.to_uppercase());
        assert_throttled(&sign_in_from(&app, attacker, &spelled, PASSWORD).await, 900);
        // The owner, from their own address, is not locked out; nor is anyone else.
        ok(&sign_in_from(&app, owner, &admin, PASSWORD).await);
        ok(&sign_in_from(&app, attacker, &app.agent.email, PASSWORD).await);
        // API tokens keep working.
        ok(&app.get(&app.api("agents"), &app.admin).await);
    })
    .await;
}

#[tokio::test]
async fn spraying_many_emails_from_one_address_is_throttled_per_address() {
    support::on_each_backend(async |app: TestApp| {
        let app = behind_proxy(app);
        let sprayer = "203.0.113.8";
        for n in 1..=30 {
            let email = format!("user{n}@acme.test");
            let res = sign_in_from(&app, sprayer, &email, "Summer2024!").await;
            assert_eq!(res.status, 401, "guess {n}: {}", res.text);
        }
        // The address is spent, for every e-mail, real ones with the right password too.
        assert_throttled(
            &sign_in_from(&app, sprayer, "user31@acme.test", "Summer2024!").await,
            900,
        );
        assert_throttled(
            &sign_in_from(&app, sprayer, &app.agent.email, PASSWORD).await,
            900,
        );
        // Another address is unaffected.
        ok(&sign_in_from(&app, "198.51.100.21", &app.agent.email, PASSWORD).await);
    })
    .await;
}

#[tokio::test]
async fn a_sign_in_to_ones_own_account_does_not_reset_the_addresss_count() {
    support::on_each_backend(async |app: TestApp| {
        let app = behind_proxy(app);
        let sprayer = "203.0.113.9";
        for n in 1..=29 {
            let email = format!("user{n}@acme.test");
            expect(&sign_in_from(&app, sprayer, &email, "guess").await, 401);
        }
        ok(&sign_in_from(&app, sprayer, &app.agent.email, PASSWORD).await);
        expect(
            &sign_in_from(&app, sprayer, "user30@acme.test", "guess").await,
            401,
        );
        assert_throttled(
            &sign_in_from(&app, sprayer, "user31@acme.test", "guess").await,
            900,
        );
    })
    .await;
}

/// The counts live in the database: a restarted server, or another instance on the same
/// database, refuses the same address.
#[tokio::test]
async fn the_block_holds_across_a_restart_and_on_another_instance() {
    support::on_each_backend(async |app: TestApp| {
        let app = behind_proxy(app);
        let attacker = "203.0.113.10";
        for _ in 0..10 {
            expect(
                &sign_in_from(&app, attacker, &app.admin.email, "wrong").await,
                401,
            );
        }
        let config = web::Config::new("http://desk.acme.example", true).unwrap();
        let restarted = web::AppState::new(app.store().another_instance()).with_config(config);
        let router = web::app(restarted);
        let request = axum::http::Request::post("/auth/sign_in")
            .header("content-type", "application/json")
            .header("x-forwarded-for", attacker)
            .body(axum::body::Body::from(
                json!({"email": app.admin.email, "password": PASSWORD}).to_string(),
            ))
            .unwrap();
        let response = tower::ServiceExt::oneshot(router, request).await.unwrap();
        assert_eq!(response.status(), 429);
        assert!(response.headers().contains_key("retry-after"));
    })
    .await;
}

#[tokio::test]
async fn the_login_page_answers_a_throttled_address_with_a_429_page_and_retry_after() {
    support::on_each_backend(async |app: TestApp| {
        let app = behind_proxy(app);
        let attacker = "203.0.113.11";
        let post = |password: &'static str| {
            let app = &app;
            async move {
                let client = [("x-forwarded-for", attacker)];
                crate::sessions::sign_in_form(app, &app.admin.email, password, &client).await
            }
        };
        for _ in 0..10 {
            assert_eq!(post("wrong").await.status, 401);
        }
        let res = post(PASSWORD).await;
        assert_eq!(res.status, 429, "{}", res.text);
        assert!(
            res.text.contains("Too many failed attempts"),
            "{}",
            res.text
        );
        assert!(res.headers.contains_key("retry-after"));
        assert!(crate::sessions::set_cookie(&res, "switchboard_session").is_none());
    })
    .await;
}

/// Without a trusted proxy, `X-Forwarded-For` is the client's own claim: changing it does not
/// escape the count of the connection's real address.
#[tokio::test]
async fn a_forged_forwarded_for_does_not_escape_the_peer_addresss_count() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for n in 0..31 {
        let response = http
            .post(format!("{base}/auth/sign_in"))
            .header("content-type", "application/json")
            .header("x-forwarded-for", format!("10.9.8.{n}"))
            .body(json!({"email": format!("user{n}@acme.test"), "password": "x"}).to_string())
            .send()
            .await
            .expect("an answer");
        statuses.push(response.status().as_u16());
    }
    assert!(statuses[..30].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(statuses[30], 429, "{statuses:?}");
}

#[tokio::test]
async fn the_client_api_has_a_budget_per_address_and_the_agent_api_is_not_counted() {
    support::on_each_backend(async |app: TestApp| {
        let mut config = web::Config::new("http://desk.acme.example", true).unwrap();
        config.limits.public_api_per_address = Limit {
            max: 5,
            seconds: 60,
        };
        let app = app.with_config(config);
        let inbox = app
            .store()
            .inboxes()
            .find(
                domain::AccountId(app.acme.account_id),
                domain::InboxId(app.acme.inbox_id),
            )
            .await
            .expect("the inbox");
        let uri = format!("/public/api/v1/inboxes/{}/contacts", inbox.inbox_identifier);
        let create = |address: &'static str| {
            let (app, uri) = (&app, uri.clone());
            async move {
                raw(
                    app,
                    Method::POST,
                    &uri,
                    &[
                        ("content-type", "application/json"),
                        ("x-forwarded-for", address),
                    ],
                    b"{}".to_vec(),
                )
                .await
            }
        };
        for n in 1..=5 {
            let res = create("203.0.113.12").await;
            assert_eq!(res.status, 200, "request {n}: {}", res.text);
        }
        assert_throttled(&create("203.0.113.12").await, 60);
        // Unknown inboxes count too (guessing identifiers is what the budget slows).
        let res = raw(
            &app,
            Method::GET,
            "/public/api/v1/inboxes/nope/contacts/nope",
            &[("x-forwarded-for", "203.0.113.12")],
            Vec::new(),
        )
        .await;
        assert_throttled(&res, 60);
        ok(&create("198.51.100.22").await);
        // The agents' API is not the Client API's budget.
        for _ in 0..10 {
            ok(&app.get(&app.api("conversations"), &app.admin).await);
        }
    })
    .await;
}
