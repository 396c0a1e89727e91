//! The user's own profile (issue 11): password change (`PUT /api/v1/profile` and the profile
//! page) ending every other session, API token rotation, tokens kept hashed, and invitations
//! into another account instead of memberships nobody agreed to.

use crate::api::{assert_invalid, assert_unauthorized, enc, expect, ok, raw};
use crate::hardening::page_session;
use crate::support::{self, TestApp, TestResponse, PASSWORD};
use axum::http::Method;
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "a-brand-new-passphrase";

/// The session's CSRF token a signed-in page carries (`data-csrf-token` on `<body>`, or a
/// form's hidden `csrf_token`).
pub fn csrf_token(page: &str) -> String {
    for marker in [r#"data-csrf-token=""#, r#"name="csrf_token" value=""#] {
        if let Some(start) = page.find(marker) {
            let start = start + marker.len();
            let end = start + page[start..].find('"').expect("a closing quote");
            return page[start..end].to_owned();
        }
    }
    panic!("no CSRF token in the page");
}

async fn api_sign_in(app: &TestApp, email: &str, password: &str) -> TestResponse {
    let body = json!({"email": email, "password": password}).to_string();
    app.request(Method::POST, "/auth/sign_in", None, Some(&body))
        .await
}

/// A new API session of `email`: its token.
async fn api_session(app: &TestApp, email: &str) -> String {
    ok(&api_sign_in(app, email, PASSWORD).await)["data"]["access_token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

async fn profile_with(app: &TestApp, token: &str) -> TestResponse {
    app.request(Method::GET, "/api/v1/profile", Some(token), None)
        .await
}

async fn put_profile(app: &TestApp, token: &str, body: &Value) -> TestResponse {
    app.request(
        Method::PUT,
        "/api/v1/profile",
        Some(token),
        Some(&body.to_string()),
    )
    .await
}

fn conversations_page(app: &TestApp) -> String {
    app.api("conversations").replacen("/api/v1", "/app", 1)
}

async fn page_works(app: &TestApp, cookie: &str) -> bool {
    let res = raw(
        app,
        Method::GET,
        &conversations_page(app),
        &[("cookie", cookie)],
        Vec::new(),
    )
    .await;
    res.status == 200
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_and_keeps_this_one() {
    support::on_each_backend(async |app| {
        let email = &app.admin.email;
        let cookie = page_session(&app, email).await;
        let other_api = api_session(&app, email).await;
        let this_api = api_session(&app, email).await;
        // The agent's sessions are not the admin's business.
        let agents_cookie = page_session(&app, &app.agent.email).await;

        let res = put_profile(
            &app,
            &this_api,
            &json!({"profile": {"current_password": PASSWORD, "password": NEW_PASSWORD,
                                "password_confirmation": NEW_PASSWORD}}),
        )
        .await;
        let body = ok(&res);
        assert_eq!(body["id"], app.admin.id);
        assert_eq!(body["access_token"], this_api.as_str());

        // This session stays; the others end on the server.
        ok(&profile_with(&app, &this_api).await);
        assert_unauthorized(&profile_with(&app, &other_api).await);
        assert!(!page_works(&app, &cookie).await, "the page session ended");
        assert!(
            page_works(&app, &agents_cookie).await,
            "another user's session stays"
        );
        // The user's API token is not a session: it stays (rotated apart).
        ok(&app.get("/api/v1/profile", &app.admin).await);
        // The new password signs in; the old one no longer does.
        ok(&api_sign_in(&app, email, NEW_PASSWORD).await);
        assert_unauthorized(&api_sign_in(&app, email, PASSWORD).await);

        // Changed with the API token itself, every session ends (none is this one).
        let session = api_session_with(&app, email, NEW_PASSWORD).await;
        let res = put_profile(
            &app,
            &app.admin.token,
            &json!({"current_password": NEW_PASSWORD, "password": "yet-another-passphrase"}),
        )
        .await;
        ok(&res);
        assert_unauthorized(&profile_with(&app, &session).await);
        assert_unauthorized(&profile_with(&app, &this_api).await);
    })
    .await;
}

async fn api_session_with(app: &TestApp, email: &str, password: &str) -> String {
    ok(&api_sign_in(app, email, password).await)["data"]["access_token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

#[tokio::test]
async fn a_wrong_current_password_or_a_weak_new_one_is_a_422_naming_it_and_changes_nothing() {
    support::on_each_backend(async |app| {
        let email = app.agent.email.clone();
        let other = api_session(&app, &email).await;
        let change = |current: Option<&str>, password: &str, confirmation: Option<&str>| {
            let mut profile = json!({"password": password});
            if let Some(current) = current {
                profile["current_password"] = json!(current);
            }
            if let Some(confirmation) = confirmation {
                profile["password_confirmation"] = json!(confirmation);
            }
            json!({ "profile": profile })
        };
        for (body, attribute) in [
            (
                change(Some("wrong-password-1"), NEW_PASSWORD, None),
                "current_password",
            ),
            (change(None, NEW_PASSWORD, None), "current_password"),
            (change(Some(""), NEW_PASSWORD, None), "current_password"),
            (change(Some(PASSWORD), "password", None), "password"),
            (change(Some(PASSWORD), "short", None), "password"),
            (change(Some(PASSWORD), "Sam Agent1", None), "password"),
            (
                change(Some(PASSWORD), NEW_PASSWORD, Some("something-else")),
                "password_confirmation",
            ),
        ] {
            let res = put_profile(&app, &app.agent.token, &body).await;
            assert_invalid(&res, attribute);
        }
        // Nothing changed: the old password still signs in, the other session still works.
        ok(&profile_with(&app, &other).await);
        ok(&api_sign_in(&app, &email, PASSWORD).await);
        // Wrong types are a 422 naming the field, as every body.
        assert_invalid(
            &put_profile(&app, &app.agent.token, &json!({"profile": {"password": 5}})).await,
            "password",
        );
        // No token, no profile.
        let res = app
            .request(Method::PUT, "/api/v1/profile", None, Some("{}"))
            .await;
        assert_unauthorized(&res);
    })
    .await;
}

#[tokio::test]
async fn wrong_current_passwords_count_as_failed_sign_ins() {
    support::on_each_backend(async |app| {
        let body = json!({"current_password": "not-the-password", "password": NEW_PASSWORD});
        for _ in 0..10 {
            assert_invalid(
                &put_profile(&app, &app.agent.token, &body).await,
                "current_password",
            );
        }
        let res = put_profile(&app, &app.agent.token, &body).await;
        expect(&res, 429);
        assert!(res.headers.contains_key("retry-after"), "{res:?}");
    })
    .await;
}

#[tokio::test]
async fn the_user_renames_themselves_through_their_own_profile_only() {
    support::on_each_backend(async |app| {
        let res = put_profile(
            &app,
            &app.agent.token,
            &json!({"profile": {"name": "Samantha Agent", "display_name": "Sam"}}),
        )
        .await;
        let body = ok(&res);
        assert_eq!(body["name"], "Samantha Agent");
        assert_eq!(body["display_name"], "Sam");
        assert_eq!(body["available_name"], "Sam");
        assert_invalid(
            &put_profile(&app, &app.agent.token, &json!({"profile": {"name": "  "}})).await,
            "name",
        );
        assert_invalid(
            &put_profile(
                &app,
                &app.agent.token,
                &json!({"profile": {"email": "someone.else@acme.test"}}),
            )
            .await,
            "email",
        );

        // An administrator of the account changes the role, never the name.
        let uri = app.api(&format!("agents/{}", app.agent.id));
        assert_invalid(
            &app.patch(&uri, &app.admin, &json!({"name": "Renamed By Admin"}))
                .await,
            "name",
        );
        let res = app
            .patch(
                &uri,
                &app.admin,
                &json!({"name": "Samantha Agent", "role": "administrator"}),
            )
            .await;
        let agent = ok(&res);
        assert_eq!(agent["role"], "administrator");
        assert_eq!(agent["name"], "Samantha Agent");
        let profile = ok(&app.get("/api/v1/profile", &app.agent).await);
        assert_eq!(profile["name"], "Samantha Agent");
    })
    .await;
}

#[tokio::test]
async fn resetting_the_access_token_refuses_the_old_one_at_once() {
    support::on_each_backend(async |app| {
        let old = app.agent.token.clone();
        let res = app
            .request(
                Method::POST,
                "/api/v1/profile/reset_access_token",
                Some(&old),
                None,
            )
            .await;
        let body = ok(&res);
        assert_eq!(body["id"], app.agent.id);
        let new = body["access_token"]
            .as_str()
            .expect("the new token")
            .to_owned();
        assert_ne!(new, old);
        assert_unauthorized(&profile_with(&app, &old).await);
        assert_unauthorized(
            &app.request(Method::GET, &app.api("conversations"), Some(&old), None)
                .await,
        );
        assert_eq!(ok(&profile_with(&app, &new).await)["id"], app.agent.id);
        ok(&app
            .request(Method::GET, &app.api("conversations"), Some(&new), None)
            .await);
        // Nobody else's token moved.
        ok(&app.get("/api/v1/profile", &app.admin).await);
        assert_unauthorized(
            &app.request(
                Method::POST,
                "/api/v1/profile/reset_access_token",
                None,
                None,
            )
            .await,
        );
    })
    .await;
}

/// The profile page's forms: change the password (errors beside their field), generate a
/// token (shown once).
#[tokio::test]
async fn the_profile_page_changes_the_password_and_rotates_the_token() {
    support::on_each_backend(async |app| {
        let cookie = page_session(&app, &app.agent.email).await;
        let other = page_session(&app, &app.agent.email).await;
        let base = format!("/app/accounts/{}/profile", app.acme.account_id);
        let page = raw(
            &app,
            Method::GET,
            &format!("{base}/settings"),
            &[("cookie", &cookie)],
            Vec::new(),
        )
        .await;
        assert_eq!(page.status, 200);
        assert!(page.text.contains("id=\"password-form\""), "{}", page.text);
        let csrf = csrf_token(&page.text);
        let post = |path: &str, body: String| {
            let uri = format!("{base}/{path}");
            let cookie = cookie.clone();
            let app = &app;
            async move {
                let headers = [
                    ("cookie", cookie.as_str()),
                    ("content-type", "application/x-www-form-urlencoded"),
                ];
                raw(app, Method::POST, &uri, &headers, body.into_bytes()).await
            }
        };
        let form = |current: &str, new: &str, confirmation: &str, csrf: &str| {
            format!(
                "csrf_token={}&current_password={}&password={}&password_confirmation={}",
                enc(csrf),
                enc(current),
                enc(new),
                enc(confirmation)
            )
        };
        // Without the session's CSRF token: refused, nothing changed.
        let res = post(
            "password",
            form(PASSWORD, NEW_PASSWORD, NEW_PASSWORD, "forged"),
        )
        .await;
        assert_eq!(res.status, 403);
        // A wrong current password, then a weak new one: 422 and the message by its field.
        let res = post(
            "password",
            form("wrong-password-1", NEW_PASSWORD, NEW_PASSWORD, &csrf),
        )
        .await;
        assert_eq!(res.status, 422);
        assert!(
            res.text.contains("Invalid current password"),
            "{}",
            res.text
        );
        let res = post("password", form(PASSWORD, "password", "password", &csrf)).await;
        assert_eq!(res.status, 422);
        assert!(res.text.contains("too common"), "{}", res.text);
        assert!(page_works(&app, &other).await);
        // Changed: this browser stays signed in, the other is signed out.
        let res = post(
            "password",
            form(PASSWORD, NEW_PASSWORD, NEW_PASSWORD, &csrf),
        )
        .await;
        assert_eq!(res.status, 200, "{}", res.text);
        assert!(res.text.contains("id=\"profile-notice\""), "{}", res.text);
        assert!(page_works(&app, &cookie).await);
        assert!(!page_works(&app, &other).await);
        ok(&api_sign_in(&app, &app.agent.email, NEW_PASSWORD).await);

        // A new token, shown once, replacing the fixture's.
        let res = post("access_token", format!("csrf_token={}", enc(&csrf))).await;
        assert_eq!(res.status, 200, "{}", res.text);
        let marker = "<code id=\"new-access-token\">";
        let start = res.text.find(marker).expect("the new token") + marker.len();
        let token = &res.text[start..start + res.text[start..].find('<').unwrap()];
        assert_eq!(ok(&profile_with(&app, token).await)["id"], app.agent.id);
        assert_unauthorized(&app.get("/api/v1/profile", &app.agent).await);
        let page = raw(
            &app,
            Method::GET,
            &format!("{base}/settings"),
            &[("cookie", &cookie)],
            Vec::new(),
        )
        .await;
        assert!(!page.text.contains(token), "the token is shown only once");
    })
    .await;
}

/// `POST …/agents` with the e-mail of a user of another account.
async fn invite(app: &TestApp, email: &str, name: &str) -> TestResponse {
    app.post(
        &app.api("agents"),
        &app.admin,
        &json!({"name": name, "email": email, "role": "agent"}),
    )
    .await
}

/// The keys and values an answer shares whoever the e-mail belongs to.
fn comparable(agent: &Value) -> Value {
    let mut agent = agent.clone();
    agent.as_object_mut().unwrap().remove("id");
    agent
}

#[tokio::test]
async fn adding_another_accounts_user_invites_them_and_answers_as_for_a_new_email() {
    support::on_each_backend(async |app| {
        let invited = invite(&app, "ADMIN@globex.test", "Grace From Globex").await;
        let created = invite(&app, "newcomer@acme.test", "Grace From Globex").await;
        let (invited, created) = (ok(&invited), ok(&created));
        assert_eq!(invited["id"], app.stranger.id);
        assert_eq!(invited["email"], "admin@globex.test");
        assert_eq!(
            comparable(&invited),
            json!({
                "account_id": app.acme.account_id, "availability_status": "online",
                "auto_offline": true, "confirmed": true, "email": "admin@globex.test",
                "available_name": "Grace From Globex", "name": "Grace From Globex",
                "role": "agent", "thumbnail": ""
            })
        );
        let mut created_like = comparable(&created);
        created_like["email"] = json!("admin@globex.test");
        assert_eq!(
            created_like,
            comparable(&invited),
            "the same shape and values"
        );
        // Twice: the same 422 either way.
        assert_invalid(&invite(&app, "admin@globex.test", "Again").await, "email");
        assert_invalid(&invite(&app, "newcomer@acme.test", "Again").await, "email");

        // No membership: the stranger is no agent of Acme, and reads none of it.
        let agents = ok(&app.get(&app.api("agents"), &app.admin).await);
        assert!(
            !agents
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["id"] == app.stranger.id),
            "{agents}"
        );
        assert_unauthorized(&app.get(&app.api("conversations"), &app.stranger).await);
        // Their profile is untouched by the name the administrator typed.
        let profile = ok(&app.get("/api/v1/profile", &app.stranger).await);
        assert_eq!(profile["name"], "Ada Admin");
        // Nor can the administrator change their role or availability meanwhile.
        let uri = app.api(&format!("agents/{}", app.stranger.id));
        expect(
            &app.patch(&uri, &app.admin, &json!({"role": "administrator"}))
                .await,
            404,
        );
    })
    .await;
}

#[tokio::test]
async fn the_invited_user_accepts_or_declines_after_signing_in() {
    support::on_each_backend(async |app| {
        ok(&invite(&app, "admin@globex.test", "Gus").await);
        // Signing in lands on the invitations.
        let res = crate::sessions::sign_in_form(&app, "admin@globex.test", PASSWORD, &[]).await;
        assert_eq!(
            res.headers.get("location").and_then(|l| l.to_str().ok()),
            Some("/app/invitations")
        );
        let cookie = crate::sessions::set_cookie(&res, "switchboard_session")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let list = raw(
            &app,
            Method::GET,
            "/app/invitations",
            &[("cookie", &cookie)],
            Vec::new(),
        )
        .await;
        assert_eq!(list.status, 200);
        assert!(list.text.contains("Acme"), "{}", list.text);
        let csrf = csrf_token(&list.text);
        let id = {
            let marker = "data-invitation=\"";
            let start = list.text.find(marker).unwrap() + marker.len();
            list.text[start..start + list.text[start..].find('"').unwrap()].to_owned()
        };
        let answer = |what: &str, csrf: &str, cookie: &str| {
            let uri = format!("/app/invitations/{id}/{what}");
            let body = format!("csrf_token={}", enc(csrf));
            let cookie = cookie.to_owned();
            let app = &app;
            async move {
                let headers = [
                    ("cookie", cookie.as_str()),
                    ("content-type", "application/x-www-form-urlencoded"),
                ];
                raw(app, Method::POST, &uri, &headers, body.into_bytes()).await
            }
        };
        // Nobody else answers it: another user's session, or a forged form.
        let agents_cookie = page_session(&app, &app.agent.email).await;
        let agents_page = raw(
            &app,
            Method::GET,
            "/app/invitations",
            &[("cookie", &agents_cookie)],
            Vec::new(),
        )
        .await;
        let res = answer("accept", &csrf_token(&agents_page.text), &agents_cookie).await;
        assert_eq!(res.status, 404);
        assert_eq!(answer("accept", "forged", &cookie).await.status, 403);
        assert_unauthorized(&app.get(&app.api("conversations"), &app.stranger).await);

        // Accepted: a member with the invited role.
        let res = answer("accept", &csrf, &cookie).await;
        assert_eq!(
            res.headers.get("location").and_then(|l| l.to_str().ok()),
            Some(format!("/app/accounts/{}/conversations", app.acme.account_id).as_str())
        );
        ok(&app.get(&app.api("conversations"), &app.stranger).await);
        let agents = ok(&app.get(&app.api("agents"), &app.admin).await);
        let gus = agents
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == app.stranger.id)
            .expect("a member now")
            .clone();
        assert_eq!(gus["role"], "agent");
        assert_eq!(
            gus["name"], "Ada Admin",
            "their own name, not the one typed"
        );
        // Answered once only.
        assert_eq!(answer("decline", &csrf, &cookie).await.status, 404);

        // Declined: no membership, the invitation gone; withdrawn likewise.
        let third = app.other_api("agents");
        let res = app
            .post(
                &third,
                &app.stranger,
                &json!({"name": "Sam", "email": app.agent.email, "role": "agent"}),
            )
            .await;
        ok(&res);
        let agents_page = raw(
            &app,
            Method::GET,
            "/app/invitations",
            &[("cookie", &agents_cookie)],
            Vec::new(),
        )
        .await;
        assert!(agents_page.text.contains("Globex"), "{}", agents_page.text);
        let marker = "data-invitation=\"";
        let start = agents_page.text.find(marker).unwrap() + marker.len();
        let sams = agents_page.text[start..start + agents_page.text[start..].find('"').unwrap()]
            .to_owned();
        let uri = format!("/app/invitations/{sams}/decline");
        let body = format!("csrf_token={}", enc(&csrf_token(&agents_page.text)));
        let headers = [
            ("cookie", agents_cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        let res = raw(&app, Method::POST, &uri, &headers, body.into_bytes()).await;
        assert!(res.status.is_redirection(), "{res:?}");
        assert_unauthorized(&app.get(&app.other_api("conversations"), &app.agent).await);
        let again = raw(
            &app,
            Method::GET,
            "/app/invitations",
            &[("cookie", &agents_cookie)],
            Vec::new(),
        )
        .await;
        assert!(
            again.text.contains("id=\"no-invitations\""),
            "{}",
            again.text
        );
        // An administrator withdraws a pending invitation with DELETE …/agents/{id}.
        ok(&app
            .post(
                &third,
                &app.stranger,
                &json!({"name": "Sam", "email": app.agent.email}),
            )
            .await);
        let uri = app.other_api(&format!("agents/{}", app.agent.id));
        expect(&app.delete(&uri, &app.stranger).await, 200);
        expect(&app.delete(&uri, &app.stranger).await, 404);
        let again = raw(
            &app,
            Method::GET,
            "/app/invitations",
            &[("cookie", &agents_cookie)],
            Vec::new(),
        )
        .await;
        assert!(
            again.text.contains("id=\"no-invitations\""),
            "{}",
            again.text
        );
    })
    .await;
}
