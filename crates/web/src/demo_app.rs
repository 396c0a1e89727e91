//! The "Customer orders" demo dashboard app, served on its own listener (its own origin), so a
//! fresh install shows a working cross-origin app. It is an ordinary app, written as the
//! author's guide says: its page imports the SDK from the Switchboard it is registered with
//! (`/sdk/dashboard-app.js`), and its backend verifies the signed context: an EdDSA token with
//! the keys Switchboard publishes at `/.well-known/jwks.json` (fetched over HTTP, by `kid`, as
//! any app's backend would), an HS256 one with the app's secret.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::{AccountId, DashboardAppId};
use serde_json::{json, Value};
use std::time::Duration;
use store::Store;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

pub mod loyalty;

const INDEX: &str = include_str!("../assets/demo-app/index.html");
const SCRIPT: &str = include_str!("../assets/demo-app/demo-app.js");
const STYLE: &str = include_str!("../assets/demo-app/demo-app.css");

/// The demo app's own policy, as a careful third-party app would set it: its scripts, styles
/// and requests only from itself — and scripts from the Switchboard it is registered with,
/// whose SDK it imports (`{sdk}`, filled by [`policy`]); contact avatars from anywhere on the web
/// (`thumbnail` URLs). It sets no `frame-ancestors`: being framed by Switchboard is its whole
/// job, and the origin agents browse Switchboard on (behind a proxy, say) is not known to this
/// process.
const POLICY: &str = "default-src 'self'; script-src 'self'{sdk}; style-src 'self'; \
                      img-src 'self' data: http: https:; connect-src 'self'; object-src 'none'; \
                      base-uri 'none'; form-action 'self'";

/// The demo shop page that embeds the demo account's website widget with Chatwoot's snippet,
/// pasted as a site would paste it (`{{SNIPPET}}`, filled by [`widget_demo`]).
const WIDGET_DEMO: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo shop · website widget</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2d3d}</style>
</head>
<body>
<h1>Demo shop</h1>
<p>This page is another site (its own origin) with the demo account's <strong>Website</strong>
inbox embedded through Chatwoot's snippet. Open the bubble at the bottom right and write: the
conversation appears live in Switchboard.</p>
{{SNIPPET}}
</body>
</html>
"#;

/// The widget demo's policy: the snippet is an inline script, as on every site that pastes it;
/// the loader, its fetch of the bubble's colour and the chat window come from Switchboard.
const WIDGET_DEMO_POLICY: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'{sdk}; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'{sdk}; \
     frame-src{sdk}; object-src 'none'; base-uri 'none'; form-action 'self'";

/// Where the page says which Switchboard to import the SDK from (`index.html`).
const HOST_MARKER: &str = "{{SWITCHBOARD_URL}}";

/// The largest request body the demo backend reads (a context token).
pub const MAX_BODY: usize = 16 * 1024;

/// Where the demo app's backend finds the secret its tokens are signed with: the app as
/// registered in Switchboard (read on every check, so a rotated secret takes effect at once).
#[derive(Clone)]
pub struct Registration {
    pub store: Store,
    pub account_id: AccountId,
    pub app_id: DashboardAppId,
    /// The Switchboard URL (`http://127.0.0.1:3000`): the page imports the SDK from there.
    pub host_url: String,
    /// Switchboard's key, to open the shop's API key from the app's secret setting (this
    /// backend stands in for the shop, which would hold its own key).
    pub secret_key: std::sync::Arc<domain::sealed::SecretKey>,
}

/// The policy, allowing scripts from the origin of `host_url` too when it is a plain
/// `http(s)` origin (anything else is left out, so the SDK import fails visibly).
fn policy(host_url: Option<&str>) -> HeaderValue {
    policy_from(POLICY, host_url)
}

/// `template` with `{sdk}` as ` <origin of host_url>` (or nothing when it is no http(s) URL).
fn policy_from(template: &str, host_url: Option<&str>) -> HeaderValue {
    let origin = host_url
        .and_then(|u| url::Url::parse(u).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| format!(" {}", u.origin().ascii_serialization()))
        .unwrap_or_default();
    HeaderValue::from_str(&template.replace("{sdk}", &origin))
        .expect("an ASCII origin serialization keeps the policy a valid header")
}

/// `GET /widget-demo`: a shop page embedding the demo account's first website inbox.
async fn widget_demo(State(registration): State<Option<Registration>>) -> axum::response::Response {
    let Some(registration) = registration else {
        return (
            StatusCode::NOT_FOUND,
            "this demo app is not registered in Switchboard",
        )
            .into_response();
    };
    let inboxes = registration
        .store
        .inboxes()
        .list(registration.account_id)
        .await;
    let token = inboxes.ok().and_then(|all| {
        all.iter()
            .find_map(|i| i.website_token().map(str::to_owned))
    });
    let Some(token) = token else {
        return (
            StatusCode::NOT_FOUND,
            "the demo account has no website inbox",
        )
            .into_response();
    };
    let snippet = domain::web_widget::script(&registration.host_url, &token);
    let policy = policy_from(WIDGET_DEMO_POLICY, Some(&registration.host_url));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CONTENT_SECURITY_POLICY, policy),
        ],
        WIDGET_DEMO.replace("{{SNIPPET}}", &snippet),
    )
        .into_response()
}

/// `index.html` naming the Switchboard to import the SDK from (empty when unregistered).
fn index(host_url: Option<&str>) -> String {
    let escaped = host_url
        .unwrap_or_default()
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    INDEX.replace(HOST_MARKER, &escaped)
}

/// The demo app; with a registration, its backend verifies context tokens at `POST /api/verify`.
pub fn router(registration: Option<Registration>) -> Router {
    let host_url = registration.as_ref().map(|r| r.host_url.clone());
    let page = index(host_url.as_deref());
    Router::new()
        .route("/api/verify", post(verify))
        .route("/api/loyalty", get(loyalty::show))
        .route("/widget-demo", get(widget_demo))
        .route(
            "/",
            get(|| async { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page) }),
        )
        .route(
            "/demo-app.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    SCRIPT,
                )
            }),
        )
        .route(
            "/demo-app.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE) }),
        )
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found").into_response() })
        // A context token is well under a kilobyte.
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            policy(host_url.as_deref()),
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(10),
        ))
        .with_state(registration)
}

/// `POST /api/verify` with the token as the body: what an app's backend does before trusting a
/// request made on behalf of an agent.
async fn verify(
    State(registration): State<Option<Registration>>,
    token: String,
) -> (StatusCode, Json<Value>) {
    let refuse = |status: StatusCode, error: &str| {
        (status, Json(json!({"verified": false, "error": error})))
    };
    let Some(registration) = registration else {
        return refuse(
            StatusCode::NOT_FOUND,
            "this demo app is not registered in Switchboard",
        );
    };
    let token = token.trim();
    let header = match jsonwebtoken::decode_header(token) {
        Ok(header) => header,
        Err(_) => return refuse(StatusCode::UNAUTHORIZED, "the token is malformed"),
    };
    if header.alg == jsonwebtoken::Algorithm::EdDSA {
        return match jwks::verify(&registration, token, header.kid.as_deref()).await {
            Ok(claims) => (
                StatusCode::OK,
                Json(
                    json!({"verified": true, "algorithm": "EdDSA", "kid": header.kid, "claims": claims}),
                ),
            ),
            Err(error) => refuse(StatusCode::UNAUTHORIZED, &error.to_string()),
        };
    }
    let secret = registration
        .store
        .dashboard_apps()
        .signing_secret(registration.account_id, registration.app_id)
        .await;
    let Ok(Some(secret)) = secret else {
        return refuse(StatusCode::NOT_FOUND, "the app has no signing secret");
    };
    match domain::context_token::verify(
        token,
        &secret,
        registration.app_id.get(),
        domain::time::now(),
    ) {
        Ok(claims) => (
            StatusCode::OK,
            Json(json!({"verified": true, "algorithm": "HS256", "claims": claims})),
        ),
        Err(error) => refuse(StatusCode::UNAUTHORIZED, &error.to_string()),
    }
}

/// EdDSA tokens, verified the way the docs tell app authors to: with no secret, only the public
/// keys Switchboard publishes.
mod jwks {
    use super::Registration;
    use jsonwebtoken::jwk::JwkSet;
    use jsonwebtoken::{Algorithm, DecodingKey, Validation};
    use std::time::Duration;

    /// Why an EdDSA token was refused, worded for the app's page.
    #[derive(Debug, thiserror::Error)]
    pub enum JwksError {
        #[error("the JWKS could not be fetched from Switchboard")]
        Unreachable,
        #[error("the token names no key Switchboard publishes")]
        UnknownKey,
        #[error("the token is invalid: {0}")]
        Invalid(#[from] jsonwebtoken::errors::Error),
    }

    /// Fetches `{host}/.well-known/jwks.json` (on every check, so a rotated key is known at
    /// once: a real backend would cache it by `kid`), takes the key the token names, and checks
    /// the signature, the audience (this app), the issuer (that Switchboard) and the expiry.
    pub async fn verify(
        registration: &Registration,
        token: &str,
        kid: Option<&str>,
    ) -> Result<domain::context_token::Claims, JwksError> {
        let host = registration.host_url.trim_end_matches('/');
        let body = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|_| JwksError::Unreachable)?
            .get(format!("{host}/.well-known/jwks.json"))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|_| JwksError::Unreachable)?
            .bytes()
            .await
            .map_err(|_| JwksError::Unreachable)?;
        let set: JwkSet = serde_json::from_slice(&body).map_err(|_| JwksError::Unreachable)?;
        let jwk = kid
            .and_then(|kid| set.find(kid))
            .ok_or(JwksError::UnknownKey)?;
        let key = DecodingKey::from_jwk(jwk)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_audience(&[format!("dashboard_app:{}", registration.app_id.get())]);
        validation.set_issuer(&[host]);
        validation.leeway = 0;
        Ok(jsonwebtoken::decode(token, &key, &validation)?.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_and_its_policy_name_the_switchboard_it_imports_the_sdk_from() {
        let policy = policy(Some("http://127.0.0.1:3000/"));
        let policy = policy.to_str().unwrap();
        assert!(
            policy.contains("script-src 'self' http://127.0.0.1:3000;"),
            "{policy}"
        );
        let page = index(Some("http://127.0.0.1:3000"));
        assert!(
            page.contains("data-switchboard=\"http://127.0.0.1:3000\""),
            "{page}"
        );
        assert!(!page.contains(HOST_MARKER));
    }

    #[test]
    fn an_unregistered_or_odd_host_adds_nothing_to_the_policy() {
        for host in [None, Some("javascript:alert(1)"), Some("not a url")] {
            let policy = policy(host);
            assert!(
                policy.to_str().unwrap().contains("script-src 'self';"),
                "{host:?}"
            );
        }
        let page = index(Some("http://x.example/\"><script>"));
        assert!(!page.contains("\"><script>"), "{page}");
    }
}
