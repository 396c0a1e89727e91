//! The "Customer orders" demo dashboard app, served on its own listener (its own origin), so a
//! fresh install shows a working cross-origin app. It is an ordinary app: it knows only the
//! documented protocol.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

const INDEX: &str = include_str!("../assets/demo-app/index.html");
const SCRIPT: &str = include_str!("../assets/demo-app/demo-app.js");
const STYLE: &str = include_str!("../assets/demo-app/demo-app.css");

pub fn router() -> Router {
    Router::new()
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
        .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "not found").into_response() })
}
