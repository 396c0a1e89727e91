//! `POST /auth/sign_in`, `DELETE /auth/sign_out` and `GET /api/v1/profile`.

use super::{assert_invalid, assert_unauthorized, ok};
use crate::support::{self, TestApp, PASSWORD};
use axum::http::Method;
use serde_json::{json, Value};

async fn sign_in(app: &TestApp, body: &Value) -> crate::support::TestResponse {
    app.request(Method::POST, "/auth/sign_in", None, Some(&body.to_string()))
        .await
}

#[tokio::test]
async fn signing_in_returns_the_profile_with_the_access_token_and_accounts() {
    support::on_each_backend(async |app| {
        let res = sign_in(
            &app,
            &json!({"email": "admin@acme.test", "password": PASSWORD}),
        )
        .await;
        let body = ok(&res);
        let data = &body["data"];
        assert_eq!(data["id"], app.admin.id);
        assert_eq!(data["email"], "admin@acme.test");
        assert_eq!(data["name"], "Ada Admin");
        // A new API session's secret: the user's own token is stored hashed, never handed out.
        let admin_session = data["access_token"].as_str().expect("an access token");
        assert_eq!(admin_session.len(), 32, "{data}");
        assert_ne!(admin_session, app.admin.token);
        assert_eq!(data["account_id"], app.acme.account_id);
        assert_eq!(data["role"], "administrator");
        assert!(
            data["pubsub_token"].as_str().is_some_and(|t| !t.is_empty()),
            "{data}"
        );
        let accounts = data["accounts"].as_array().expect("accounts is an array");
        assert_eq!(accounts.len(), 1, "{data}");
        assert_eq!(accounts[0]["id"], app.acme.account_id);
        assert_eq!(accounts[0]["name"], "Acme");
        assert_eq!(accounts[0]["role"], "administrator");
        // The e-mail is matched without regard to case or surrounding blanks.
        let res = sign_in(
            &app,
            &json!({"email": "  AGENT@Acme.TEST ", "password": PASSWORD}),
        )
        .await;
        let data = ok(&res)["data"].clone();
        assert_eq!(data["id"], app.agent.id);
        assert_ne!(data["access_token"], app.agent.token.as_str());
        assert_eq!(
            data["accounts"],
            json!([{
                "id": app.acme.account_id, "name": "Acme", "role": "agent",
                "status": "active", "availability": "online", "availability_status": "online",
                "auto_offline": true
            }])
        );
        // The token it hands out works on the API.
        let token = data["access_token"].as_str().unwrap();
        let res = app
            .request(Method::GET, &app.api("conversations"), Some(token), None)
            .await;
        ok(&res);
        // The other account's administrator sees only their own account.
        let res = sign_in(
            &app,
            &json!({"email": "admin@globex.test", "password": PASSWORD}),
        )
        .await;
        let data = ok(&res)["data"].clone();
        assert_eq!(data["accounts"][0]["id"], app.other.account_id);
        assert_eq!(data["accounts"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_wrong_password_an_unknown_email_or_missing_fields_are_401s() {
    support::on_each_backend(async |app| {
        for body in [
            json!({"email": "admin@acme.test", "password": "wrong-password"}),
            json!({"email": "admin@acme.test", "password": ""}),
            json!({"email": "admin@acme.test"}),
            json!({"email": "nobody@acme.test", "password": PASSWORD}),
            json!({"password": PASSWORD}),
            json!({}),
            json!({"email": null, "password": null}),
        ] {
            let res = sign_in(&app, &body).await;
            assert_unauthorized(&res);
            assert!(!res.text.contains("access_token"), "{body}: {}", res.text);
        }
        // Wrong types are a 422 naming the field.
        assert_invalid(
            &sign_in(&app, &json!({"email": 5, "password": PASSWORD})).await,
            "email",
        );
        assert_invalid(
            &sign_in(
                &app,
                &json!({"email": "admin@acme.test", "password": ["x"]}),
            )
            .await,
            "password",
        );
    })
    .await;
}

#[tokio::test]
async fn the_profile_is_the_token_holders_and_needs_a_valid_token() {
    support::on_each_backend(async |app| {
        let body = ok(&app.get("/api/v1/profile", &app.agent).await);
        assert_eq!(body["id"], app.agent.id);
        assert_eq!(body["email"], "agent@acme.test");
        assert_eq!(body["name"], "Sam Agent");
        // The token the request was made with: the only one the server can tell.
        assert_eq!(body["access_token"], app.agent.token.as_str());
        assert_eq!(body["role"], "agent");
        assert_eq!(body["accounts"][0]["id"], app.acme.account_id);
        assert_eq!(body["accounts"][0]["role"], "agent");
        let body = ok(&app.get("/api/v1/profile", &app.stranger).await);
        assert_eq!(body["id"], app.stranger.id);
        assert_eq!(body["account_id"], app.other.account_id);
        for token in [None, Some("not-a-real-token")] {
            assert_unauthorized(
                &app.request(Method::GET, "/api/v1/profile", token, None)
                    .await,
            );
        }
    })
    .await;
}

#[tokio::test]
async fn signing_out_needs_a_token_and_leaves_api_tokens_valid() {
    support::on_each_backend(async |app| {
        let res = app
            .request(
                Method::DELETE,
                "/auth/sign_out",
                Some(&app.admin.token),
                None,
            )
            .await;
        assert_eq!(ok(&res), json!({"success": true}));
        ok(&app.get("/api/v1/profile", &app.admin).await);
        assert_unauthorized(
            &app.request(Method::DELETE, "/auth/sign_out", None, None)
                .await,
        );
        assert_unauthorized(
            &app.request(Method::DELETE, "/auth/sign_out", Some("nope"), None)
                .await,
        );
    })
    .await;
}

/// `POST /auth/sign_in`'s token is a session of its own: signing out with it ends it on the
/// server, so a copy replayed later is refused, while the user's API token and their other
/// sessions go on working.
#[tokio::test]
async fn signing_out_ends_the_api_session_it_was_sent_with() {
    support::on_each_backend(async |app| {
        let body = json!({"email": "admin@acme.test", "password": PASSWORD});
        let first = ok(&sign_in(&app, &body).await)["data"]["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let second = ok(&sign_in(&app, &body).await)["data"]["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_ne!(first, second);
        let profile = |token: &str| {
            let token = token.to_owned();
            let app = &app;
            async move {
                app.request(Method::GET, "/api/v1/profile", Some(&token), None)
                    .await
            }
        };
        assert_eq!(ok(&profile(&first).await)["access_token"], first.as_str());
        let res = app
            .request(Method::DELETE, "/auth/sign_out", Some(&first), None)
            .await;
        assert_eq!(ok(&res), json!({"success": true}));
        assert_unauthorized(&profile(&first).await);
        assert_unauthorized(
            &app.request(Method::GET, &app.api("conversations"), Some(&first), None)
                .await,
        );
        ok(&profile(&second).await);
        ok(&app.get("/api/v1/profile", &app.admin).await);
    })
    .await;
}

/// The page's session ends on the server at sign-out, through the page's form or the API:
/// the same cookie, replayed afterwards, is no session.
#[tokio::test]
async fn a_signed_out_cookie_no_longer_works_when_replayed() {
    support::on_each_backend(async |app| {
        for how in ["page", "api"] {
            let cookie = crate::hardening::page_session(&app, &app.admin.email).await;
            let conversations = app.api("conversations").replacen("/api/v1", "/app", 1);
            let page = super::raw(
                &app,
                Method::GET,
                &conversations,
                &[("cookie", &cookie)],
                Vec::new(),
            )
            .await;
            assert_eq!(page.status, 200, "{how}: signed in");
            let csrf = crate::profile::csrf_token(&page.text);
            let res = match how {
                "page" => {
                    let body = format!("csrf_token={}", super::enc(&csrf));
                    let headers = [
                        ("cookie", cookie.as_str()),
                        ("content-type", "application/x-www-form-urlencoded"),
                    ];
                    super::raw(
                        &app,
                        Method::POST,
                        "/app/logout",
                        &headers,
                        body.into_bytes(),
                    )
                    .await
                }
                _ => {
                    let headers = [("cookie", cookie.as_str()), ("x-csrf-token", csrf.as_str())];
                    let res =
                        super::raw(&app, Method::DELETE, "/auth/sign_out", &headers, Vec::new())
                            .await;
                    assert_eq!(ok(&res), json!({"success": true}));
                    res
                }
            };
            assert!(
                res.status.is_success() || res.status.is_redirection(),
                "{how}: {res:?}"
            );
            let replayed = super::raw(
                &app,
                Method::GET,
                &conversations,
                &[("cookie", &cookie)],
                Vec::new(),
            )
            .await;
            assert!(
                replayed.status.is_redirection(),
                "{how}: {}",
                replayed.status
            );
            let replayed = super::raw(
                &app,
                Method::GET,
                "/api/v1/profile",
                &[("cookie", &cookie)],
                Vec::new(),
            )
            .await;
            assert_unauthorized(&replayed);
        }
    })
    .await;
}

/// A session cookie is percent-decoded, so `%00` reaches the lookup as a NUL, which PostgreSQL
/// refuses in a parameter: it was a 500 there. It is no session, like any unknown one.
#[tokio::test]
async fn a_nul_in_the_session_cookie_is_no_session() {
    support::on_each_backend(async |app| {
        for cookie in ["switchboard_session=%00", "switchboard_session=a%00b"] {
            let headers = [("cookie", cookie)];
            let res = super::raw(&app, Method::GET, "/api/v1/profile", &headers, Vec::new()).await;
            assert_unauthorized(&res);
            let page = app.api("conversations").replacen("/api/v1", "/app", 1);
            let res = super::raw(&app, Method::GET, &page, &headers, Vec::new()).await;
            assert!(res.status.is_redirection(), "{cookie}: {}", res.status);
        }
    })
    .await;
}
