//! Which of an account's conversations a member may see (Chatwoot's `Conversations::PermissionFilterService`):
//! administrators every one, agents those of the inboxes they are members of. Computed once
//! per request by the store (`Users::member`), carried on the `Member`, and taken by every
//! query that lists or finds conversations, so no handler decides it on its own.

use crate::{DomainError, InboxId};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// An administrator: every inbox of the account.
    All,
    /// An agent: these inboxes only (sorted, no duplicates; empty when they belong to none).
    Inboxes(Vec<InboxId>),
}

impl Scope {
    /// An agent's scope over `inboxes`, in one canonical order (so equal scopes compare and
    /// hash equal, e.g. as a counts-cache key).
    pub fn inboxes(mut inboxes: Vec<InboxId>) -> Self {
        inboxes.sort_unstable_by_key(|id| id.get());
        inboxes.dedup();
        Scope::Inboxes(inboxes)
    }

    /// Whether a conversation or inbox of `inbox` is within the scope.
    pub fn allows(&self, inbox: InboxId) -> bool {
        match self {
            Scope::All => true,
            Scope::Inboxes(ids) => ids.contains(&inbox),
        }
    }

    /// A write naming `inbox` (a new conversation, a contact's new inbox): an inbox outside
    /// the scope is refused as one that does not exist, naming `inbox_id`.
    pub fn require_inbox(&self, inbox: InboxId) -> Result<(), DomainError> {
        if self.allows(inbox) {
            Ok(())
        } else {
            Err(DomainError::invalid("inbox_id", "Inbox does not exist"))
        }
    }

    /// The inboxes the scope is limited to; `None` for every inbox.
    pub fn limited_to(&self) -> Option<&[InboxId]> {
        match self {
            Scope::All => None,
            Scope::Inboxes(ids) => Some(ids),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agent_sees_only_their_inboxes_and_an_administrator_all() {
        let agent = Scope::inboxes(vec![InboxId(3), InboxId(1), InboxId(3)]);
        assert_eq!(agent, Scope::Inboxes(vec![InboxId(1), InboxId(3)]));
        assert!(agent.allows(InboxId(1)));
        assert!(!agent.allows(InboxId(2)));
        assert!(!Scope::inboxes(Vec::new()).allows(InboxId(1)));
        assert!(Scope::All.allows(InboxId(2)));
        assert_eq!(Scope::All.limited_to(), None);
    }
}
