//! `CannedResponse#as_json` (Chatwoot's controller renders the record itself): `id, account_id,
//! short_code, content, created_at, updated_at`.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct CannedResponse {
    pub id: i64,
    pub account_id: i64,
    pub short_code: String,
    pub content: String,
    /// ISO-8601, as Rails prints a datetime.
    pub created_at: String,
    pub updated_at: String,
}

impl From<&crate::CannedResponse> for CannedResponse {
    fn from(canned: &crate::CannedResponse) -> Self {
        Self {
            id: canned.id.get(),
            account_id: canned.account_id.get(),
            short_code: canned.short_code.clone(),
            content: canned.content.clone(),
            created_at: crate::time::iso8601(canned.created_at),
            updated_at: crate::time::iso8601(canned.updated_at),
        }
    }
}
