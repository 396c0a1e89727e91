//! `api/v1/models/_custom_attribute_definition.json.jbuilder`: the enums by name
//! (`"contact_attribute"`, `"list"`), as Rails prints them.

use crate::{AttributeDisplayType, AttributeModel};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct CustomAttributeDefinition {
    pub id: i64,
    pub attribute_display_name: String,
    pub attribute_display_type: AttributeDisplayType,
    pub attribute_description: Option<String>,
    pub attribute_key: String,
    pub regex_pattern: Option<String>,
    pub regex_cue: Option<String>,
    pub attribute_values: Vec<String>,
    pub attribute_model: AttributeModel,
    /// Chatwoot's column exists but its controller never writes it: always `null`.
    pub default_value: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&crate::CustomAttributeDefinition> for CustomAttributeDefinition {
    fn from(d: &crate::CustomAttributeDefinition) -> Self {
        Self {
            id: d.id.get(),
            attribute_display_name: d.attribute_display_name.clone(),
            attribute_display_type: d.attribute_display_type,
            attribute_description: d.attribute_description.clone(),
            attribute_key: d.attribute_key.clone(),
            regex_pattern: d.regex_pattern.clone(),
            regex_cue: d.regex_cue.clone(),
            attribute_values: d.attribute_values.clone(),
            attribute_model: d.attribute_model,
            default_value: None,
            created_at: crate::time::iso8601(d.created_at),
            updated_at: crate::time::iso8601(d.updated_at),
        }
    }
}
