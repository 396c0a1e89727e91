//! A sidebar app's page (`display_type: "sidebar"`): the app full-page beside the main
//! navigation, receiving the agent and the account instead of a conversation.

use super::app_frames::AppFrames;
use super::{render, Layout};
use crate::auth::PageMember;
use crate::csp::Csp;
use crate::error::PageError;
use askama::Template;
use axum::extract::Path;
use axum::response::Html;
use domain::placeholder::Values;
use domain::DashboardAppId;

#[derive(Template)]
#[template(path = "apps/show.html")]
pub struct ShowPage {
    pub layout: Layout,
    pub app: AppFrames,
}

/// `GET /app/accounts/{account_id}/apps/{app_id}`: any member, for an enabled sidebar app.
pub async fn show(
    page: PageMember,
    Path((_, app_id)): Path<(String, String)>,
) -> Result<(Csp, Html<String>), PageError> {
    let app_id = DashboardAppId(app_id.parse().map_err(|_| PageError::NotFound)?);
    let app = page
        .dashboard_apps
        .iter()
        .find(|app| app.id == app_id && app.shows_in_sidebar())
        .ok_or(PageError::NotFound)?;
    // Sidebar URLs may only hold the agent's and the account's placeholders (checked at save).
    let values = Values {
        agent_id: page.member.user.id.get(),
        agent_email: page.member.user.email.clone(),
        account_id: page.member.account_id.get(),
        ..Values::default()
    };
    let csp = Csp::with_frames(app.content.iter().map(|frame| frame.origin()));
    let html = render(&ShowPage {
        layout: Layout::new(&page, &Layout::app_section(app.id.get())),
        app: AppFrames::new(app, &values),
    })?;
    Ok((csp, html))
}
