//! `api/v1/models/_note.json.jbuilder`: `id, content, account_id, contact_id, user` (the
//! author's `_agent` body, left out when there is none) and epoch-second `created_at` and
//! `updated_at`. Chatwoot's view writes `json.account_id json.account_id` (and the same for
//! `contact_id`), which renders no id at all; we send the ids the names promise
//! (docs/COMPATIBILITY.md).

use super::Agent;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ContactNote {
    pub id: i64,
    pub content: String,
    pub account_id: i64,
    pub contact_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Agent>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<&crate::ContactNote> for ContactNote {
    fn from(note: &crate::ContactNote) -> Self {
        Self {
            id: note.id.get(),
            content: note.content.clone(),
            account_id: note.account_id.get(),
            contact_id: note.contact_id.get(),
            user: note.author.as_ref().map(Agent::from),
            created_at: note.created_at,
            updated_at: note.updated_at,
        }
    }
}
