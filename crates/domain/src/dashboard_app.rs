//! Dashboard apps: an account's embedded web apps, `{title, content: [{type: "frame", url}]}`, and
//! the validation Chatwoot's `dashboard_app.rb` schema performs (made stricter where it lets bad
//! data through).

use crate::{validate, AccountId, DashboardAppId, DomainError};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The longest frame URL we store.
pub const MAX_URL: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardAppFrame {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

impl DashboardAppFrame {
    /// The origin the host pins its `postMessage` to (`https://app.example:8443`).
    pub fn origin(&self) -> String {
        http_url(&self.url)
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardApp {
    pub id: DashboardAppId,
    pub account_id: AccountId,
    pub title: String,
    pub content: Vec<DashboardAppFrame>,
    pub created_at: i64,
}

/// A validated create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDashboardApp {
    pub account_id: AccountId,
    pub title: String,
    pub content: Vec<DashboardAppFrame>,
}

impl NewDashboardApp {
    pub fn validate(
        account_id: AccountId,
        title: Option<&str>,
        content: Option<&Value>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            account_id,
            title: title_of(title)?,
            content: content_of(content)?,
        })
    }
}

/// A validated update: attributes left out keep their value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DashboardAppChanges {
    pub title: Option<String>,
    pub content: Option<Vec<DashboardAppFrame>>,
}

impl DashboardAppChanges {
    pub fn validate(title: Option<&str>, content: Option<&Value>) -> Result<Self, DomainError> {
        Ok(Self {
            title: title.map(|t| title_of(Some(t))).transpose()?,
            content: content.map(|c| content_of(Some(c))).transpose()?,
        })
    }
}

fn title_of(title: Option<&str>) -> Result<String, DomainError> {
    validate::required("title", title, validate::MAX_SHORT_TEXT)
}

/// Chatwoot's error for any content that breaks its JSON schema.
fn invalid_content() -> DomainError {
    DomainError::invalid("content", "Content : Invalid data")
}

/// A non-empty array of `{"type": "frame", "url": <absolute http(s) URL>}`.
fn content_of(content: Option<&Value>) -> Result<Vec<DashboardAppFrame>, DomainError> {
    let items = content
        .and_then(Value::as_array)
        .filter(|items| !items.is_empty() && items.len() <= 10)
        .ok_or_else(invalid_content)?;
    items
        .iter()
        .map(|item| {
            let kind = item.get("type").and_then(Value::as_str);
            let url = item.get("url").and_then(Value::as_str);
            match (kind, url) {
                (Some("frame"), Some(url)) => {
                    // Placeholders are checked first, then the URL they fill must be valid.
                    let sample = crate::placeholder::check(url)?;
                    http_url(&sample).ok_or_else(invalid_content)?;
                    Ok(DashboardAppFrame {
                        kind: "frame".to_owned(),
                        url: url.to_owned(),
                    })
                }
                _ => Err(invalid_content()),
            }
        })
        .collect()
}

/// Parses an absolute `http(s)` URL with a host, no user info, no whitespace and at most
/// [`MAX_URL`] characters; anything else is `None`.
pub fn http_url(text: &str) -> Option<url::Url> {
    if text.is_empty()
        || text.len() > MAX_URL
        || text.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let url = url::Url::parse(text).ok()?;
    let acceptable = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none();
    acceptable.then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn content(url: &str) -> Value {
        json!([{"type": "frame", "url": url}])
    }

    #[test]
    fn accepts_absolute_http_and_https_urls() {
        for url in [
            "https://apps.example/orders",
            "http://127.0.0.1:3001/?a=b#c",
        ] {
            let app = NewDashboardApp::validate(AccountId(1), Some("Orders"), Some(&content(url)));
            assert!(app.is_ok(), "{url}");
        }
    }

    #[test]
    fn rejects_every_other_content_with_chatwoots_message() {
        let long = format!("https://a.example/{}", "x".repeat(MAX_URL));
        let bad = [
            json!([]),
            json!({}),
            json!("https://a.example"),
            json!([{"type": "link", "url": "https://a.example"}]),
            json!([{"type": "frame"}]),
            json!([{"type": "frame", "url": 5}]),
            content("ftp://x"),
            content("javascript:alert(1)"),
            content("/relative/path"),
            content("https://user:pw@a.example/"),
            content("https://a.example/with space"),
            content("https://a.example/\nnewline"),
            content("https://"),
            content(&long),
        ];
        for value in bad {
            let err = NewDashboardApp::validate(AccountId(1), Some("T"), Some(&value)).unwrap_err();
            assert_eq!(err.message, "Content : Invalid data", "{value}");
            assert_eq!(err.attributes, ["content"]);
        }
        assert!(NewDashboardApp::validate(AccountId(1), Some("T"), None).is_err());
    }

    #[test]
    fn a_blank_title_is_refused() {
        let err = NewDashboardApp::validate(
            AccountId(1),
            Some("  "),
            Some(&content("https://a.example")),
        )
        .unwrap_err();
        assert_eq!(err.message, "Title can't be blank");
    }

    #[test]
    fn the_origin_is_scheme_host_and_port() {
        let frame = DashboardAppFrame {
            kind: "frame".into(),
            url: "http://127.0.0.1:3001/orders?x=1".into(),
        };
        assert_eq!(frame.origin(), "http://127.0.0.1:3001");
    }
}
