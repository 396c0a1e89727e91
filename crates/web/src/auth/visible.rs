//! Conversations in signatures: a handler that takes a `VisibleConversation` runs only for a
//! conversation of the path's `{account_id}` and `{display_id}` that the member may see (an
//! administrator any, an agent those of their inboxes, `domain::Scope`). Any other, whether
//! it exists or not, is Chatwoot's 404, so a non-member cannot learn that it exists. Handlers
//! never look a conversation up by its path themselves, so a new one cannot forget the check.

use super::{path_param, PageMember};
use crate::error::{ApiError, PageError};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::{ConversationView, DisplayId, Member, Scope};
use store::StoreError;

/// A conversation the member may see, with its thread.
pub struct VisibleConversation {
    pub member: Member,
    pub view: ConversationView,
}

/// The same without its thread (its columns and contact), for handlers that only change it or
/// add to it.
pub struct VisibleConversationHead {
    pub member: Member,
    pub view: ConversationView,
}

/// A conversation page's conversation, with its thread; anything else is the 404 page.
pub struct PageVisibleConversation {
    pub page: PageMember,
    pub view: ConversationView,
}

/// How much of the conversation to read.
#[derive(Clone, Copy)]
enum Read {
    WithThread,
    Head,
}

/// The conversation `{display_id}` of `member`'s account, if their scope allows it.
async fn visible(
    parts: &mut Parts,
    state: &AppState,
    member: &Member,
    read: Read,
) -> Result<ConversationView, StoreError> {
    let display_id = path_param(parts, state, "display_id")
        .await
        .and_then(|text| text.parse::<i64>().ok())
        .filter(|id| *id > 0)
        .map(DisplayId)
        .ok_or(StoreError::NotFound)?;
    let conversations = state.store.conversations();
    let view = match read {
        Read::WithThread => conversations.find(member.account_id, display_id).await?,
        Read::Head => {
            conversations
                .find_without_thread(member.account_id, display_id)
                .await?
        }
    };
    within(&member.scope, view)
}

/// `view` when `scope` allows its inbox, else `NotFound` (as a missing one).
pub fn within(scope: &Scope, view: ConversationView) -> Result<ConversationView, StoreError> {
    if scope.allows(view.conversation.inbox_id) {
        Ok(view)
    } else {
        Err(StoreError::NotFound)
    }
}

impl FromRequestParts<AppState> for VisibleConversation {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let member = Member::from_request_parts(parts, state).await?;
        let view = visible(parts, state, &member, Read::WithThread).await?;
        Ok(Self { member, view })
    }
}

impl FromRequestParts<AppState> for VisibleConversationHead {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let member = Member::from_request_parts(parts, state).await?;
        let view = visible(parts, state, &member, Read::Head).await?;
        Ok(Self { member, view })
    }
}

impl FromRequestParts<AppState> for PageVisibleConversation {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let page = PageMember::from_request_parts(parts, state).await?;
        let view = visible(parts, state, &page.member, Read::WithThread).await?;
        Ok(Self { page, view })
    }
}
