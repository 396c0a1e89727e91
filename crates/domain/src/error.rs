//! Validation failures, each naming the attribute at fault so the API can answer Chatwoot's
//! `{"message", "attributes"}` 422 body.

/// A command that cannot be carried out as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DomainError {
    /// A sentence for people, e.g. "Title can't be blank".
    pub message: String,
    /// The attributes at fault, e.g. `["title"]`.
    pub attributes: Vec<String>,
}

impl DomainError {
    pub fn invalid(attribute: &str, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            attributes: vec![attribute.to_owned()],
        }
    }

    /// Chatwoot's wording for a required attribute: "Name can't be blank".
    pub fn blank(attribute: &str) -> Self {
        Self::invalid(attribute, format!("{} can't be blank", humanize(attribute)))
    }

    pub fn too_long(attribute: &str, max: usize) -> Self {
        Self::invalid(
            attribute,
            format!(
                "{} is too long (maximum is {max} characters)",
                humanize(attribute)
            ),
        )
    }
}

/// `phone_number` → `Phone number`, as Rails' `human_attribute_name` does.
pub fn humanize(attribute: &str) -> String {
    let spaced = attribute.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_humanized_like_rails() {
        assert_eq!(humanize("phone_number"), "Phone number");
        assert_eq!(DomainError::blank("title").message, "Title can't be blank");
    }
}
