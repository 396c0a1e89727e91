//! `/app/invitations`: the signed-in user's pending invitations into other accounts, each
//! accepted (a membership with the invited role) or declined. Sign-in lands here while any is
//! pending. Needs a session but no account: a user invited before belonging anywhere sees it.

use super::render;
use crate::auth::{cookie_session, csrf_matches};
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::{Account, Role};
use serde::Deserialize;
use store::{Invitation, Session};

#[derive(Template)]
#[template(path = "invitations.html")]
pub struct InvitationsPage {
    pub invitations: Vec<Invitation>,
    pub accounts: Vec<(Account, Role)>,
    pub csrf_token: String,
}

async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Session, PageError> {
    cookie_session(headers, state)
        .await
        .map_err(|error| PageError::Internal(error.to_string()))?
        .ok_or(PageError::SignIn)
}

/// `GET /app/invitations`.
pub async fn index(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let session = signed_in(&state, &headers).await?;
    let user_id = session.user.id;
    let page = InvitationsPage {
        invitations: state.store.invitations().pending(user_id).await?,
        accounts: state.store.users().memberships(user_id).await?,
        csrf_token: session.csrf_token,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    csrf_token: String,
}

/// Who answers which invitation: the signed-in user, with their session's CSRF token in the
/// form, and the path's invitation id (anything else is no invitation).
async fn answering(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    form: &AnswerForm,
) -> Result<(Session, i64), PageError> {
    let session = signed_in(state, headers).await?;
    if !csrf_matches(Some(&form.csrf_token), &session.csrf_token) {
        return Err(PageError::Forbidden);
    }
    let id = id
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(PageError::NotFound)?;
    Ok((session, id))
}

/// `POST /app/invitations/{id}/accept`: joins the account and opens it. Another user's
/// invitation is a 404, as an unknown one.
pub async fn accept(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, PageError> {
    let (session, id) = answering(&state, &headers, &id, &form).await?;
    let account_id = state
        .store
        .invitations()
        .accept(session.user.id, id)
        .await?;
    let target = format!("/app/accounts/{account_id}/conversations");
    Ok(Redirect::to(&target).into_response())
}

/// `POST /app/invitations/{id}/decline`: the invitation goes; back to the list.
pub async fn decline(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, PageError> {
    let (session, id) = answering(&state, &headers, &id, &form).await?;
    state
        .store
        .invitations()
        .decline(session.user.id, id)
        .await?;
    Ok(Redirect::to("/app/invitations").into_response())
}
