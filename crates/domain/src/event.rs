//! What happened, as Chatwoot names it. Stores return events beside the value they wrote; the bus
//! fans them out after commit (to `/cable`, webhooks and live dashboard-app context).

use crate::{AccountId, ContactId, ConversationId, InboxId, MessageId, UserId};
use serde::{Deserialize, Serialize};

/// Small on purpose (ids only): it crosses instances in a PostgreSQL NOTIFY payload, and each
/// receiver loads what it renders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum Event {
    MessageCreated {
        account_id: AccountId,
        inbox_id: InboxId,
        conversation_id: ConversationId,
        message_id: MessageId,
    },
    /// A message changed (Chatwoot: deleted, or its status or attributes updated).
    MessageUpdated {
        account_id: AccountId,
        inbox_id: InboxId,
        conversation_id: ConversationId,
        message_id: MessageId,
    },
    ConversationCreated {
        account_id: AccountId,
        inbox_id: InboxId,
        conversation_id: ConversationId,
    },
    ConversationStatusChanged {
        account_id: AccountId,
        inbox_id: InboxId,
        conversation_id: ConversationId,
    },
    ConversationUpdated {
        account_id: AccountId,
        inbox_id: InboxId,
        conversation_id: ConversationId,
    },
    ConversationRead {
        account_id: AccountId,
        inbox_id: InboxId,
        conversation_id: ConversationId,
    },
    AssigneeChanged {
        account_id: AccountId,
        inbox_id: InboxId,
        conversation_id: ConversationId,
    },
    /// The conversation's team changed (Chatwoot's `TEAM_CHANGED`, sent over `/cable` beside
    /// `conversation.updated`; webhooks carry only the latter).
    TeamChanged {
        account_id: AccountId,
        inbox_id: InboxId,
        conversation_id: ConversationId,
    },
    ContactUpdated {
        account_id: AccountId,
        contact_id: ContactId,
    },
    /// The conversation now belongs to another contact (a merge moved it).
    ConversationContactChanged {
        account_id: AccountId,
        inbox_id: InboxId,
        conversation_id: ConversationId,
    },
    /// The account's custom attribute definitions changed (one was added, edited or deleted).
    /// Ours: over `/cable` only, so open dashboard apps get the new definitions in their context.
    CustomAttributeDefinitionsChanged { account_id: AccountId },
    /// An agent was removed from the account; their conversations there were unassigned in
    /// the same write. Ours: Chatwoot announces neither this nor [`Event::InboxDeleted`], but
    /// other instances' caches and open lists must follow, and only the log reaches them.
    AgentRemoved {
        account_id: AccountId,
        user_id: UserId,
    },
    /// An inbox was deleted with its conversations. Ours (see [`Event::AgentRemoved`]).
    InboxDeleted {
        account_id: AccountId,
        inbox_id: InboxId,
    },
    /// Someone started or stopped typing (`is_private`: an agent, in a private note). Not
    /// stored.
    Typing {
        account_id: AccountId,
        inbox_id: InboxId,
        conversation_id: ConversationId,
        typist: Typist,
        on: bool,
        is_private: bool,
    },
}

/// Who is typing: an agent in the dashboard, or the conversation's contact through the Client
/// API (Chatwoot dispatches both with the typist as the event's `user`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Typist {
    User(UserId),
    Contact(ContactId),
}

impl Event {
    /// Chatwoot's event name: the one place these strings are spelled.
    pub fn name(&self) -> &'static str {
        match self {
            Event::MessageCreated { .. } => "message.created",
            Event::MessageUpdated { .. } => "message.updated",
            Event::ConversationCreated { .. } => "conversation.created",
            Event::ConversationStatusChanged { .. } => "conversation.status_changed",
            Event::ConversationUpdated { .. } => "conversation.updated",
            Event::ConversationRead { .. } => "conversation.read",
            Event::AssigneeChanged { .. } => "assignee.changed",
            Event::TeamChanged { .. } => "team.changed",
            Event::ContactUpdated { .. } => "contact.updated",
            Event::ConversationContactChanged { .. } => "conversation.contact_changed",
            Event::CustomAttributeDefinitionsChanged { .. } => {
                "custom_attribute_definitions.changed"
            }
            Event::AgentRemoved { .. } => "agent.removed",
            Event::InboxDeleted { .. } => "inbox.deleted",
            Event::Typing { on: true, .. } => "conversation.typing_on",
            Event::Typing { on: false, .. } => "conversation.typing_off",
        }
    }

    /// The conversation the event concerns (`None`: account-wide, a contact's).
    pub fn conversation_id(&self) -> Option<ConversationId> {
        match self {
            Event::MessageCreated {
                conversation_id, ..
            }
            | Event::MessageUpdated {
                conversation_id, ..
            }
            | Event::ConversationCreated {
                conversation_id, ..
            }
            | Event::ConversationStatusChanged {
                conversation_id, ..
            }
            | Event::ConversationUpdated {
                conversation_id, ..
            }
            | Event::ConversationRead {
                conversation_id, ..
            }
            | Event::AssigneeChanged {
                conversation_id, ..
            }
            | Event::TeamChanged {
                conversation_id, ..
            }
            | Event::ConversationContactChanged {
                conversation_id, ..
            }
            | Event::Typing {
                conversation_id, ..
            } => Some(*conversation_id),
            Event::ContactUpdated { .. }
            | Event::CustomAttributeDefinitionsChanged { .. }
            | Event::AgentRemoved { .. }
            | Event::InboxDeleted { .. } => None,
        }
    }

    /// The inbox of the conversation the event concerns (`None`: account-wide, a contact's).
    /// Who may hear of it follows from it: its members and the administrators.
    pub fn inbox_id(&self) -> Option<InboxId> {
        match self {
            Event::MessageCreated { inbox_id, .. }
            | Event::MessageUpdated { inbox_id, .. }
            | Event::ConversationCreated { inbox_id, .. }
            | Event::ConversationStatusChanged { inbox_id, .. }
            | Event::ConversationUpdated { inbox_id, .. }
            | Event::ConversationRead { inbox_id, .. }
            | Event::AssigneeChanged { inbox_id, .. }
            | Event::TeamChanged { inbox_id, .. }
            | Event::ConversationContactChanged { inbox_id, .. }
            | Event::Typing { inbox_id, .. } => Some(*inbox_id),
            // The deleted inbox has no members left: every agent of the account hears of it.
            Event::ContactUpdated { .. }
            | Event::CustomAttributeDefinitionsChanged { .. }
            | Event::AgentRemoved { .. }
            | Event::InboxDeleted { .. } => None,
        }
    }

    pub fn account_id(&self) -> AccountId {
        match self {
            Event::MessageCreated { account_id, .. }
            | Event::MessageUpdated { account_id, .. }
            | Event::ConversationCreated { account_id, .. }
            | Event::ConversationStatusChanged { account_id, .. }
            | Event::ConversationUpdated { account_id, .. }
            | Event::ConversationRead { account_id, .. }
            | Event::AssigneeChanged { account_id, .. }
            | Event::TeamChanged { account_id, .. }
            | Event::ContactUpdated { account_id, .. }
            | Event::ConversationContactChanged { account_id, .. }
            | Event::CustomAttributeDefinitionsChanged { account_id }
            | Event::AgentRemoved { account_id, .. }
            | Event::InboxDeleted { account_id, .. }
            | Event::Typing { account_id, .. } => *account_id,
        }
    }
}
