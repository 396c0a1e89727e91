//! Errors as answers. `ApiError` speaks Chatwoot's JSON bodies; `PageError` answers pages with
//! a sign-in redirect or a friendly error page. Internal causes are logged, never shown.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use domain::wire;
use domain::DomainError;
use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Missing or bad credentials, not a member, or the wrong role: 401 `{"error"}`.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    #[error("not found")]
    NotFound,
    /// 422 `{"message", "attributes"}`.
    #[error("invalid: {0}")]
    Invalid(DomainError),
    /// 400: a body that is not JSON at all.
    #[error("malformed: {0}")]
    Malformed(String),
    #[error("payload too large")]
    TooLarge,
    /// 413 naming `attachments` and the limit passed.
    #[error("attachments too large: {0}")]
    FilesTooLarge(String),
    /// 429 with `Retry-After`.
    #[error("too many requests")]
    TooManyRequests(crate::throttle::Throttled),
    /// 503: the database cannot be reached right now (its cause is logged, not shown).
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal: {0}")]
    Internal(String),
    /// 502: a dashboard app's proxied request got no usable answer (`{"error": …}` in the
    /// egress guard's words, safe to show: never a socket error or a secret).
    #[error("bad gateway: {0}")]
    BadGateway(String),
    /// 500 saying plainly that stored secrets do not open with the configured key.
    #[error("sealed: {0}")]
    Sealed(#[from] domain::sealed::SealError),
}

impl From<domain::attachment::UploadRefused> for ApiError {
    fn from(refused: domain::attachment::UploadRefused) -> Self {
        match refused {
            domain::attachment::UploadRefused::TooLarge(message) => {
                ApiError::FilesTooLarge(message)
            }
            domain::attachment::UploadRefused::Invalid(error) => ApiError::Invalid(error),
        }
    }
}

impl ApiError {
    pub fn forbidden() -> Self {
        ApiError::Unauthorized("You are not authorized to do this action")
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        ApiError::Invalid(error)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Taken(attribute) => ApiError::Invalid(DomainError::invalid(
                attribute,
                format!(
                    "{} has already been taken",
                    domain::error::humanize(attribute)
                ),
            )),
            StoreError::Invalid(error) => ApiError::Invalid(error),
            error @ StoreError::Database(_) if error.is_unavailable() => {
                ApiError::Unavailable(error.to_string())
            }
            StoreError::Database(cause) => ApiError::Internal(cause.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let invalid = |status: StatusCode, message: String, attribute: &str| {
            let body = wire::Invalid {
                message,
                attributes: vec![attribute.to_owned()],
            };
            (status, Json(body)).into_response()
        };
        match self {
            ApiError::Unauthorized(why) => {
                (StatusCode::UNAUTHORIZED, Json(wire::Failure::new(why))).into_response()
            }
            ApiError::NotFound => {
                (StatusCode::NOT_FOUND, Json(wire::Failure::not_found())).into_response()
            }
            ApiError::Invalid(error) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(wire::Invalid::from(&error)),
            )
                .into_response(),
            ApiError::Malformed(why) => invalid(
                StatusCode::BAD_REQUEST,
                format!("Malformed JSON: {why}"),
                "body",
            ),
            ApiError::TooLarge => invalid(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request body is too large (the limit is 1 MiB)".into(),
                "body",
            ),
            ApiError::FilesTooLarge(message) => {
                invalid(StatusCode::PAYLOAD_TOO_LARGE, message, "attachments")
            }
            ApiError::TooManyRequests(throttled) => (
                StatusCode::TOO_MANY_REQUESTS,
                [(
                    axum::http::header::RETRY_AFTER,
                    throttled.retry_after.max(1).to_string(),
                )],
                Json(wire::Failure::new(throttled.message)),
            )
                .into_response(),
            ApiError::Unavailable(cause) => {
                tracing::error!(%cause, "database unavailable");
                unavailable(Json(wire::Failure::new(UNAVAILABLE)))
            }
            ApiError::BadGateway(why) => {
                (StatusCode::BAD_GATEWAY, Json(wire::Failure::new(why))).into_response()
            }
            ApiError::Sealed(error) => {
                tracing::error!(%error, "stored secrets cannot be opened");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(wire::Failure::new(error.to_string())),
                )
                    .into_response()
            }
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(wire::Failure::new("Internal server error")),
                )
                    .into_response()
            }
        }
    }
}

/// Whether `path` is under a prefix whose errors are JSON (`/api`, `/public`, `/auth`) rather
/// than HTML pages.
pub fn is_api_path(path: &str) -> bool {
    ["/api", "/public", "/auth"].iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

const UNAVAILABLE: &str = "The service is temporarily unavailable, try again shortly";

/// How long clients are told to wait before retrying a 503 (the pool's acquire timeout, so a
/// retry meets a fresh connection attempt).
const RETRY_AFTER_SECONDS: &str = "5";

/// 503 with `Retry-After`.
fn unavailable(body: impl IntoResponse) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(axum::http::header::RETRY_AFTER, RETRY_AFTER_SECONDS)],
        body,
    )
        .into_response()
}

/// Failures of HTML pages.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("sign in first")]
    SignIn,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// 503: the database cannot be reached right now.
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => PageError::NotFound,
            error if error.is_unavailable() => PageError::Unavailable(error.to_string()),
            other => PageError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(error: askama::Error) -> Self {
        PageError::Internal(error.to_string())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, text) = match self {
            PageError::SignIn => return Redirect::to("/app/login").into_response(),
            PageError::Forbidden => (
                StatusCode::FORBIDDEN,
                "You don't have access to this page",
                "Only administrators of this account can open it. Ask an administrator if you need a change here.",
            ),
            PageError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "The page you asked for doesn't exist, or it belongs to an account you are not a member of.",
            ),
            PageError::Unavailable(cause) => {
                tracing::error!(%cause, "database unavailable rendering a page");
                let page = crate::pages::ErrorPage {
                    title: "Temporarily unavailable",
                    text: "Switchboard cannot reach its database right now. Please try again in a moment.",
                };
                return unavailable(Html(page_html(&page)));
            }
            PageError::Internal(cause) => {
                tracing::error!(%cause, "internal error rendering a page");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The error was logged. Please try again in a moment.",
                )
            }
        };
        let page = crate::pages::ErrorPage { title, text };
        (status, Html(page_html(&page))).into_response()
    }
}

fn page_html(page: &crate::pages::ErrorPage) -> String {
    askama::Template::render(page)
        .unwrap_or_else(|_| format!("<!doctype html><title>{0}</title><h1>{0}</h1>", page.title))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn body_of(response: Response) -> String {
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn unreachable() -> StoreError {
        let refused = std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "secret-host:5432 refused",
        );
        StoreError::Database(sqlx::Error::Io(refused))
    }

    #[tokio::test]
    async fn an_unreachable_database_is_a_503_to_retry_without_its_cause() {
        let response = ApiError::from(unreachable()).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[axum::http::header::RETRY_AFTER], "5");
        let body: serde_json::Value = serde_json::from_str(&body_of(response).await).unwrap();
        assert_eq!(body, serde_json::json!({"error": UNAVAILABLE}));

        let response = PageError::from(unreachable()).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response
            .headers()
            .contains_key(axum::http::header::RETRY_AFTER));
        let html = body_of(response).await;
        assert!(html.contains("Temporarily unavailable"), "{html}");
        assert!(!html.contains("secret-host"), "{html}");
    }

    #[tokio::test]
    async fn a_failed_statement_is_still_a_500() {
        let failed = StoreError::Database(sqlx::Error::RowNotFound);
        let response = ApiError::from(failed).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
