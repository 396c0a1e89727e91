//! The "Customer orders" demo dashboard app, served on its own listener (its own origin), so a
//! fresh install shows a working cross-origin app. It is an ordinary app: it knows only the
//! documented protocol.

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

const INDEX: &str = include_str!("../assets/demo-app/index.html");
const SCRIPT: &str = include_str!("../assets/demo-app/demo-app.js");
const STYLE: &str = include_str!("../assets/demo-app/demo-app.css");

/// The demo app's own policy, as a careful third-party app would set it: its scripts, styles
/// and requests only from itself; contact avatars from anywhere on the web (`thumbnail` URLs).
/// It sets no `frame-ancestors`: being framed by Switchboard is its whole job, and the origin
/// agents browse Switchboard on (behind a proxy, say) is not known to this process.
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                      img-src 'self' data: http: https:; connect-src 'self'; object-src 'none'; \
                      base-uri 'none'; form-action 'self'";

/// The largest request body the demo backend reads (a context token).
pub const MAX_BODY: usize = 16 * 1024;

/// Where the demo app's backend finds the secret its tokens are signed with: the app as
/// registered in Switchboard (read on every check, so a rotated secret takes effect at once).
#[derive(Clone)]
pub struct Registration {
    pub store: Store,
    pub account_id: AccountId,
    pub app_id: DashboardAppId,
}

/// The demo app; with a registration, its backend verifies context tokens at `POST /api/verify`.
pub fn router(registration: Option<Registration>) -> Router {
    Router::new()
        .route("/api/verify", post(verify))
        .route(
            "/",
            get(|| async { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX) }),
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
            HeaderValue::from_static(POLICY),
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
    let secret = registration
        .store
        .dashboard_apps()
        .signing_secret(registration.account_id, registration.app_id)
        .await;
    let Ok(Some(secret)) = secret else {
        return refuse(StatusCode::NOT_FOUND, "the app has no signing secret");
    };
    match domain::context_token::verify(
        token.trim(),
        &secret,
        registration.app_id.get(),
        domain::time::now(),
    ) {
        Ok(claims) => (
            StatusCode::OK,
            Json(json!({"verified": true, "claims": claims})),
        ),
        Err(error) => refuse(StatusCode::UNAUTHORIZED, &error.to_string()),
    }
}
