//! How long a request may take before it is answered 408: [`Timeouts::request`] (30 s), or for
//! a request that streams files (`multipart/form-data`), [`Timeouts::upload`] (10 minutes). A
//! 40 MB attachment over a slow uplink takes minutes; cut at 30 s, the agent's file would be
//! lost half-sent. Uploads need an agent's token or a contact's conversation, and the Client API
//! stays throttled per address, so the longer allowance is no open door.

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub request: Duration,
    pub upload: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            request: Duration::from_secs(30),
            upload: Duration::from_secs(600),
        }
    }
}

/// `axum::middleware::from_fn_with_state` body.
pub async fn bounded(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let timeouts = state.config.timeouts;
    let limit = if streams_files(&request) {
        timeouts.upload
    } else {
        timeouts.request
    };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

fn streams_files(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}
