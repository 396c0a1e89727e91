//! Settings › Agents: the account's members (name, e-mail, role); invite with a role and an
//! initial password, change name or role, remove. `settings-resources.js` talks to the JSON API,
//! which keeps the last administrator (a 422 the page shows). Administrators only.

use super::{render, Layout};
use crate::auth::PageAdmin;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use domain::Role;

pub struct AgentRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub is_you: bool,
    /// `{"name", "role"}` for the edit form.
    pub values: String,
}

#[derive(Template)]
#[template(path = "settings/agents.html")]
pub struct IndexPage {
    pub layout: Layout,
    pub agents: Vec<AgentRow>,
}

/// `GET /app/accounts/{account_id}/settings/agents`.
pub async fn index(
    State(state): State<AppState>,
    PageAdmin(page): PageAdmin,
) -> Result<Html<String>, PageError> {
    let me = page.member.user.id;
    let agents = state
        .store
        .users()
        .agents(page.member.account_id)
        .await?
        .into_iter()
        .map(|agent| AgentRow {
            id: agent.user.id.get(),
            values: serde_json::json!({"name": agent.user.name, "role": agent.role.as_str()})
                .to_string(),
            role: match agent.role {
                Role::Administrator => "Administrator",
                Role::Agent => "Agent",
            },
            is_you: agent.user.id == me,
            name: agent.user.name,
            email: agent.user.email,
        })
        .collect();
    render(&IndexPage {
        layout: Layout::new(&page, "agents"),
        agents,
    })
}
