//! Who is asking. `Member` authenticates an API request by the `api_access_token` header (or
//! the session cookie, with a CSRF header for writes) and resolves its membership of the path's
//! `{account_id}`; `PageMember` does the same for pages and redirects to sign-in instead.

use crate::error::{ApiError, PageError};
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum_extra::extract::CookieJar;
use domain::{AccountId, Member, User};
use std::collections::HashMap;
use store::{Session, StoreError};

mod roles;
mod visible;
pub use roles::{Admin, PageAdmin};
pub use visible::{within, PageVisibleConversation, VisibleConversation, VisibleConversationHead};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "switchboard_session";
/// The header page scripts send their session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

const BAD_TOKEN: &str = "Invalid Access Token";
const SIGN_IN: &str = "You need to sign in or sign up before continuing.";
const NOT_MEMBER: &str = "You are not authorized to access this account";
const BAD_CSRF: &str = "Invalid or missing CSRF token";

/// The signed-in user, whatever the account (e.g. `GET /api/v1/profile`).
pub struct CurrentUser {
    pub user: User,
    /// The API token (or API session secret) they authenticated with, if they used one.
    pub access_token: Option<String>,
    /// The page session they authenticated with, if they used the cookie.
    pub session: Option<Session>,
}

impl CurrentUser {
    /// The secret of the session this request was made in, the one a password change keeps:
    /// the cookie's, or an API session's (a user's API token is no session, and keeps none).
    pub fn session_secret(&self) -> Option<&str> {
        self.access_token
            .as_deref()
            .or(self.session.as_ref().map(|session| session.id.as_str()))
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(token) = header_token(parts) {
            let user = state
                .store
                .users()
                .by_access_token(&token)
                .await
                .map_err(unauthorized(BAD_TOKEN))?;
            return Ok(CurrentUser {
                user,
                access_token: Some(token),
                session: None,
            });
        }
        let session = cookie_session(&parts.headers, state)
            .await?
            .ok_or(ApiError::Unauthorized(SIGN_IN))?;
        if !is_safe(&parts.method) && !csrf_matches(csrf_header(parts), &session.csrf_token) {
            return Err(ApiError::Unauthorized(BAD_CSRF));
        }
        Ok(CurrentUser {
            user: session.user.clone(),
            access_token: None,
            session: Some(session),
        })
    }
}

impl FromRequestParts<AppState> for Member {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let account_id = path_account(parts, state).await.ok_or(ApiError::NotFound)?;
        if let Some(token) = header_token(parts) {
            // User and membership in one query (issue 6: a round trip less on every request).
            let (user, role) = state
                .store
                .users()
                .by_access_token_in(&token, account_id)
                .await
                .map_err(unauthorized(BAD_TOKEN))?;
            let role = role.ok_or(ApiError::Unauthorized(NOT_MEMBER))?;
            return Ok(state.store.users().acting(user, account_id, role).await?);
        }
        let current = CurrentUser::from_request_parts(parts, state).await?;
        state
            .store
            .users()
            .member(current.user, account_id)
            .await
            .map_err(unauthorized(NOT_MEMBER))
    }
}

/// Whether the CSRF token a request presents is the session's, compared in constant time so
/// the answer's timing tells nothing about how much of a guess was right.
pub fn csrf_matches(presented: Option<&str>, session_token: &str) -> bool {
    use subtle::ConstantTimeEq;
    presented.is_some_and(|token| token.as_bytes().ct_eq(session_token.as_bytes()).into())
}

/// A member browsing a page of their account, with their session (for its CSRF token).
pub struct PageMember {
    pub member: Member,
    pub session: Session,
    /// Every account they belong to, for the account switcher.
    pub accounts: Vec<(domain::Account, domain::Role)>,
    /// The account's dashboard apps in their order: the navigation shows the sidebar ones, the
    /// conversation page the tabs (read once per page, for both).
    pub dashboard_apps: Vec<domain::DashboardApp>,
}

impl FromRequestParts<AppState> for PageMember {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let account_id = path_account(parts, state)
            .await
            .ok_or(PageError::NotFound)?;
        let session = cookie_session(&parts.headers, state)
            .await
            .map_err(|error| match error {
                ApiError::Unavailable(cause) => PageError::Unavailable(cause),
                _ => PageError::Internal("session lookup failed".into()),
            })?
            .ok_or(PageError::SignIn)?;
        let member = match state
            .store
            .users()
            .member(session.user.clone(), account_id)
            .await
        {
            Ok(member) => member,
            Err(StoreError::NotFound) => return Err(PageError::NotFound),
            Err(other) => return Err(other.into()),
        };
        let accounts = state.store.users().memberships(member.user.id).await?;
        // Only the apps this member may see (roles, teams): every page shows from this list.
        let viewer = crate::api::viewer(state, &member).await?;
        let mut dashboard_apps = state.store.dashboard_apps().list(account_id).await?;
        dashboard_apps.retain(|app| app.visible_to(&viewer));
        Ok(PageMember {
            member,
            session,
            accounts,
            dashboard_apps,
        })
    }
}

/// The session behind the request's cookie, if it is a live one.
pub async fn cookie_session(
    headers: &HeaderMap,
    state: &AppState,
) -> Result<Option<Session>, ApiError> {
    let jar = CookieJar::from_headers(headers);
    let Some(cookie) = jar.get(SESSION_COOKIE) else {
        return Ok(None);
    };
    match state.store.users().session(cookie.value()).await {
        Ok(session) => Ok(Some(session)),
        Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

fn header_token(parts: &Parts) -> Option<String> {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    header("api_access_token").or_else(|| {
        header("authorization").and_then(|v| v.strip_prefix("Bearer ").map(str::to_owned))
    })
}

fn csrf_header(parts: &Parts) -> Option<&str> {
    parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok())
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The path parameter `name`, as text.
async fn path_param(parts: &mut Parts, state: &AppState, name: &str) -> Option<String> {
    let Path(mut params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .ok()?;
    params.remove(name)
}

async fn path_account(parts: &mut Parts, state: &AppState) -> Option<AccountId> {
    path_param(parts, state, "account_id")
        .await?
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(AccountId)
}

fn unauthorized(why: &'static str) -> impl Fn(StoreError) -> ApiError {
    move |error| match error {
        StoreError::NotFound => ApiError::Unauthorized(why),
        other => other.into(),
    }
}
