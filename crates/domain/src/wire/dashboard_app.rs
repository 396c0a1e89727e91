//! `api/v1/accounts/dashboard_apps/_dashboard_app.json.jbuilder`: exactly `id, title, content,
//! created_at`.

use crate::DashboardAppFrame;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DashboardApp {
    pub id: i64,
    pub title: String,
    pub content: Vec<DashboardAppFrame>,
    /// ISO-8601, as Rails prints a datetime.
    pub created_at: String,
}

impl From<&crate::DashboardApp> for DashboardApp {
    fn from(app: &crate::DashboardApp) -> Self {
        Self {
            id: app.id.get(),
            title: app.title.clone(),
            content: app.content.clone(),
            created_at: crate::time::iso8601(app.created_at),
        }
    }
}
