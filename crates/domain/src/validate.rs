//! Small checks shared by every command: required text, length limits, e-mail shape, JSON objects.

use crate::DomainError;
use serde_json::{Map, Value};

/// The longest free-text attribute we accept (names, titles, identifiers).
pub const MAX_SHORT_TEXT: usize = 255;
/// The longest message body we accept.
pub const MAX_MESSAGE: usize = 150_000;

/// A trimmed, non-blank string of at most `max` characters.
pub fn required(attribute: &str, value: Option<&str>, max: usize) -> Result<String, DomainError> {
    let text = value.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err(DomainError::blank(attribute));
    }
    limit(attribute, text, max)?;
    Ok(text.to_owned())
}

/// An optional string: blank becomes `None`; longer than `max` is an error.
pub fn optional(
    attribute: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, DomainError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => {
            limit(attribute, text, max)?;
            Ok(Some(text.to_owned()))
        }
    }
}

/// At most `max` characters, and no NUL (which PostgreSQL text cannot hold).
pub fn limit(attribute: &str, text: &str, max: usize) -> Result<(), DomainError> {
    if text.chars().count() > max {
        return Err(DomainError::too_long(attribute, max));
    }
    if text.contains('\0') {
        return Err(DomainError::invalid(
            attribute,
            format!(
                "{} must not contain NUL characters",
                crate::error::humanize(attribute)
            ),
        ));
    }
    Ok(())
}

/// An optional e-mail address: something@something.something, no spaces.
pub fn email(attribute: &str, value: Option<&str>) -> Result<Option<String>, DomainError> {
    let Some(address) = optional(attribute, value, MAX_SHORT_TEXT)? else {
        return Ok(None);
    };
    let valid = match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !address.chars().any(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    };
    if !valid {
        return Err(DomainError::invalid(attribute, "Email is invalid"));
    }
    Ok(Some(address.to_lowercase()))
}

/// A JSON object (custom or additional attributes); `null` or absent is the empty object.
pub fn object(attribute: &str, value: Option<Value>) -> Result<Map<String, Value>, DomainError> {
    match value {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => {
            if serde_json::to_string(&map).map(|s| s.len()).unwrap_or(0) > 64 * 1024 {
                return Err(DomainError::invalid(
                    attribute,
                    format!("{} is too large", crate::error::humanize(attribute)),
                ));
            }
            Ok(map)
        }
        Some(_) => Err(DomainError::invalid(
            attribute,
            format!("{} must be an object", crate::error::humanize(attribute)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_is_trimmed_and_bounded() {
        assert_eq!(required("name", Some("  Ann "), 10).unwrap(), "Ann");
        assert_eq!(
            required("name", Some("   "), 10).unwrap_err().attributes,
            ["name"]
        );
        assert!(required("name", Some("abcdefghijk"), 10).is_err());
        assert!(required("name", None, 10).is_err());
        assert_eq!(
            required("name", Some("a\0b"), 10).unwrap_err().attributes,
            ["name"]
        );
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(
            email("email", Some("A@B.io")).unwrap().as_deref(),
            Some("a@b.io")
        );
        assert_eq!(email("email", Some("")).unwrap(), None);
        for bad in ["a", "a@b", "@b.io", "a b@c.io", "a@.io", "a@b.io."] {
            assert!(email("email", Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn attributes_must_be_objects() {
        assert!(object("custom_attributes", Some(serde_json::json!([1]))).is_err());
        assert!(object("custom_attributes", None).unwrap().is_empty());
    }
}
