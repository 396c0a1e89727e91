//! Settings › Inboxes: the account's API-channel inboxes (name, webhook URL, the identifier the
//! Client API uses), added, edited and deleted by `settings-resources.js` through the JSON API.
//! Administrators only.

use super::{render, Layout};
use crate::auth::PageAdmin;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;

pub struct InboxRow {
    pub id: i64,
    pub name: String,
    pub webhook_url: Option<String>,
    pub inbox_identifier: String,
    /// `{"name", "webhook_url"}` for the edit form.
    pub values: String,
}

#[derive(Template)]
#[template(path = "settings/inboxes.html")]
pub struct IndexPage {
    pub layout: Layout,
    pub inboxes: Vec<InboxRow>,
}

/// `GET /app/accounts/{account_id}/settings/inboxes`.
pub async fn index(
    State(state): State<AppState>,
    PageAdmin(page): PageAdmin,
) -> Result<Html<String>, PageError> {
    let inboxes = state
        .store
        .inboxes()
        .list(page.member.account_id)
        .await?
        .into_iter()
        .map(|inbox| InboxRow {
            id: inbox.id.get(),
            values: serde_json::json!({"name": inbox.name, "webhook_url": inbox.webhook_url})
                .to_string(),
            name: inbox.name,
            webhook_url: inbox.webhook_url,
            inbox_identifier: inbox.inbox_identifier,
        })
        .collect();
    render(&IndexPage {
        layout: Layout::new(&page, "inboxes"),
        inboxes,
    })
}
