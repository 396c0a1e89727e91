//! Notes agents keep on a contact (Chatwoot's `Note`: content, the contact, and the user who
//! wrote it). Every member of the account may read, add, edit and delete any note of a
//! contact: Chatwoot's `Contacts::NotesController` authorizes nothing beyond membership.

use crate::{validate, AccountId, Agent, ContactId, ContactNoteId, DomainError};

/// The longest note we accept (a message body's limit).
pub const MAX_CONTENT: usize = validate::MAX_MESSAGE;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactNote {
    pub id: ContactNoteId,
    pub account_id: AccountId,
    pub contact_id: ContactId,
    pub content: String,
    /// Who wrote it, as the account sees them; `None` once they are no longer a member (or
    /// their user is gone), when Chatwoot's view leaves `user` out too.
    pub author: Option<Agent>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A note's text, checked: present (Chatwoot's `validates :content, presence: true`) and no
/// longer than [`MAX_CONTENT`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteContent(String);

impl NoteContent {
    pub fn validate(content: Option<&str>) -> Result<Self, DomainError> {
        validate::required("content", content, MAX_CONTENT).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_required_and_trimmed() {
        assert_eq!(
            NoteContent::validate(Some("  Prefers e-mail "))
                .unwrap()
                .as_str(),
            "Prefers e-mail"
        );
        for blank in [None, Some(""), Some("   \n")] {
            let err = NoteContent::validate(blank).unwrap_err();
            assert_eq!(err.attributes, ["content"]);
        }
        let long = "x".repeat(MAX_CONTENT + 1);
        let err = NoteContent::validate(Some(&long)).unwrap_err();
        assert_eq!(err.attributes, ["content"]);
    }
}
