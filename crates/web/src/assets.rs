//! Static assets embedded in the binary: one stylesheet and small ES modules, no bundler.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

macro_rules! asset {
    ($path:literal, $kind:expr) => {
        ($path, $kind, include_str!(concat!("../assets/", $path)))
    };
}

/// (path under /assets/, content type, body)
const ASSETS: &[(&str, &str, &str)] = &[
    asset!("css/app.css", CSS),
    asset!("css/playground.css", CSS),
    asset!("js/api.js", JS),
    asset!("js/app-bridge.js", JS),
    asset!("js/app-host-actions.js", JS),
    asset!("js/app-panel.js", JS),
    asset!("js/contact-apps.js", JS),
    asset!("js/app-requests.js", JS),
    asset!("js/app-settings-dialog.js", JS),
    asset!("js/app-protocol.js", JS),
    asset!("js/busy.js", JS),
    asset!("js/cable.js", JS),
    asset!("js/canned-responses.js", JS),
    asset!("js/reply-attachments.js", JS),
    asset!("js/contact.js", JS),
    asset!("js/contact-form.js", JS),
    asset!("js/contacts-index.js", JS),
    asset!("js/conversation.js", JS),
    asset!("js/conversations-index.js", JS),
    asset!("js/custom-attributes.js", JS),
    asset!("js/dashboard-app-playground.js", JS),
    asset!("js/dashboard-apps-settings.js", JS),
    asset!("js/live-list.js", JS),
    asset!("js/settings-resources.js", JS),
    asset!("js/inbox-hours.js", JS),
    asset!("js/sidebar-app.js", JS),
    asset!("js/theme.js", JS),
    asset!("js/toast.js", JS),
    asset!("js/workflow.js", JS),
    asset!("widget/widget.css", CSS),
    asset!("widget/widget.js", JS),
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
