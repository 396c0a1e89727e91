//! Settings › Integrations › Dashboard apps: list, add, edit, delete. Administrators only; the
//! page's script talks to the JSON API with the session's CSRF token.

use super::{render, Layout};
use crate::auth::PageMember;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;

pub struct AppRow {
    pub id: i64,
    pub title: String,
    pub url: String,
    /// Every frame URL, one per line, for the edit form.
    pub urls: String,
}

#[derive(Template)]
#[template(path = "settings/dashboard_apps.html")]
pub struct IndexPage {
    pub layout: Layout,
    pub apps: Vec<AppRow>,
}

/// `GET /app/accounts/{account_id}/settings/integrations/dashboard_apps`.
pub async fn index(
    State(state): State<AppState>,
    page: PageMember,
) -> Result<Html<String>, PageError> {
    if !page.member.is_admin() {
        return Err(PageError::Forbidden);
    }
    let apps = state
        .store
        .dashboard_apps()
        .list(page.member.account_id)
        .await?
        .into_iter()
        .map(|app| AppRow {
            id: app.id.get(),
            url: app
                .content
                .first()
                .map(|f| f.url.clone())
                .unwrap_or_default(),
            urls: app
                .content
                .iter()
                .map(|f| f.url.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            title: app.title,
        })
        .collect();
    render(&IndexPage {
        layout: Layout::new(&page, "settings"),
        apps,
    })
}
