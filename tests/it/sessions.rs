//! Signing in to the pages and what protects it: the session cookie's flags and HSTS on https.

use crate::api::raw;
use crate::support::{self, TestApp, TestResponse, PASSWORD};
use axum::http::Method;

/// Opens the login form as a browser would (with `extra` headers): its double-submit cookie
/// (`name=value`, for a `Cookie` header) and the token in its hidden field.
pub async fn login_form(app: &TestApp, extra: &[(&str, &str)]) -> (String, String) {
    let res = raw(app, Method::GET, "/app/login", extra, Vec::new()).await;
    assert_eq!(res.status, 200, "{res:?}");
    (login_cookie(&res), hidden_token(&res.text))
}

/// The login cookie a response sets, as `name=value`.
fn login_cookie(res: &TestResponse) -> String {
    res.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("switchboard_login="))
        .and_then(|v| v.split(';').next())
        .expect("a login cookie")
        .to_owned()
}

/// The `login_token` hidden field's value in a login page.
fn hidden_token(page: &str) -> String {
    let marker = r#"name="login_token" value=""#;
    let start = page.find(marker).expect("a login_token field") + marker.len();
    let end = start + page[start..].find('"').expect("a closing quote");
    page[start..end].to_owned()
}

/// Posts the login form for `email` with `extra` headers, after opening it for its token.
pub async fn sign_in_form(
    app: &TestApp,
    email: &str,
    password: &str,
    extra: &[(&str, &str)],
) -> TestResponse {
    let (cookie, token) = login_form(app, extra).await;
    post_login(app, email, password, Some((&cookie, &token)), extra).await
}

/// Posts the login form with the double-submit `(cookie, token)` pair given, or none.
pub async fn post_login(
    app: &TestApp,
    email: &str,
    password: &str,
    csrf: Option<(&str, &str)>,
    extra: &[(&str, &str)],
) -> TestResponse {
    let mut body = format!(
        "email={}&password={}",
        crate::api::enc(email),
        crate::api::enc(password)
    );
    let mut headers = vec![("content-type", "application/x-www-form-urlencoded")];
    if let Some((cookie, token)) = csrf {
        body.push_str(&format!("&login_token={}", crate::api::enc(token)));
        headers.push(("cookie", cookie));
    }
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

#[tokio::test]
async fn the_login_form_is_refused_without_its_double_submit_token() {
    support::on_each_backend(async |app: TestApp| {
        let (cookie, token) = login_form(&app, &[]).await;
        let (other_cookie, other_token) = login_form(&app, &[]).await;
        assert_ne!(token, other_token, "every form gets its own token");
        let refusals = [
            ("no token, no cookie", None),
            (
                "the token without its cookie",
                Some(("x=1", token.as_str())),
            ),
            ("the cookie without its token", Some((cookie.as_str(), ""))),
            (
                "another form's cookie",
                Some((other_cookie.as_str(), token.as_str())),
            ),
        ];
        for (what, csrf) in refusals {
            let res = post_login(&app, &app.admin.email, PASSWORD, csrf, &[]).await;
            assert_eq!(res.status, 403, "{what}: {res:?}");
            assert!(set_cookie(&res, "switchboard_session").is_none(), "{what}");
            // The form again, with a new token to try with.
            assert!(res.text.contains("<form"), "{what}: {}", res.text);
            let retry = (login_cookie(&res), hidden_token(&res.text));
            let res = post_login(
                &app,
                &app.admin.email,
                PASSWORD,
                Some((&retry.0, &retry.1)),
                &[],
            )
            .await;
            assert!(res.status.is_redirection(), "{what}, retried: {res:?}");
        }
        let res = post_login(
            &app,
            &app.admin.email,
            PASSWORD,
            Some((&cookie, &token)),
            &[],
        )
        .await;
        assert!(res.status.is_redirection(), "{res:?}");
        assert!(set_cookie(&res, "switchboard_session").is_some());
    })
    .await;
}

#[tokio::test]
async fn the_login_cookie_is_strict_http_only_and_host_prefixed_over_https() {
    support::on_each_backend(async |app: TestApp| {
        let res = raw(&app, Method::GET, "/app/login", &[], Vec::new()).await;
        let cookie = set_cookie(&res, "switchboard_login").expect("a login cookie");
        let flags = attributes(cookie);
        for flag in ["httponly", "samesite=strict", "path=/"] {
            assert!(flags.iter().any(|f| f == flag), "{flag} in {cookie}");
        }
        assert!(!flags.iter().any(|f| f == "secure"), "{cookie}");

        let app = app.with_config(web::Config::new("https://desk.acme.example", false).unwrap());
        let res = raw(&app, Method::GET, "/app/login", &[], Vec::new()).await;
        let cookie = set_cookie(&res, "__Host-switchboard_login").expect("a __Host- cookie");
        let flags = attributes(cookie);
        for flag in ["secure", "httponly", "samesite=strict", "path=/"] {
            assert!(flags.iter().any(|f| f == flag), "{flag} in {cookie}");
        }
        assert!(!flags.iter().any(|f| f.starts_with("domain")), "{cookie}");
        // Over https the unprefixed cookie (which a sibling host could set) does not count.
        let token = hidden_token(&res.text);
        let planted = format!("switchboard_login={token}");
        let res = post_login(
            &app,
            &app.admin.email,
            PASSWORD,
            Some((&planted, &token)),
            &[],
        )
        .await;
        assert_eq!(res.status, 403, "{res:?}");
        let res = sign_in_form(&app, &app.admin.email, PASSWORD, &[]).await;
        assert!(res.status.is_redirection(), "{res:?}");
    })
    .await;
}
