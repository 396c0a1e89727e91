//! A contact's details as pages show them: the conversation view's side panel and the contact
//! page render the same `contacts/_details.html` (read view and edit form) from a
//! [`ContactPanel`], and `contact-form.js` drives both.

use domain::custom_attribute_definition::plain_text;
use domain::{AttributeModel, Contact, CustomAttributeDefinition};

/// A custom attribute as the side panel lists it: named and formatted by its definition, or by
/// its key when it has none.
pub struct AttributeItem {
    pub key: String,
    pub label: String,
    pub text: String,
    /// A link's URL (http or https only: the definition checked it).
    pub href: Option<String>,
    /// A defined attribute without a value ("Not set").
    pub unset: bool,
}

/// Every definition of `model` (in its order, unset ones too), then the values no definition
/// names, labelled from their key.
pub fn attribute_items(
    definitions: &[CustomAttributeDefinition],
    model: AttributeModel,
    values: &serde_json::Map<String, serde_json::Value>,
) -> Vec<AttributeItem> {
    let of_model: Vec<_> = definitions
        .iter()
        .filter(|d| d.attribute_model == model)
        .collect();
    let mut items: Vec<AttributeItem> = of_model
        .iter()
        .map(|d| {
            let value = values
                .get(&d.attribute_key)
                .filter(|v| !v.is_null() && v.as_str() != Some(""));
            let shown = value.map(|v| d.show(v));
            AttributeItem {
                key: d.attribute_key.clone(),
                label: d.attribute_display_name.clone(),
                unset: shown.is_none(),
                href: shown.as_ref().and_then(|s| s.href.clone()),
                text: shown.map(|s| s.text).unwrap_or_default(),
            }
        })
        .collect();
    items.extend(
        values
            .iter()
            .filter(|(key, _)| !of_model.iter().any(|d| &d.attribute_key == *key))
            .map(|(key, value)| AttributeItem {
                key: key.clone(),
                label: domain::error::humanize(key),
                text: plain_text(value),
                href: None,
                unset: false,
            }),
    );
    items
}

/// How pages name a contact: the name, else the e-mail, else "Contact #id".
pub fn contact_name_of(contact: &Contact) -> String {
    contact
        .name
        .clone()
        .or_else(|| contact.email.clone())
        .unwrap_or_else(|| format!("Contact #{}", contact.id))
}

pub struct ContactPanel {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub company: String,
    pub identifier: String,
    pub custom: Vec<AttributeItem>,
    /// The fields as stored (`name`, `email`, `phone_number`, `identifier`, `company_name`,
    /// `custom_attributes`), for the edit form.
    pub json: String,
}

impl ContactPanel {
    /// The contact's details, its custom attributes named and formatted by `definitions`.
    pub fn new(contact: &Contact, definitions: &[CustomAttributeDefinition]) -> Self {
        Self {
            name: contact_name_of(contact),
            email: contact.email.clone().unwrap_or_default(),
            phone: contact.phone_number.clone().unwrap_or_default(),
            company: contact.company_name().unwrap_or_default().to_owned(),
            identifier: contact.identifier.clone().unwrap_or_default(),
            custom: attribute_items(
                definitions,
                AttributeModel::ContactAttribute,
                &contact.custom_attributes,
            ),
            json: serde_json::json!({
                "name": contact.name,
                "email": contact.email,
                "phone_number": contact.phone_number,
                "identifier": contact.identifier,
                "company_name": contact.company_name(),
                "custom_attributes": contact.custom_attributes,
            })
            .to_string(),
        }
    }
}
