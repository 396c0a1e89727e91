//! One newtype per id, so an account id can never be passed where a conversation id is meant.
//! Chatwoot's per-account conversation number is its own type, `DisplayId`.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    AccountId,
    UserId,
    InboxId,
    ContactId,
    ContactInboxId,
    /// The database id of a conversation; never shown on the wire.
    ConversationId,
    /// Chatwoot's per-account conversation number: what `conversation.id` means on the wire.
    DisplayId,
    MessageId,
    AttachmentId,
    LabelId,
    DashboardAppId,
    TeamId,
    CannedResponseId,
    CustomAttributeDefinitionId,
    ContactNoteId,
);
