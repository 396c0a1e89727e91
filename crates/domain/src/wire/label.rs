//! `api/v1/accounts/labels/_label.json.jbuilder`.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Label {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub color: String,
    pub show_on_sidebar: bool,
}

impl From<&crate::Label> for Label {
    fn from(label: &crate::Label) -> Self {
        Self {
            id: label.id.get(),
            title: label.title.clone(),
            description: label.description.clone(),
            color: label.color.clone(),
            show_on_sidebar: label.show_on_sidebar,
        }
    }
}
