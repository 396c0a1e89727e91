//! Settings › Custom attributes: the account's custom attribute definitions, which say how a
//! contact's or a conversation's custom attribute is named, entered, shown and checked. Added,
//! edited and deleted by `settings-resources.js` through the JSON API. Administrators only
//! (`CustomAttributeDefinitionPolicy`).

use super::{render, Layout};
use crate::auth::PageAdmin;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use domain::{AttributeDisplayType, AttributeModel};

pub struct DefinitionRow {
    pub id: i64,
    pub display_name: String,
    pub key: String,
    /// "Contact" or "Conversation".
    pub applies_to: &'static str,
    /// "List", "Date"… as the type select says it.
    pub kind: &'static str,
    pub description: String,
    /// The choices of a list, comma-separated.
    pub choices: String,
    /// The definition's attributes as the API names them, for the edit form.
    pub values: String,
}

#[derive(Template)]
#[template(path = "settings/custom_attributes.html")]
pub struct IndexPage {
    pub layout: Layout,
    pub definitions: Vec<DefinitionRow>,
    /// (value, label) of the type select.
    pub kinds: Vec<(&'static str, &'static str)>,
}

pub fn model_label(model: AttributeModel) -> &'static str {
    match model {
        AttributeModel::ContactAttribute => "Contact",
        AttributeModel::ConversationAttribute => "Conversation",
    }
}

pub fn kind_label(kind: AttributeDisplayType) -> &'static str {
    use AttributeDisplayType::*;
    match kind {
        Text => "Text",
        Number => "Number",
        Currency => "Currency",
        Percent => "Percent",
        Link => "Link",
        Date => "Date",
        List => "List",
        Checkbox => "Checkbox",
    }
}

/// `GET /app/accounts/{account_id}/settings/custom_attributes`.
pub async fn index(
    State(state): State<AppState>,
    PageAdmin(page): PageAdmin,
) -> Result<Html<String>, PageError> {
    let mut found = state
        .store
        .custom_attribute_definitions()
        .list(page.member.account_id, None)
        .await?;
    // Contacts' first, then conversations', each in its own order.
    found.sort_by_key(|d| d.attribute_model != AttributeModel::ContactAttribute);
    let definitions = found
        .into_iter()
        .map(|d| DefinitionRow {
            id: d.id.get(),
            values: serde_json::json!({
                "attribute_display_name": d.attribute_display_name,
                "attribute_key": d.attribute_key,
                "attribute_model": d.attribute_model.as_str(),
                "attribute_display_type": d.attribute_display_type.as_str(),
                "attribute_description": d.attribute_description,
                "attribute_values": d.attribute_values,
                "regex_pattern": d.regex_pattern,
                "regex_cue": d.regex_cue,
            })
            .to_string(),
            display_name: d.attribute_display_name,
            key: d.attribute_key,
            applies_to: model_label(d.attribute_model),
            kind: kind_label(d.attribute_display_type),
            description: d.attribute_description.unwrap_or_default(),
            choices: d.attribute_values.join(", "),
        })
        .collect();
    render(&IndexPage {
        layout: Layout::new(&page, "custom_attributes"),
        definitions,
        kinds: AttributeDisplayType::ALL
            .iter()
            .map(|k| (k.as_str(), kind_label(*k)))
            .collect(),
    })
}
