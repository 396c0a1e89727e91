//! `api/v1/models/_contact.json.jbuilder`.

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Contact {
    pub additional_attributes: Map<String, Value>,
    pub availability_status: &'static str,
    pub email: Option<String>,
    pub id: i64,
    pub name: Option<String>,
    pub phone_number: Option<String>,
    pub blocked: bool,
    pub identifier: Option<String>,
    pub thumbnail: String,
    pub custom_attributes: Map<String, Value>,
    pub last_activity_at: Option<i64>,
    pub created_at: i64,
}

impl From<&crate::Contact> for Contact {
    fn from(contact: &crate::Contact) -> Self {
        Self {
            additional_attributes: contact.additional_attributes.clone(),
            availability_status: "offline",
            email: contact.email.clone(),
            id: contact.id.get(),
            name: contact.name.clone(),
            phone_number: contact.phone_number.clone(),
            blocked: false,
            identifier: contact.identifier.clone(),
            thumbnail: String::new(),
            custom_attributes: contact.custom_attributes.clone(),
            last_activity_at: contact.last_activity_at,
            created_at: contact.created_at,
        }
    }
}
