//! Settings › Teams: the account's teams (name, description, auto-assignment) with their
//! members, added, edited and deleted by `settings-resources.js` through the JSON API (the team,
//! then `PATCH …/teams/{id}/team_members` with the chosen agents). Administrators only.

use super::{members_by, render, AgentChoice, Layout};
use crate::auth::PageAdmin;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;

pub struct TeamRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub allow_auto_assign: bool,
    /// The members' names, by name.
    pub members: Vec<String>,
    /// `{"name", "description", "allow_auto_assign", "user_ids"}` for the edit form.
    pub values: String,
}

#[derive(Template)]
#[template(path = "settings/teams.html")]
pub struct IndexPage {
    pub layout: Layout,
    pub teams: Vec<TeamRow>,
    /// Everyone who can be put in a team.
    pub agents: Vec<AgentChoice>,
}

/// `GET /app/accounts/{account_id}/settings/teams`.
pub async fn index(
    State(state): State<AppState>,
    PageAdmin(page): PageAdmin,
) -> Result<Html<String>, PageError> {
    let account = page.member.account_id;
    let teams = state.store.teams();
    let agents = AgentChoice::of(&state.store.users().agents(account).await?);
    let memberships = teams.memberships(account).await?;
    let teams = teams
        .list(account)
        .await?
        .into_iter()
        .map(|team| {
            let (ids, members) = members_by(&memberships, team.id, &agents);
            TeamRow {
                id: team.id.get(),
                values: serde_json::json!({
                    "name": team.name,
                    "description": team.description,
                    "allow_auto_assign": team.allow_auto_assign,
                    "user_ids": ids,
                })
                .to_string(),
                name: team.name,
                description: team.description.unwrap_or_default(),
                allow_auto_assign: team.allow_auto_assign,
                members,
            }
        })
        .collect();
    render(&IndexPage {
        layout: Layout::new(&page, "teams"),
        teams,
        agents,
    })
}
