//! Signing in to the pages and what protects it: the session cookie's flags and HSTS on https.

use crate::api::raw;
use crate::support::{self, TestApp, TestResponse, PASSWORD};
use axum::http::Method;

/// Posts the login form for `email` with `extra` headers.
pub async fn sign_in_form(
    app: &TestApp,
    email: &str,
    password: &str,
    extra: &[(&str, &str)],
) -> TestResponse {
    let body = format!(
        "email={}&password={}",
        crate::api::enc(email),
        crate::api::enc(password)
    );
    let mut headers = vec![("content-type", "application/x-www-form-urlencoded")];
    headers.extend_from_slice(extra);
    raw(app, Method::POST, "/app/login", &headers, body.into_bytes()).await
}

/// The `Set-Cookie` header that sets `name`, whole.
pub fn set_cookie<'a>(res: &'a TestResponse, name: &str) -> Option<&'a str> {
    res.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
}

fn attributes(cookie: &str) -> Vec<String> {
    cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

fn hsts(res: &TestResponse) -> Option<&str> {
    res.headers
        .get("strict-transport-security")
        .and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn on_an_https_public_url_the_session_cookie_is_secure_and_hsts_is_sent() {
    support::on_each_backend(async |app: TestApp| {
        let app = app.with_config(web::Config::new("https://desk.acme.example", false).unwrap());
        let res = sign_in_form(&app, &app.admin.email, PASSWORD, &[]).await;
        assert!(res.status.is_redirection(), "{res:?}");
        let cookie = set_cookie(&res, "switchboard_session").expect("a session cookie");
        let flags = attributes(cookie);
        for flag in ["secure", "httponly", "samesite=lax", "path=/"] {
            assert!(flags.iter().any(|f| f == flag), "{flag} in {cookie}");
        }
        assert_eq!(hsts(&res), Some("max-age=31536000"));
        for uri in ["/health", "/app/login", "/api/v1/profile", "/no/such/page"] {
            let res = raw(&app, Method::GET, uri, &[], Vec::new()).await;
            assert_eq!(hsts(&res), Some("max-age=31536000"), "{uri}");
        }
    })
    .await;
}

#[tokio::test]
async fn on_plain_http_nothing_claims_https_unless_a_trusted_proxy_says_so() {
    support::on_each_backend(async |app: TestApp| {
        let forwarded = [("x-forwarded-proto", "https")];
        // Directly reached: a client's X-Forwarded-Proto is only a claim.
        let app = app.with_config(web::Config::new("http://desk.acme.example", false).unwrap());
        let res = sign_in_form(&app, &app.admin.email, PASSWORD, &forwarded).await;
        let cookie = set_cookie(&res, "switchboard_session").expect("a session cookie");
        assert!(
            !attributes(cookie).iter().any(|f| f == "secure"),
            "{cookie}"
        );
        assert_eq!(hsts(&res), None);
        let res = raw(&app, Method::GET, "/health", &forwarded, Vec::new()).await;
        assert_eq!(hsts(&res), None);

        // Behind a trusted proxy that terminated TLS, the request was https.
        let app = app.with_config(web::Config::new("http://desk.acme.example", true).unwrap());
        let res = sign_in_form(&app, &app.admin.email, PASSWORD, &forwarded).await;
        let cookie = set_cookie(&res, "switchboard_session").expect("a session cookie");
        assert!(attributes(cookie).iter().any(|f| f == "secure"), "{cookie}");
        assert_eq!(hsts(&res), Some("max-age=31536000"));
        // … and the same proxy forwarding plain http is plain http.
        let res = sign_in_form(&app, &app.admin.email, PASSWORD, &[]).await;
        let cookie = set_cookie(&res, "switchboard_session").expect("a session cookie");
        assert!(
            !attributes(cookie).iter().any(|f| f == "secure"),
            "{cookie}"
        );
        assert_eq!(hsts(&res), None);
    })
    .await;
}
