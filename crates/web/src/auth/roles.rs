//! Roles in signatures: `Admin` is a `Member` who is an administrator of the path's account,
//! `PageAdmin` the same for pages. A handler that takes one cannot run for an agent, so the
//! role is stated where the route's handler is declared, not checked somewhere in its body.
//!
//! Which actions are administrators' follows Chatwoot's policies (`app/policies/*_policy.rb`):
//! inboxes, agents, labels, webhooks and dashboard apps are managed by administrators, and
//! deleting a contact (which takes its conversations and messages with it) is theirs too
//! (`ContactPolicy#destroy?`).

use super::PageMember;
use crate::error::{ApiError, PageError};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::Member;
use std::ops::Deref;

/// An administrator of the path's `{account_id}`: an agent gets Chatwoot's 401
/// (`{"error": "You are not authorized to do this action"}`), a non-member the member check's.
pub struct Admin(pub Member);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let member = Member::from_request_parts(parts, state).await?;
        if member.is_admin() {
            Ok(Admin(member))
        } else {
            Err(ApiError::forbidden())
        }
    }
}

impl Deref for Admin {
    type Target = Member;

    fn deref(&self) -> &Member {
        &self.0
    }
}

/// An administrator browsing a settings page of their account; an agent gets the 403 page.
pub struct PageAdmin(pub PageMember);

impl FromRequestParts<AppState> for PageAdmin {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let page = PageMember::from_request_parts(parts, state).await?;
        if page.member.is_admin() {
            Ok(PageAdmin(page))
        } else {
            Err(PageError::Forbidden)
        }
    }
}

impl Deref for PageAdmin {
    type Target = PageMember;

    fn deref(&self) -> &PageMember {
        &self.0
    }
}
