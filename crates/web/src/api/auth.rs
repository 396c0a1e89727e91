//! `POST /auth/sign_in`, `DELETE /auth/sign_out` and `GET /api/v1/profile`, in Chatwoot's shapes
//! (`devise_overrides/sessions_controller.rb`, `api/v1/models/_user.json.jbuilder`).

use crate::auth::{CurrentUser, SESSION_COOKIE};
use crate::config::ClientAddr;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::throttle::SignInThrottle;
use axum::extract::State;
use axum::Json;
use axum_extra::extract::cookie::{Cookie, CookieJar};
use domain::wire::{Data, Profile, ProfileAccount, SignedOut};
use domain::User;
use serde::Deserialize;
use store::{Store, StoreError};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SignInParams {
    email: Option<String>,
    password: Option<String>,
}

/// `POST /auth/sign_in`: `{"data": profile}` with an access token, or 401. The token is a new
/// API session's secret (the user's own API token is stored hashed and cannot be handed out
/// again): it authenticates `api_access_token` like the user's token until
/// `DELETE /auth/sign_out` ends it, as devise_token_auth's per-client token does in Chatwoot.
#[utoipa::path(
    post,
    path = "/auth/sign_in",
    tag = "auth",
    security(()),
    request_body = SignInParams,
    responses(
        (status = 200, body = Data<Profile>, description = "The profile, with `access_token`"),
        (status = 401, body = domain::wire::Failure, description = "Wrong e-mail or password"),
        (status = 429, body = domain::wire::Failure, description = "Too many failures from this address, or for this e-mail from it; `Retry-After` says when to try again"),
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    client: ClientAddr,
    JsonBody(params): JsonBody<SignInParams>,
) -> Result<Json<Data<Profile>>, ApiError> {
    let user = check_password(
        &state,
        &client,
        params.email.as_deref(),
        params.password.as_deref(),
    )
    .await?;
    let token = state.store.users().create_api_session(&user).await?;
    Ok(Json(Data {
        data: profile(&state.store, &user, Some(&token)).await?,
    }))
}

/// Verifies e-mail and password, counting failures per client address and per address and
/// e-mail (`throttle::SignInThrottle`): 429 once either has used up its budget.
pub async fn check_password(
    state: &AppState,
    client: &ClientAddr,
    email: Option<&str>,
    password: Option<&str>,
) -> Result<User, ApiError> {
    let email = email.map(str::trim).unwrap_or_default();
    let password = password.unwrap_or_default();
    let throttle = SignInThrottle::new(client, email);
    throttle.check(state).await?;
    // No stored e-mail or password holds a NUL, and PostgreSQL refuses one in a parameter.
    let lookup = if email.contains('\0') || password.contains('\0') {
        Err(StoreError::NotFound)
    } else {
        state.store.users().authenticate(email, password).await
    };
    match lookup {
        Ok(user) => {
            throttle.succeeded(state).await?;
            Ok(user)
        }
        Err(StoreError::NotFound) => {
            throttle.failed(state).await?;
            Err(ApiError::Unauthorized(
                "Invalid login credentials. Please try again.",
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// `DELETE /auth/sign_out`: ends the session the request was made in, server-side (a
/// replayed cookie or API session secret no longer works). A user's API token is no session
/// and stays valid, as Chatwoot's `api_access_token` outlives devise_token_auth's sign-out;
/// rotate it with `POST /api/v1/profile/reset_access_token`.
#[utoipa::path(
    delete,
    path = "/auth/sign_out",
    tag = "auth",
    responses((status = 200, body = SignedOut))
)]
pub async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    current: CurrentUser,
) -> Result<(CookieJar, Json<SignedOut>), ApiError> {
    let users = state.store.users();
    if let Some(token) = &current.access_token {
        users.delete_api_session(token).await?;
    }
    let mut jar = jar;
    if let Some(session) = &current.session {
        users.delete_session(&session.id).await?;
        jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/").build());
    }
    Ok((jar, Json(SignedOut { success: true })))
}

/// `GET /api/v1/profile`.
#[utoipa::path(
    get,
    path = "/api/v1/profile",
    tag = "auth",
    responses((status = 200, body = Profile))
)]
pub async fn profile_show(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<Profile>, ApiError> {
    let token = current.access_token.as_deref();
    Ok(Json(profile(&state.store, &current.user, token).await?))
}

/// The user's profile, with `access_token` when the caller knows it (see `Profile`).
pub(crate) async fn profile(
    store: &Store,
    user: &User,
    access_token: Option<&str>,
) -> Result<Profile, ApiError> {
    let memberships = store.users().as_agent_everywhere(user.id).await?;
    let accounts = store
        .users()
        .memberships(user.id)
        .await?
        .iter()
        .filter_map(|(account, _)| {
            let membership = memberships.iter().find(|m| m.account_id == account.id)?;
            Some(ProfileAccount::new(account, membership))
        })
        .collect();
    Ok(Profile::new(user, access_token, accounts))
}
