//! Server-rendered pages of the agent workspace: one askama struct per page and partial.

pub mod agents;
pub mod conversations;
pub mod dashboard_apps;
pub mod inboxes;
pub mod labels;
pub mod sessions;

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
    /// Which nav entry is current: "conversations" or "settings".
    /// The settings lists use "inboxes", "agents" and "labels".
    pub section: &'static str,
}

impl Layout {
    pub fn new(page: &PageMember, section: &'static str) -> Self {
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
            section,
        }
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

pub async fn not_found() -> PageError {
    PageError::NotFound
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
