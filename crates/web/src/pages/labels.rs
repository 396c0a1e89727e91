//! Settings › Labels: the account's labels (title, description, colour), added, edited and
//! deleted by `settings-resources.js` through the JSON API. Administrators only.

use super::{render, Layout};
use crate::auth::PageAdmin;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;

pub struct LabelRow {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub color: String,
    /// `{"title", "description", "color", "show_on_sidebar"}` for the edit form.
    pub values: String,
}

#[derive(Template)]
#[template(path = "settings/labels.html")]
pub struct IndexPage {
    pub layout: Layout,
    pub labels: Vec<LabelRow>,
}

/// `GET /app/accounts/{account_id}/settings/labels`.
pub async fn index(
    State(state): State<AppState>,
    PageAdmin(page): PageAdmin,
) -> Result<Html<String>, PageError> {
    let labels = state
        .store
        .labels()
        .list(page.member.account_id)
        .await?
        .into_iter()
        .map(|label| LabelRow {
            id: label.id.get(),
            values: serde_json::json!({
                "title": label.title,
                "description": label.description,
                "color": label.color,
                "show_on_sidebar": label.show_on_sidebar,
            })
            .to_string(),
            title: label.title,
            description: label.description.unwrap_or_default(),
            color: label.color,
        })
        .collect();
    render(&IndexPage {
        layout: Layout::new(&page, "labels"),
        labels,
    })
}
