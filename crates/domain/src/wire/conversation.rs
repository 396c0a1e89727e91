//! `api/v1/conversations/partials/_conversation.json.jbuilder`, plus the two fields Chatwoot's
//! front-end store adds before handing a conversation to dashboard apps (`allMessagesLoaded`,
//! `dataFetched`), so API and app context share one shape.

use super::{Agent, Contact, Message, Team};
use crate::{ContactPresence, ConversationView};
use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ConversationMeta {
    pub sender: Contact,
    pub channel: String,
    /// Absent, not null, when nobody is assigned (as Chatwoot's `if conversation.assignee`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Agent>,
    /// Absent, not null, without a team (as Chatwoot's `if conversation.team.present?`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<Team>,
    pub hmac_verified: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Conversation {
    pub meta: ConversationMeta,
    /// The per-account display id.
    pub id: i64,
    pub messages: Vec<Message>,
    pub account_id: i64,
    pub uuid: String,
    pub additional_attributes: Map<String, Value>,
    pub agent_last_seen_at: i64,
    pub assignee_last_seen_at: i64,
    pub can_reply: bool,
    pub contact_last_seen_at: i64,
    pub custom_attributes: Map<String, Value>,
    pub inbox_id: i64,
    pub labels: Vec<String>,
    pub muted: bool,
    pub snoozed_until: Option<String>,
    pub status: &'static str,
    pub created_at: i64,
    pub timestamp: i64,
    pub last_activity_at: i64,
    pub first_reply_created_at: Option<i64>,
    /// `urgent`, `high`, `medium`, `low` or null.
    pub priority: Option<&'static str>,
    pub waiting_since: Option<i64>,
    pub unread_count: i64,
    pub last_non_activity_message: Option<Message>,
    #[serde(rename = "allMessagesLoaded")]
    pub all_messages_loaded: bool,
    #[serde(rename = "dataFetched")]
    pub data_fetched: bool,
}

impl Conversation {
    /// `presence` says whether `meta.sender` is online.
    pub fn new(view: &ConversationView, presence: &dyn ContactPresence) -> Self {
        let c = &view.conversation;
        let messages = Message::thread(view);
        let last_non_activity_message = view
            .messages
            .iter()
            .rev()
            .find(|m| m.message_type != crate::MessageType::Activity)
            .map(|m| Message::new(m, c));
        Self {
            meta: ConversationMeta {
                sender: Contact::new(&view.contact, presence),
                channel: view.channel_type.clone(),
                assignee: view.assignee.as_ref().map(Agent::from),
                team: view.team.as_ref().map(|t| Team::new(t, false)),
                hmac_verified: view.hmac_verified,
            },
            id: c.display_id.get(),
            messages,
            account_id: c.account_id.get(),
            uuid: c.uuid.clone(),
            additional_attributes: c.additional_attributes.clone(),
            agent_last_seen_at: c.agent_last_seen_at,
            assignee_last_seen_at: c.assignee_last_seen_at,
            can_reply: true,
            contact_last_seen_at: c.contact_last_seen_at,
            custom_attributes: c.custom_attributes.clone(),
            inbox_id: c.inbox_id.get(),
            labels: c.labels.clone(),
            muted: c.muted,
            snoozed_until: c.snoozed_until.map(crate::time::iso8601),
            status: c.status.as_str(),
            created_at: c.created_at,
            timestamp: c.last_activity_at,
            last_activity_at: c.last_activity_at,
            first_reply_created_at: None,
            priority: c.priority.map(crate::Priority::as_str),
            waiting_since: None,
            unread_count: view.unread_count,
            last_non_activity_message,
            all_messages_loaded: view.all_messages_loaded,
            data_fetched: true,
        }
    }
}
