//! Canned responses: replies an agent inserts by short code (Chatwoot's `CannedResponse`: a
//! short code unique in the account, and content).

use crate::{validate, AccountId, CannedResponseId, DomainError};

/// The longest short code we accept.
pub const MAX_SHORT_CODE: usize = 100;
/// The longest canned content we accept (a message body's limit).
pub const MAX_CONTENT: usize = validate::MAX_MESSAGE;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedResponse {
    pub id: CannedResponseId,
    pub account_id: AccountId,
    pub short_code: String,
    pub content: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewCannedResponse {
    pub account_id: AccountId,
    pub short_code: String,
    pub content: String,
}

impl NewCannedResponse {
    /// Both attributes are required, as Chatwoot's `validates ... presence: true`.
    pub fn validate(
        account_id: AccountId,
        short_code: Option<&str>,
        content: Option<&str>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            account_id,
            short_code: short_code_of(short_code)?,
            content: validate::required("content", content, MAX_CONTENT)?,
        })
    }
}

/// A partial update: `None` leaves the attribute as it is; a blank value is refused.
#[derive(Debug, Clone, Default)]
pub struct CannedResponseChanges {
    pub short_code: Option<String>,
    pub content: Option<String>,
}

impl CannedResponseChanges {
    pub fn validate(short_code: Option<&str>, content: Option<&str>) -> Result<Self, DomainError> {
        Ok(Self {
            short_code: short_code.map(|s| short_code_of(Some(s))).transpose()?,
            content: content
                .map(|c| validate::required("content", Some(c), MAX_CONTENT))
                .transpose()?,
        })
    }

    pub fn apply(&self, canned: &mut CannedResponse) {
        if let Some(short_code) = &self.short_code {
            canned.short_code = short_code.clone();
        }
        if let Some(content) = &self.content {
            canned.content = content.clone();
        }
    }
}

/// A short code is typed after `/` in the reply box, so it holds no whitespace.
fn short_code_of(value: Option<&str>) -> Result<String, DomainError> {
    let code = validate::required("short_code", value, MAX_SHORT_CODE)?;
    if code.chars().any(char::is_whitespace) {
        return Err(DomainError::invalid(
            "short_code",
            "Short code must not contain spaces",
        ));
    }
    Ok(code)
}

/// How well `canned` matches `search` (Chatwoot's `order_by_search`): a short code starting
/// with it first, then one containing it, then content containing it; `None` when nothing does.
/// Case-insensitive, as `ILIKE`.
pub fn search_rank(canned: &CannedResponse, search: &str) -> Option<u8> {
    let search = search.to_lowercase();
    let code = canned.short_code.to_lowercase();
    if code.starts_with(&search) {
        Some(3)
    } else if code.contains(&search) {
        Some(2)
    } else if canned.content.to_lowercase().contains(&search) {
        Some(1)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canned(code: &str, content: &str) -> CannedResponse {
        CannedResponse {
            id: CannedResponseId(1),
            account_id: AccountId(1),
            short_code: code.into(),
            content: content.into(),
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn short_code_and_content_are_required_and_codes_have_no_spaces() {
        let ok = NewCannedResponse::validate(AccountId(1), Some(" hi "), Some("Hello!")).unwrap();
        assert_eq!(ok.short_code, "hi");
        let err = NewCannedResponse::validate(AccountId(1), None, Some("x")).unwrap_err();
        assert_eq!(err.attributes, ["short_code"]);
        let err = NewCannedResponse::validate(AccountId(1), Some("a"), Some(" ")).unwrap_err();
        assert_eq!(err.attributes, ["content"]);
        let err = NewCannedResponse::validate(AccountId(1), Some("a b"), Some("x")).unwrap_err();
        assert_eq!(err.attributes, ["short_code"]);
        let err = CannedResponseChanges::validate(Some(""), None).unwrap_err();
        assert_eq!(err.attributes, ["short_code"]);
    }

    #[test]
    fn search_ranks_a_short_code_prefix_above_a_content_match() {
        assert_eq!(search_rank(&canned("Refund", "x"), "ref"), Some(3));
        assert_eq!(search_rank(&canned("the-refund", "x"), "REF"), Some(2));
        assert_eq!(
            search_rank(&canned("hi", "about your refund"), "refund"),
            Some(1)
        );
        assert_eq!(search_rank(&canned("hi", "hello"), "refund"), None);
    }
}
