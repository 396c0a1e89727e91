//! Profile › Settings: the signed-in user's own password and API token (Chatwoot's
//! `/app/accounts/{id}/profile/settings`). Plain forms carrying the session's CSRF token, so
//! they work without scripts. A new password signs out every other session; a new API token
//! is shown once, here, to its user (the database keeps only its digest).

use super::{render, Layout};
use crate::auth::{csrf_matches, PageMember};
use crate::config::ClientAddr;
use crate::error::{ApiError, PageError};
use crate::state::AppState;
use crate::throttle::SignInThrottle;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use store::{Invitation, PasswordChange, StoreError};

#[derive(Template)]
#[template(path = "profile.html")]
pub struct ProfilePage {
    pub layout: Layout,
    /// A success to announce ("Password changed…").
    pub notice: Option<String>,
    /// The password form's error and the field it names.
    pub error: Option<(String, String)>,
    /// A token just issued: shown this once.
    pub new_token: Option<String>,
    pub invitations: Vec<Invitation>,
}

impl ProfilePage {
    /// The error message for `field`, if the password form's error names it.
    pub fn error_for(&self, field: &str) -> String {
        match &self.error {
            Some((attribute, message)) if attribute == field => message.clone(),
            _ => String::new(),
        }
    }
}

async fn page(
    state: &AppState,
    member: &PageMember,
    status: StatusCode,
    notice: Option<String>,
    error: Option<(String, String)>,
    new_token: Option<String>,
) -> Result<Response, PageError> {
    let invitations = state
        .store
        .invitations()
        .pending(member.member.user.id)
        .await?;
    let page = ProfilePage {
        layout: Layout::new(member, "profile"),
        notice,
        error,
        new_token,
        invitations,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /app/accounts/{account_id}/profile/settings`.
pub async fn show(
    State(state): State<AppState>,
    member: PageMember,
) -> Result<Response, PageError> {
    page(&state, &member, StatusCode::OK, None, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

/// `POST /app/accounts/{account_id}/profile/password`: as `PUT /api/v1/profile`, keeping this
/// browser's session and ending every other one; errors shown beside their field with 422.
pub async fn change_password(
    State(state): State<AppState>,
    member: PageMember,
    client: ClientAddr,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    if !csrf_matches(Some(&form.csrf_token), &member.session.csrf_token) {
        return Err(PageError::Forbidden);
    }
    let user = &member.member.user;
    let throttle = SignInThrottle::new(&client, &user.email);
    let refused = |status: StatusCode, attribute: &str, message: String| {
        let error = Some((attribute.to_owned(), message));
        page(&state, &member, status, None, error, None)
    };
    match throttle.check(&state).await {
        Ok(()) => {}
        Err(ApiError::TooManyRequests(throttled)) => {
            let message = throttled.message.to_owned();
            return refused(StatusCode::TOO_MANY_REQUESTS, "current_password", message).await;
        }
        Err(other) => return Err(PageError::Internal(other.to_string())),
    }
    let change = PasswordChange {
        current_password: Some(&form.current_password),
        password: &form.password,
        password_confirmation: Some(&form.password_confirmation),
    };
    let changed = state
        .store
        .users()
        .change_password(user, change, Some(&member.session.id))
        .await;
    match changed {
        Ok(()) => {
            let notice = "Password changed. Every other session of yours is signed out.";
            page(
                &state,
                &member,
                StatusCode::OK,
                Some(notice.into()),
                None,
                None,
            )
            .await
        }
        Err(StoreError::Invalid(error)) => {
            let attribute = error.attributes.first().cloned().unwrap_or_default();
            if attribute == "current_password" {
                throttle
                    .failed(&state)
                    .await
                    .map_err(|e| PageError::Internal(e.to_string()))?;
            }
            refused(StatusCode::UNPROCESSABLE_ENTITY, &attribute, error.message).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf_token: String,
}

/// `POST /app/accounts/{account_id}/profile/access_token`: a new API token, shown once; the
/// old one stops working at once.
pub async fn reset_access_token(
    State(state): State<AppState>,
    member: PageMember,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    if !csrf_matches(Some(&form.csrf_token), &member.session.csrf_token) {
        return Err(PageError::Forbidden);
    }
    let token = state
        .store
        .users()
        .reset_access_token(member.member.user.id)
        .await?;
    let notice = "A new access token replaces the old one, which no longer works.";
    page(
        &state,
        &member,
        StatusCode::OK,
        Some(notice.into()),
        None,
        Some(token),
    )
    .await
}
