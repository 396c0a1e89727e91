//! Inboxes: where conversations arrive. Chatwoot's API channel, and its website channel whose
//! widget settings are `web_widget::WebWidget`.

use crate::business_hours::{BusinessHours, BusinessHoursChanges};
use crate::web_widget::{WebWidget, WebWidgetChanges, WEB_WIDGET_CHANNEL};
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
    pub settings: InboxSettings,
    /// Set exactly when `channel_type` is [`WEB_WIDGET_CHANNEL`].
    pub web_widget: Option<WebWidget>,
    pub created_at: i64,
}

impl Inbox {
    /// The website token of a website inbox (its `inbox_identifier`: one random public id
    /// serves the snippet and the Client API alike).
    pub fn website_token(&self) -> Option<&str> {
        self.web_widget
            .as_ref()
            .map(|_| self.inbox_identifier.as_str())
    }

    /// Whether every caller of the Client API must prove an identity. On an API inbox that is
    /// what `hmac_mandatory` means; on a website inbox anonymous visitors still chat and only
    /// `setUser` needs a valid `identifier_hash` (Chatwoot's `widget/contacts#set_user`).
    pub fn requires_verified_contacts(&self) -> bool {
        self.hmac_mandatory && self.web_widget.is_none()
    }

    /// Whether a caller that has `proven` its identifier (now or before) may go on, when it
    /// `claims_identifier` (sends one) or not (see [`Self::requires_verified_contacts`]).
    pub fn accepts_identity(&self, proven: bool, claims_identifier: bool) -> bool {
        let needed =
            self.requires_verified_contacts() || (self.hmac_mandatory && claims_identifier);
        proven || !needed
    }
}

/// The inbox settings Chatwoot's clients send and read back, stored as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxSettings {
    /// Round-robin assignment of new conversations among the inbox's online members.
    pub enable_auto_assignment: bool,
    /// Whether `greeting_message` is sent when a conversation starts.
    pub greeting_enabled: bool,
    pub greeting_message: Option<String>,
    /// When the inbox is open, and what the widget says while it is not.
    pub business_hours: BusinessHours,
}

impl Default for InboxSettings {
    /// Chatwoot's defaults for a new inbox.
    fn default() -> Self {
        Self {
            enable_auto_assignment: true,
            greeting_enabled: false,
            greeting_message: None,
            business_hours: BusinessHours::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewInbox {
    pub account_id: AccountId,
    pub name: String,
    pub webhook_url: Option<String>,
    pub hmac_mandatory: bool,
    pub settings: InboxSettings,
    /// A website inbox's widget; `None` for an API inbox.
    pub web_widget: Option<WebWidget>,
}

impl NewInbox {
    pub fn channel_type(&self) -> &'static str {
        if self.web_widget.is_some() {
            WEB_WIDGET_CHANNEL
        } else {
            API_CHANNEL
        }
    }

    pub fn validate(
        account_id: AccountId,
        name: Option<&str>,
        webhook_url: Option<&str>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            account_id,
            name: validate::required("name", name, validate::MAX_SHORT_TEXT)?,
            webhook_url: webhook(webhook_url)?,
            hmac_mandatory: false,
            settings: InboxSettings::default(),
            web_widget: None,
        })
    }
}

/// A partial update: `None` leaves the attribute alone.
#[derive(Debug, Clone, Default)]
pub struct InboxChanges {
    pub name: Option<String>,
    pub webhook_url: Option<Option<String>>,
    pub hmac_mandatory: Option<bool>,
    pub enable_auto_assignment: Option<bool>,
    pub greeting_enabled: Option<bool>,
    /// `Some(None)` clears the greeting.
    pub greeting_message: Option<Option<String>>,
    /// A website inbox's widget settings (ignored for an API inbox).
    pub web_widget: Option<WebWidgetChanges>,
    pub business_hours: BusinessHoursChanges,
}

impl InboxChanges {
    pub fn validate(name: Option<&str>, webhook_url: Option<&str>) -> Result<Self, DomainError> {
        Ok(Self {
            hmac_mandatory: None,
            enable_auto_assignment: None,
            greeting_enabled: None,
            greeting_message: None,
            web_widget: None,
            business_hours: BusinessHoursChanges::default(),
            name: name
                .map(|n| validate::required("name", Some(n), validate::MAX_SHORT_TEXT))
                .transpose()?,
            webhook_url: webhook_url.map(|u| webhook(Some(u))).transpose()?,
        })
    }
}

impl InboxSettings {
    /// These settings with `changes` applied.
    pub fn apply(&mut self, changes: &InboxChanges) {
        if let Some(on) = changes.enable_auto_assignment {
            self.enable_auto_assignment = on;
        }
        if let Some(on) = changes.greeting_enabled {
            self.greeting_enabled = on;
        }
        if let Some(message) = &changes.greeting_message {
            self.greeting_message = message.clone();
        }
        self.business_hours.apply(&changes.business_hours);
    }
}

/// A greeting as an administrator typed it: trimmed, blank clears it.
pub fn greeting(message: Option<&str>) -> Result<Option<String>, DomainError> {
    validate::optional("greeting_message", message, validate::MAX_MESSAGE)
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
