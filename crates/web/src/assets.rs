//! Static assets embedded in the binary: one stylesheet and small ES modules, no bundler.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// (path under /assets/, content type, body)
const ASSETS: [(&str, &str, &str); 5] = [
    (
        "css/app.css",
        "text/css; charset=utf-8",
        include_str!("../assets/css/app.css"),
    ),
    (
        "js/app-bridge.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/js/app-bridge.js"),
    ),
    (
        "js/conversation.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/js/conversation.js"),
    ),
    (
        "js/dashboard-apps-settings.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/js/dashboard-apps-settings.js"),
    ),
    (
        "js/api.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/js/api.js"),
    ),
];

pub async fn serve(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == path) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
