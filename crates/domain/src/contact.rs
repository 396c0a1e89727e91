//! Contacts: the customers conversations are with.

use crate::{validate, AccountId, ContactId, DomainError, InboxId};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub id: ContactId,
    pub account_id: AccountId,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub identifier: Option<String>,
    /// `description`, `company_name`, `social_profiles`, … (Chatwoot's additional attributes).
    pub additional_attributes: Map<String, Value>,
    pub custom_attributes: Map<String, Value>,
    pub last_activity_at: Option<i64>,
    pub created_at: i64,
}

impl Contact {
    /// The contact without its fields (only its ids and creation time): what a Client API caller
    /// that has not proved it is this contact may see of it.
    pub fn withheld(&self) -> Contact {
        Contact {
            id: self.id,
            account_id: self.account_id,
            name: None,
            email: None,
            phone_number: None,
            identifier: None,
            additional_attributes: Map::new(),
            custom_attributes: Map::new(),
            last_activity_at: None,
            created_at: self.created_at,
        }
    }

    /// The company, wherever Chatwoot clients put it.
    pub fn company_name(&self) -> Option<&str> {
        self.additional_attributes
            .get("company_name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }
}

/// Whether a contact is online now: Chatwoot's `Contact#availability_status`
/// (`AvailabilityStatusable`), `online` while `OnlineStatusTracker` has the contact present and
/// `offline` otherwise. `realtime::Presence` answers it (a visitor's widget holding the contact's
/// `/cable` subscription on this instance); every `wire` rendering of a contact asks it, so the
/// contacts API, a conversation's `meta.sender`, `/cable` events, dashboard-app contexts and
/// webhooks all say the same.
pub trait ContactPresence: Send + Sync + std::fmt::Debug {
    fn is_online(&self, contact: &Contact) -> bool;

    /// `"online"` or `"offline"`, as `availability_status` spells it.
    fn availability_status(&self, contact: &Contact) -> &'static str {
        if self.is_online(contact) {
            "online"
        } else {
            "offline"
        }
    }
}

/// Nobody online: where no tracker is at hand (a webhook recorder built without one, tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct NobodyOnline;

impl ContactPresence for NobodyOnline {
    fn is_online(&self, _: &Contact) -> bool {
        false
    }
}

/// `POST /contacts`; with `inbox_id` the contact also gets a contact inbox and a `source_id`.
#[derive(Debug, Clone)]
pub struct NewContact {
    pub account_id: AccountId,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub identifier: Option<String>,
    pub additional_attributes: Map<String, Value>,
    pub custom_attributes: Map<String, Value>,
    pub inbox_id: Option<InboxId>,
}

/// The raw attributes a create or update carries, before validation.
#[derive(Debug, Clone, Default)]
pub struct ContactFields<'a> {
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone_number: Option<&'a str>,
    pub identifier: Option<&'a str>,
    pub additional_attributes: Option<Value>,
    pub custom_attributes: Option<Value>,
}

impl NewContact {
    pub fn validate(
        account_id: AccountId,
        fields: ContactFields<'_>,
        inbox_id: Option<InboxId>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            account_id,
            name: validate::optional("name", fields.name, validate::MAX_SHORT_TEXT)?,
            email: validate::email("email", fields.email)?,
            phone_number: phone(fields.phone_number)?,
            identifier: validate::optional(
                "identifier",
                fields.identifier,
                validate::MAX_SHORT_TEXT,
            )?,
            additional_attributes: additional(fields.additional_attributes)?,
            custom_attributes: validate::object("custom_attributes", fields.custom_attributes)?,
            inbox_id,
        })
    }
}

/// A partial update: `None` leaves the attribute alone; `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ContactChanges {
    pub name: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone_number: Option<Option<String>>,
    pub identifier: Option<Option<String>>,
    /// Merged into the stored object, as Chatwoot merges.
    pub additional_attributes: Option<Map<String, Value>>,
    pub custom_attributes: Option<Map<String, Value>>,
    /// Custom attribute keys to drop (Chatwoot's `destroy_custom_attributes`); applied after the
    /// merge, so a key cannot be both set and dropped by one change.
    pub removed_custom_attributes: Vec<String>,
}

impl ContactChanges {
    /// `POST /contacts/{id}/destroy_custom_attributes`: `{"custom_attributes": ["key", ...]}`.
    /// Unknown keys are ignored, as Chatwoot's `Hash#excluding` ignores them.
    pub fn remove_custom_attributes(keys: Option<&[String]>) -> Result<Self, DomainError> {
        let keys = keys.ok_or_else(|| DomainError::blank("custom_attributes"))?;
        for key in keys {
            validate::required("custom_attributes", Some(key), validate::MAX_SHORT_TEXT)?;
        }
        Ok(Self {
            removed_custom_attributes: keys.to_vec(),
            ..Self::default()
        })
    }

    pub fn validate(fields: ContactFields<'_>) -> Result<Self, DomainError> {
        Ok(Self {
            name: fields
                .name
                .map(|n| validate::optional("name", Some(n), validate::MAX_SHORT_TEXT))
                .transpose()?,
            email: fields
                .email
                .map(|e| validate::email("email", Some(e)))
                .transpose()?,
            phone_number: fields.phone_number.map(|p| phone(Some(p))).transpose()?,
            identifier: fields
                .identifier
                .map(|i| validate::optional("identifier", Some(i), validate::MAX_SHORT_TEXT))
                .transpose()?,
            additional_attributes: fields
                .additional_attributes
                .map(|a| additional(Some(a)))
                .transpose()?,
            custom_attributes: fields
                .custom_attributes
                .map(|a| validate::object("custom_attributes", Some(a)))
                .transpose()?,
            removed_custom_attributes: Vec::new(),
        })
    }

    pub fn apply(&self, contact: &mut Contact) {
        if let Some(name) = &self.name {
            contact.name = name.clone();
        }
        if let Some(email) = &self.email {
            contact.email = email.clone();
        }
        if let Some(phone) = &self.phone_number {
            contact.phone_number = phone.clone();
        }
        if let Some(identifier) = &self.identifier {
            contact.identifier = identifier.clone();
        }
        if let Some(extra) = &self.additional_attributes {
            contact.additional_attributes.extend(extra.clone());
        }
        if let Some(custom) = &self.custom_attributes {
            contact.custom_attributes.extend(custom.clone());
        }
        for key in &self.removed_custom_attributes {
            contact.custom_attributes.remove(key);
        }
    }
}

/// Additional attributes: an object whose `description` and `company_name` are strings and whose
/// `social_profiles` is an object of strings, as the app-context schema promises dashboard apps.
fn additional(value: Option<Value>) -> Result<Map<String, Value>, DomainError> {
    let map = validate::object("additional_attributes", value)?;
    let invalid = |what: &str| {
        DomainError::invalid(
            "additional_attributes",
            format!("Additional attributes {what}"),
        )
    };
    for key in ["description", "company_name"] {
        if map.get(key).is_some_and(|v| !v.is_string()) {
            return Err(invalid(&format!("{key} must be a string")));
        }
    }
    if let Some(profiles) = map.get("social_profiles") {
        let strings = profiles
            .as_object()
            .is_some_and(|p| p.values().all(Value::is_string));
        if !strings {
            return Err(invalid("social_profiles must be an object of strings"));
        }
    }
    Ok(map)
}

/// E.164-ish: an optional `+` then 5 to 20 digits, spaces and dashes allowed between.
fn phone(value: Option<&str>) -> Result<Option<String>, DomainError> {
    let Some(text) = validate::optional("phone_number", value, 32)? else {
        return Ok(None);
    };
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let body = digits.strip_prefix('+').unwrap_or(&digits);
    if body.len() < 5 || body.len() > 20 || !body.chars().all(|c| c.is_ascii_digit()) {
        return Err(DomainError::invalid(
            "phone_number",
            "Phone number should be in e164 format",
        ));
    }
    Ok(Some(digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_normalised_and_checked() {
        assert_eq!(
            phone(Some("+1 415-555-0100")).unwrap().as_deref(),
            Some("+14155550100")
        );
        assert!(phone(Some("call me")).is_err());
        assert_eq!(phone(Some("")).unwrap(), None);
    }

    #[test]
    fn additional_attributes_keep_the_shape_apps_rely_on() {
        let ok =
            serde_json::json!({"company_name": "A", "social_profiles": {"github": "a"}, "x": 1});
        assert!(additional(Some(ok)).is_ok());
        for bad in [
            serde_json::json!({"company_name": 5}),
            serde_json::json!({"description": null}),
            serde_json::json!({"social_profiles": "x"}),
            serde_json::json!({"social_profiles": {"github": 1}}),
        ] {
            let err = additional(Some(bad.clone())).unwrap_err();
            assert_eq!(err.attributes, ["additional_attributes"], "{bad}");
        }
    }

    #[test]
    fn removing_custom_attributes_drops_only_the_named_keys() {
        let mut contact = Contact {
            id: ContactId(1),
            account_id: AccountId(1),
            name: None,
            email: None,
            phone_number: None,
            identifier: None,
            additional_attributes: Map::new(),
            custom_attributes: serde_json::json!({"plan": "pro", "seats": 3})
                .as_object()
                .cloned()
                .unwrap(),
            last_activity_at: None,
            created_at: 0,
        };
        let keys = ["plan".to_owned(), "unknown".to_owned()];
        ContactChanges::remove_custom_attributes(Some(&keys))
            .unwrap()
            .apply(&mut contact);
        assert_eq!(
            Value::Object(contact.custom_attributes),
            serde_json::json!({"seats": 3})
        );
        let err = ContactChanges::remove_custom_attributes(None).unwrap_err();
        assert_eq!(err.attributes, ["custom_attributes"]);
        let err = ContactChanges::remove_custom_attributes(Some(&[String::new()])).unwrap_err();
        assert_eq!(err.attributes, ["custom_attributes"]);
    }

    #[test]
    fn changes_merge_attributes_and_clear_blank_fields() {
        let fields = ContactFields {
            name: Some(""),
            custom_attributes: Some(serde_json::json!({"plan": "pro"})),
            ..Default::default()
        };
        let changes = ContactChanges::validate(fields).unwrap();
        assert_eq!(changes.name, Some(None));
        assert_eq!(changes.email, None);
    }
}
