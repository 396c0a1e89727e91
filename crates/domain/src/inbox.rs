//! Inboxes: where conversations arrive. Only Chatwoot's API channel exists here.

use crate::{validate, AccountId, DomainError, InboxId};

/// Chatwoot's channel type for API inboxes, as the wire spells it.
pub const API_CHANNEL: &str = "Channel::Api";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbox {
    pub id: InboxId,
    pub account_id: AccountId,
    pub name: String,
    pub channel_type: String,
    pub webhook_url: Option<String>,
    /// The public id integrators use in the Client API (`/public/api/v1/inboxes/{identifier}`).
    pub inbox_identifier: String,
    /// The secret that signs contact identifiers (`identifier_hash`).
    pub hmac_token: String,
    /// Chatwoot's `hmac_mandatory`: Client API contacts only with a valid `identifier_hash`.
    pub hmac_mandatory: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewInbox {
    pub account_id: AccountId,
    pub name: String,
    pub webhook_url: Option<String>,
}

impl NewInbox {
    pub fn validate(
        account_id: AccountId,
        name: Option<&str>,
        webhook_url: Option<&str>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            account_id,
            name: validate::required("name", name, validate::MAX_SHORT_TEXT)?,
            webhook_url: webhook(webhook_url)?,
        })
    }
}

/// A partial update: `None` leaves the attribute alone.
#[derive(Debug, Clone, Default)]
pub struct InboxChanges {
    pub name: Option<String>,
    pub webhook_url: Option<Option<String>>,
    pub hmac_mandatory: Option<bool>,
}

impl InboxChanges {
    pub fn validate(name: Option<&str>, webhook_url: Option<&str>) -> Result<Self, DomainError> {
        Ok(Self {
            hmac_mandatory: None,
            name: name
                .map(|n| validate::required("name", Some(n), validate::MAX_SHORT_TEXT))
                .transpose()?,
            webhook_url: webhook_url.map(|u| webhook(Some(u))).transpose()?,
        })
    }
}

fn webhook(url: Option<&str>) -> Result<Option<String>, DomainError> {
    match validate::optional("webhook_url", url, 2048)? {
        None => Ok(None),
        Some(text) => crate::dashboard_app::http_url(&text)
            .map(|_| Some(text))
            .ok_or_else(|| {
                DomainError::invalid("webhook_url", "Webhook url must be an http(s) URL")
            }),
    }
}
