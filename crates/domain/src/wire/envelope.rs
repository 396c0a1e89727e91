//! The Application API's envelopes and list metas, as Chatwoot's jbuilder views wrap their
//! resources: `{"payload": …}`, `{"meta": …, "payload": …}` (contacts, messages, the
//! conversation filter), `{"data": {"meta": …, "payload": …}}` (the conversation list),
//! `{"data": …}` (devise_token_auth), `{"payload": {"webhooks": […]}}` and the small answers of
//! single actions. The handlers in `web` only fill them in.
//!
//! The names are the OpenAPI document's component names, which clients generated from it use.

use super::{
    Agent, Contact, ContactInbox, ContactWithInboxes, Conversation, Message, Team, Webhook,
};
use serde::Serialize;
use serde_json::{Map, Value};

/// `{"payload": …}`, Chatwoot's usual envelope.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Payload<T> {
    pub payload: T,
}

/// `{"data": …}`: devise_token_auth's envelope (`POST /auth/sign_in`).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Data<T> {
    pub data: T,
}

/// The conversation list's counts (`conversations/index.json.jbuilder`'s `meta`), for the
/// same filters as the list but every assignee.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ConversationListMeta {
    pub mine_count: i64,
    pub assigned_count: i64,
    pub unassigned_count: i64,
    pub all_count: i64,
}

impl From<crate::ConversationCounts> for ConversationListMeta {
    fn from(counts: crate::ConversationCounts) -> Self {
        Self {
            mine_count: counts.mine,
            assigned_count: counts.assigned,
            unassigned_count: counts.unassigned,
            all_count: counts.all,
        }
    }
}

/// `GET /conversations`: `{"data": {"meta": counts, "payload": [conversation…]}}`.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ConversationList {
    pub data: ConversationListData,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ConversationListData {
    /// Absent when the request asked `counts=false` (ours).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<ConversationListMeta>,
    #[schema(value_type = Vec<Conversation>)]
    pub payload: crate::ListedPayload,
}

/// `POST /conversations/filter` (`conversations/filter.json.jbuilder`): the page and the
/// counts of everything the filter matches, not nested in `data`.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ConversationFilterResult {
    pub meta: ConversationListMeta,
    #[schema(value_type = Vec<Conversation>)]
    pub payload: crate::ListedPayload,
}

/// `GET /conversations/meta` (`conversations/meta.json.jbuilder`): the counts alone, under a
/// top-level `meta`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ConversationMetaCounts {
    pub meta: ConversationListMeta,
}

/// `POST /conversations/{id}/toggle_status` (`conversations/toggle_status.json.jbuilder`):
/// `{"meta": {}, "payload": …}`.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Toggled {
    pub meta: Map<String, Value>,
    pub payload: ToggleResult,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ToggleResult {
    pub success: bool,
    pub current_status: &'static str,
    /// The display id.
    pub conversation_id: i64,
    /// ISO-8601, or null when not snoozed.
    pub snoozed_until: Option<String>,
}

/// `POST /conversations/{id}/custom_attributes`: the conversation's attributes after the write.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct CustomAttributes {
    pub custom_attributes: Map<String, Value>,
}

/// What `POST …/assignments` answers: the agent when `assignee_id` was given, else the team
/// (either may be `null`, written as `Option<Assignee>`).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Assignee {
    Agent(Agent),
    Team(Team),
}

/// `GET /conversations/{id}/messages` (`messages/index.json.jbuilder`): the conversation's
/// `meta` beside a page of its thread.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct MessageList {
    pub meta: MessageListMeta,
    pub payload: Vec<Message>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct MessageListMeta {
    pub labels: Vec<String>,
    pub additional_attributes: Map<String, Value>,
    pub contact: Contact,
    pub assignee: Option<Agent>,
    pub agent_last_seen_at: i64,
    pub assignee_last_seen_at: i64,
}

/// `contacts/index`, `search` and `filter.json.jbuilder`: a page of contacts, each with its
/// `contact_inboxes[]` unless the caller asked `include_contact_inboxes=false`.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ContactList {
    pub meta: ContactListMeta,
    pub payload: Vec<ContactWithInboxes>,
}

/// How many contacts match in all, and which page this is.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ContactListMeta {
    pub count: i64,
    pub current_page: i64,
}

/// `POST /contacts` (`contacts/create.json.jbuilder`), inside `payload`: the contact and, when
/// the request named an inbox, its contact inbox there.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct CreatedContact {
    pub contact: Contact,
    pub contact_inbox: Option<ContactInbox>,
}

/// `GET /webhooks` (`webhooks/index.json.jbuilder`), inside `payload`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct WebhookList {
    pub webhooks: Vec<Webhook>,
}

/// `POST` / `PATCH /webhooks` (`webhooks/create.json.jbuilder`), inside `payload`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct OneWebhook {
    pub webhook: Webhook,
}

/// `DELETE /auth/sign_out` (devise_token_auth's `render_destroy_success`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct SignedOut {
    pub success: bool,
}

/// `DELETE /inboxes/{id}`: Chatwoot's answer (its deletion is a background job; ours is not).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct InboxDeleted {
    pub message: &'static str,
}
