//! Settings › Inboxes: the account's API-channel inboxes (name, webhook URL, the identifier the
//! Client API uses, the agents who belong to it), added, edited and deleted by
//! `settings-resources.js` through the JSON API (the inbox, then `PATCH …/inbox_members` with
//! the chosen agents). Administrators only.

use super::{members_by, render, AgentChoice, Layout};
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
    /// The members' names, by name.
    pub members: Vec<String>,
    /// `{"name", "webhook_url", "user_ids"}` for the edit form.
    pub values: String,
}

#[derive(Template)]
#[template(path = "settings/inboxes.html")]
pub struct IndexPage {
    pub layout: Layout,
    pub inboxes: Vec<InboxRow>,
    /// Everyone who can be made a member of an inbox.
    pub agents: Vec<AgentChoice>,
}

/// `GET /app/accounts/{account_id}/settings/inboxes`.
pub async fn index(
    State(state): State<AppState>,
    PageAdmin(page): PageAdmin,
) -> Result<Html<String>, PageError> {
    let account = page.member.account_id;
    let agents = AgentChoice::of(&state.store.users().agents(account).await?);
    let memberships = state.store.inbox_members().memberships(account).await?;
    let inboxes = state
        .store
        .inboxes()
        .list(account)
        .await?
        .into_iter()
        .map(|inbox| {
            let (ids, members) = members_by(&memberships, inbox.id, &agents);
            InboxRow {
                id: inbox.id.get(),
                values: serde_json::json!({
                    "name": inbox.name,
                    "webhook_url": inbox.webhook_url,
                    "user_ids": ids,
                })
                .to_string(),
                name: inbox.name,
                webhook_url: inbox.webhook_url,
                inbox_identifier: inbox.inbox_identifier,
                members,
            }
        })
        .collect();
    render(&IndexPage {
        layout: Layout::new(&page, "inboxes"),
        inboxes,
        agents,
    })
}
