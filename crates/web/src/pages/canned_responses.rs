//! Settings › Canned responses: the account's saved replies (short code and content). Every
//! member reads them here (the reply box offers them after `/`); administrators add, edit and
//! delete them through `settings-resources.js` and the JSON API.

use super::{render, Layout};
use crate::auth::PageMember;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;

pub struct CannedRow {
    pub id: i64,
    pub short_code: String,
    pub content: String,
    /// `{"short_code", "content"}` for the edit form.
    pub values: String,
}

#[derive(Template)]
#[template(path = "settings/canned_responses.html")]
pub struct IndexPage {
    pub layout: Layout,
    pub canned: Vec<CannedRow>,
}

/// `GET /app/accounts/{account_id}/settings/canned_responses`.
pub async fn index(
    State(state): State<AppState>,
    page: PageMember,
) -> Result<Html<String>, PageError> {
    let canned = state
        .store
        .canned_responses()
        .list(page.member.account_id)
        .await?
        .into_iter()
        .map(|canned| CannedRow {
            id: canned.id.get(),
            values: serde_json::json!({
                "short_code": canned.short_code,
                "content": canned.content,
            })
            .to_string(),
            short_code: canned.short_code,
            content: canned.content,
        })
        .collect();
    render(&IndexPage {
        layout: Layout::new(&page, "canned_responses"),
        canned,
    })
}
