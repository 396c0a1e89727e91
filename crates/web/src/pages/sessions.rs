//! Signing in and out of the pages: a form posting e-mail and password, a session cookie
//! (HttpOnly, SameSite=Lax, Secure over https) and its CSRF token.
//!
//! The login form itself is protected by a double-submit token: each rendering of the form
//! carries a fresh random token in a hidden field and in a cookie (HttpOnly, SameSite=Strict,
//! `__Host-` prefixed over https so no other host of the domain can plant it); a post whose
//! field and cookie differ is refused before the password is looked at. Another site can then
//! not sign a browser in to an account of its choosing (login CSRF).

use crate::auth::{cookie_session, SESSION_COOKIE};
use crate::config::ClientAddr;
use crate::error::{ApiError, PageError};
use crate::pages::render;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub email: String,
    pub error: Option<String>,
    /// The double-submit token, also set in the login cookie.
    pub login_token: String,
}

/// The login form's double-submit cookie over plain http.
pub const LOGIN_COOKIE: &str = "switchboard_login";
/// … and over https, where the `__Host-` prefix makes browsers accept it only `Secure`, for
/// `Path=/` and without a `Domain`: a sibling host cannot set it for us.
pub const LOGIN_COOKIE_HTTPS: &str = "__Host-switchboard_login";

fn login_cookie_name(https: bool) -> &'static str {
    if https {
        LOGIN_COOKIE_HTTPS
    } else {
        LOGIN_COOKIE
    }
}

/// The login form with `status`, a fresh double-submit token in it and in the cookie.
fn login_form(
    state: &AppState,
    headers: &HeaderMap,
    jar: CookieJar,
    status: StatusCode,
    email: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    let https = state.config.is_https_request(headers);
    let login_token = domain::password::random_token(32);
    let cookie = Cookie::build((login_cookie_name(https), login_token.clone()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(https)
        .build();
    let page = LoginPage {
        email,
        error,
        login_token,
    };
    Ok((status, jar.add(cookie), render(&page)?).into_response())
}

/// `/` and `/app`: the first account's conversations, or sign-in.
pub async fn root(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Redirect, PageError> {
    home(&state, &headers).await
}

async fn home(state: &AppState, headers: &HeaderMap) -> Result<Redirect, PageError> {
    let session = cookie_session(headers, state)
        .await
        .map_err(|_| PageError::Internal("session lookup failed".into()))?;
    let Some(session) = session else {
        return Ok(Redirect::to("/app/login"));
    };
    Ok(Redirect::to(&landing(state, &session.user).await?))
}

/// Where a signed-in user lands: their pending invitations while any wait (or while they
/// belong to no account), else their first account's conversations.
async fn landing(state: &AppState, user: &domain::User) -> Result<String, PageError> {
    let invited = !state.store.invitations().pending(user.id).await?.is_empty();
    let accounts = state.store.users().memberships(user.id).await?;
    Ok(match accounts.first() {
        Some((account, _)) if !invited => format!("/app/accounts/{}/conversations", account.id),
        _ => "/app/invitations".to_owned(),
    })
}

/// `GET /app/login`: the form, with its double-submit token.
pub async fn new(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if cookie_session(&headers, &state)
        .await
        .ok()
        .flatten()
        .is_some()
    {
        return Ok(home(&state, &headers).await?.into_response());
    }
    login_form(&state, &headers, jar, StatusCode::OK, String::new(), None)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    /// The double-submit token from the form's hidden field.
    #[serde(default)]
    login_token: String,
}

/// `POST /app/login`: on success a session cookie (`Secure` when the request came over https)
/// and a redirect to the account. Without the form's token matching its cookie: 403 and the
/// form again, the password unchecked and uncounted.
pub async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    client: ClientAddr,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let failed = |status: StatusCode, message: &str| -> Result<Response, PageError> {
        login_form(
            &state,
            &headers,
            jar.clone(),
            status,
            form.email.clone(),
            Some(message.to_owned()),
        )
    };
    let https = state.config.is_https_request(&headers);
    let cookie_name = login_cookie_name(https);
    let cookie_token = jar.get(cookie_name).map(|c| c.value().to_owned());
    if form.login_token.is_empty()
        || !crate::auth::csrf_matches(cookie_token.as_deref(), &form.login_token)
    {
        return failed(
            StatusCode::FORBIDDEN,
            "Your sign-in form had expired. Please try again.",
        );
    }
    let checked =
        crate::api::auth::check_password(&state, &client, Some(&form.email), Some(&form.password))
            .await;
    let user = match checked {
        Ok(user) => user,
        Err(ApiError::TooManyRequests(throttled)) => {
            let minutes = (throttled.retry_after + 59) / 60;
            let mut page = failed(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("Too many failed attempts. Try again in {minutes} minute(s)."),
            )?;
            page.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(throttled.retry_after.max(1)),
            );
            return Ok(page);
        }
        Err(ApiError::Unauthorized(_)) => {
            return failed(
                StatusCode::UNAUTHORIZED,
                "That e-mail and password don't match an account.",
            )
        }
        Err(other) => return Err(PageError::Internal(other.to_string())),
    };
    let session = state.store.users().create_session(&user).await?;
    let cookie = Cookie::build((SESSION_COOKIE, session.id))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(https)
        .build();
    let target = landing(&state, &user).await?;
    let jar = jar
        .remove(Cookie::build(cookie_name).path("/").secure(https).build())
        .add(cookie);
    Ok((jar, Redirect::to(&target)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    csrf_token: String,
}

/// `POST /app/logout`: ends the session (the form carries its CSRF token).
pub async fn destroy(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Result<Response, PageError> {
    if let Some(session) = cookie_session(&headers, &state).await.ok().flatten() {
        if !crate::auth::csrf_matches(Some(&form.csrf_token), &session.csrf_token) {
            return Err(PageError::Forbidden);
        }
        state.store.users().delete_session(&session.id).await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/").build());
    Ok((jar, Redirect::to("/app/login")).into_response())
}
