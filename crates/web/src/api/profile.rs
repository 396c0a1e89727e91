//! The signed-in user's own profile (Chatwoot's `Api::V1::ProfilesController`):
//! `PUT /api/v1/profile` changes their name or password, `POST …/reset_access_token` their
//! API token. Only the user changes these; no account's administrator can.

use super::auth::profile;
use crate::auth::CurrentUser;
use crate::config::ClientAddr;
use crate::error::ApiError;
use crate::extract::{Resource, Wrapped};
use crate::state::AppState;
use crate::throttle::SignInThrottle;
use axum::extract::State;
use axum::Json;
use domain::wire::Profile;
use domain::{validate, DomainError};
use store::{PasswordChange, ProfileChanges, StoreError};

#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ProfileParams {
    name: Option<String>,
    display_name: Option<String>,
    /// Must equal the current e-mail: changing it is not supported (no confirmation mail).
    email: Option<String>,
    /// Required with `password`.
    current_password: Option<String>,
    /// A new password: at least 8 characters and not easy to guess.
    password: Option<String>,
    /// When given, must equal `password`.
    password_confirmation: Option<String>,
}

impl Resource for ProfileParams {
    const KEY: &'static str = "profile";
}

/// `PUT`/`PATCH /api/v1/profile` (`{"profile": {...}}`): a new password (with `current_password`)
/// ends every other session of the user, page or API, and keeps the one it was sent in;
/// the user's API token stays. A wrong `current_password` is a 422 naming it, a weak
/// `password` a 422 naming `password`, as Chatwoot's validation does.
#[utoipa::path(
    patch,
    path = "/api/v1/profile",
    tag = "auth",
    request_body = ProfileParams,
    responses(
        (status = 200, body = Profile),
        (status = 422, body = domain::wire::Invalid, description = "A wrong `current_password`, a weak `password`, a `password_confirmation` that differs, a blank `name`"),
        (status = 429, body = domain::wire::Failure, description = "Too many wrong current passwords from this address"),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    current: CurrentUser,
    client: ClientAddr,
    Wrapped(params): Wrapped<ProfileParams>,
) -> Result<Json<Profile>, ApiError> {
    let user = &current.user;
    if let Some(email) = params.email.as_deref() {
        if !email.trim().eq_ignore_ascii_case(&user.email) {
            return Err(
                DomainError::invalid("email", "Changing the e-mail is not supported").into(),
            );
        }
    }
    let changes = ProfileChanges {
        name: params
            .name
            .as_deref()
            .map(|name| validate::required("name", Some(name), validate::MAX_SHORT_TEXT))
            .transpose()?,
        display_name: params
            .display_name
            .as_deref()
            .map(|name| validate::optional("display_name", Some(name), validate::MAX_SHORT_TEXT))
            .transpose()?,
    };
    if let Some(password) = params.password.as_deref().filter(|p| !p.is_empty()) {
        // A wrong current password is a password guess: counted as a failed sign-in.
        let throttle = SignInThrottle::new(&client, &user.email);
        throttle.check(&state).await?;
        let change = PasswordChange {
            current_password: params.current_password.as_deref(),
            password,
            password_confirmation: params.password_confirmation.as_deref(),
        };
        let changed = state
            .store
            .users()
            .change_password(user, change, current.session_secret())
            .await;
        match changed {
            Err(StoreError::Invalid(error))
                if error.attributes.iter().any(|a| a == "current_password") =>
            {
                throttle.failed(&state).await?;
                return Err(ApiError::Invalid(error));
            }
            other => other?,
        }
    }
    let user = state
        .store
        .users()
        .update_profile(user.id, &changes)
        .await?;
    let token = current.access_token.as_deref();
    Ok(Json(profile(&state.store, &user, token).await?))
}

/// `POST /api/v1/profile/reset_access_token`: a new API token, the old one refused from now
/// on; the answer is the profile carrying the new token (Chatwoot renders the same).
#[utoipa::path(
    post,
    path = "/api/v1/profile/reset_access_token",
    tag = "auth",
    responses((status = 200, body = Profile, description = "The profile, with the new `access_token`"))
)]
pub async fn reset_access_token(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<Profile>, ApiError> {
    let token = state
        .store
        .users()
        .reset_access_token(current.user.id)
        .await?;
    Ok(Json(
        profile(&state.store, &current.user, Some(&token)).await?,
    ))
}
