//! Server-rendered pages of the agent workspace: one askama struct per page and partial.

pub mod agents;
pub mod app_frames;
pub mod canned_responses;
pub mod contact_details;
pub mod contacts;
pub mod conversations;
pub mod custom_attributes;
pub mod dashboard_apps;
pub mod inboxes;
pub mod invitations;
pub mod labels;
pub mod playground;
pub mod profile;
pub mod sessions;
pub mod sidebar_apps;
pub mod teams;

use crate::auth::PageMember;
use crate::error::PageError;
use askama::Template;
use axum::response::Html;

/// What the shell around every signed-in page shows.
pub struct Layout {
    pub account_id: i64,
    pub account_name: String,
    pub user_name: String,
    pub user_email: String,
    pub is_admin: bool,
    pub csrf_token: String,
    /// The user's `/cable` subscription token (their own).
    pub pubsub_token: String,
    /// Which nav entry is current: "conversations", "contacts" or "settings".
    /// The settings lists use "inboxes", "agents", "teams", "labels", "canned_responses" and
    /// "custom_attributes"; a sidebar app "app-<id>"; the user's own page "profile".
    pub section: String,
    /// The account's enabled sidebar apps (id, title): one navigation entry each.
    pub sidebar_apps: Vec<(i64, String)>,
}

impl Layout {
    pub fn new(page: &PageMember, section: &str) -> Self {
        let account_name = page
            .accounts
            .iter()
            .find(|(account, _)| account.id == page.member.account_id)
            .map(|(account, _)| account.name.clone())
            .unwrap_or_default();
        Self {
            account_id: page.member.account_id.get(),
            account_name,
            user_name: page.member.user.name.clone(),
            user_email: page.member.user.email.clone(),
            is_admin: page.member.is_admin(),
            csrf_token: page.session.csrf_token.clone(),
            pubsub_token: page.member.user.pubsub_token.clone(),
            section: section.to_owned(),
            sidebar_apps: page
                .dashboard_apps
                .iter()
                .filter(|app| app.shows_in_sidebar())
                .map(|app| (app.id.get(), app.title.clone()))
                .collect(),
        }
    }

    /// The section name of sidebar app `id`'s page.
    pub fn app_section(id: i64) -> String {
        format!("app-{id}")
    }

    /// Whether the page is sidebar app `id`'s.
    pub fn is_app_section(&self, id: &i64) -> bool {
        self.section == Self::app_section(*id)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub title: &'static str,
    pub text: &'static str,
}

pub fn render(template: &impl Template) -> Result<Html<String>, PageError> {
    Ok(Html(template.render()?))
}

/// An agent of the account as a settings form offers them (team and inbox members).
pub struct AgentChoice {
    pub id: i64,
    pub name: String,
}

impl AgentChoice {
    /// The account's agents, in the store's order (by name).
    pub fn of(agents: &[domain::Agent]) -> Vec<AgentChoice> {
        agents
            .iter()
            .map(|agent| AgentChoice {
                id: agent.user.id.get(),
                name: agent.user.name.clone(),
            })
            .collect()
    }
}

/// The members of `group` among `(group, user)` pairs: their ids, and their names in the
/// order of `agents`.
pub fn members_by<G: PartialEq>(
    memberships: &[(G, domain::UserId)],
    group: G,
    agents: &[AgentChoice],
) -> (Vec<i64>, Vec<String>) {
    let ids: Vec<i64> = memberships
        .iter()
        .filter(|(g, _)| *g == group)
        .map(|(_, user)| user.get())
        .collect();
    let names = agents
        .iter()
        .filter(|a| ids.contains(&a.id))
        .map(|a| a.name.clone())
        .collect();
    (ids, names)
}

/// The answer for a URL no route matches: the API's JSON 404 under the API's prefixes (a
/// client parsing JSON must not get an HTML page), the HTML page elsewhere.
pub async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = uri.path();
    if crate::error::is_api_path(path) {
        crate::error::ApiError::NotFound.into_response()
    } else {
        PageError::NotFound.into_response()
    }
}

/// "Nov 25, 14:02" (UTC) for an epoch-seconds time.
pub fn time_label(epoch: i64) -> String {
    use time::macros::format_description;
    let format = format_description!("[month repr:short] [day padding:none], [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(epoch)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}
