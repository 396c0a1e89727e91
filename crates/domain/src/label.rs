//! Labels: an account's tags for conversations, referred to by title on the wire.

use crate::{validate, AccountId, DomainError, LabelId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub id: LabelId,
    pub account_id: AccountId,
    pub title: String,
    pub description: Option<String>,
    pub color: String,
    pub show_on_sidebar: bool,
}

#[derive(Debug, Clone)]
pub struct NewLabel {
    pub account_id: AccountId,
    pub title: String,
    pub description: Option<String>,
    pub color: String,
    pub show_on_sidebar: bool,
}

impl NewLabel {
    pub fn validate(
        account_id: AccountId,
        title: Option<&str>,
        description: Option<&str>,
        color: Option<&str>,
        show_on_sidebar: Option<bool>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            account_id,
            title: title_of(title)?,
            description: validate::optional("description", description, validate::MAX_SHORT_TEXT)?,
            color: color_of(color)?.unwrap_or_else(|| "#1f93ff".to_owned()),
            show_on_sidebar: show_on_sidebar.unwrap_or(true),
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct LabelChanges {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub color: Option<String>,
    pub show_on_sidebar: Option<bool>,
}

impl LabelChanges {
    pub fn validate(
        title: Option<&str>,
        description: Option<&str>,
        color: Option<&str>,
        show_on_sidebar: Option<bool>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            title: title.map(|t| title_of(Some(t))).transpose()?,
            description: description
                .map(|d| validate::optional("description", Some(d), validate::MAX_SHORT_TEXT))
                .transpose()?,
            color: color_of(color)?,
            show_on_sidebar,
        })
    }
}

/// Chatwoot's label titles: lowercase letters, digits, `-` and `_`, no spaces.
fn title_of(title: Option<&str>) -> Result<String, DomainError> {
    let title = validate::required("title", title, 100)?.to_lowercase();
    if !title
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return Err(DomainError::invalid(
            "title",
            "Title may only contain letters, digits, '-' and '_'",
        ));
    }
    Ok(title)
}

fn color_of(color: Option<&str>) -> Result<Option<String>, DomainError> {
    match color.map(str::trim) {
        None | Some("") => Ok(None),
        Some(c)
            if c.len() == 7
                && c.starts_with('#')
                && c[1..].chars().all(|d| d.is_ascii_hexdigit()) =>
        {
            Ok(Some(c.to_lowercase()))
        }
        Some(_) => Err(DomainError::invalid(
            "color",
            "Color must be a hex colour like #1f93ff",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_titles_are_lowercase_slugs() {
        let label = NewLabel::validate(AccountId(1), Some("VIP"), None, None, None).unwrap();
        assert_eq!(label.title, "vip");
        assert!(NewLabel::validate(AccountId(1), Some("a b"), None, None, None).is_err());
        assert!(NewLabel::validate(AccountId(1), Some("ok"), None, Some("red"), None).is_err());
    }
}
