//! `api/v1/models/_inbox.json.jbuilder` for API and website inboxes. The HMAC token is shown to
//! administrators only, as Chatwoot does. The website channel's attributes are present (null)
//! on every inbox, as the jbuilder's `resource.channel.try(...)` writes them; the pre-chat form
//! only on website inboxes.

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Inbox {
    pub id: i64,
    pub avatar_url: String,
    pub channel_id: i64,
    pub name: String,
    pub channel_type: String,
    pub greeting_enabled: bool,
    pub greeting_message: Option<String>,
    pub working_hours_enabled: bool,
    pub enable_email_collect: bool,
    pub csat_survey_enabled: bool,
    pub enable_auto_assignment: bool,
    pub out_of_office_message: Option<String>,
    pub timezone: String,
    /// Chatwoot's `weekly_schedule`: seven days, Sunday first.
    pub working_hours: Vec<crate::WorkingHour>,
    pub allow_messages_after_resolved: bool,
    pub lock_to_single_conversation: bool,
    pub webhook_url: Option<String>,
    pub inbox_identifier: String,
    pub hmac_mandatory: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hmac_token: Option<String>,
    pub widget_color: Option<String>,
    pub website_url: Option<String>,
    pub welcome_title: Option<String>,
    pub welcome_tagline: Option<String>,
    /// The snippet to paste into the site (Chatwoot's `web_widget_script`), with this
    /// Switchboard's public URL as `BASE_URL`.
    pub web_widget_script: Option<String>,
    pub website_token: Option<String>,
    pub reply_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_chat_form_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub pre_chat_form_options: Option<Map<String, Value>>,
    /// Hosts allowed to embed the widget, comma-separated (empty: any).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_domains: Option<String>,
}

impl Inbox {
    /// With the snippet of a website inbox filled in, `public_url` (this Switchboard's base
    /// URL) as its `BASE_URL`.
    pub fn with_script(mut self, public_url: &str) -> Self {
        self.web_widget_script = self
            .website_token
            .as_deref()
            .map(|token| crate::web_widget::script(public_url, token));
        self
    }

    /// The inbox without its snippet (`web_widget_script` null until [`Self::with_script`]).
    pub fn new(inbox: &crate::Inbox, show_secrets: bool) -> Self {
        let widget = inbox.web_widget.as_ref();
        let hours = &inbox.settings.business_hours;
        Self {
            id: inbox.id.get(),
            avatar_url: String::new(),
            channel_id: inbox.id.get(),
            name: inbox.name.clone(),
            channel_type: inbox.channel_type.clone(),
            greeting_enabled: inbox.settings.greeting_enabled,
            greeting_message: inbox.settings.greeting_message.clone(),
            working_hours_enabled: hours.enabled,
            enable_email_collect: true,
            csat_survey_enabled: false,
            enable_auto_assignment: inbox.settings.enable_auto_assignment,
            out_of_office_message: hours.out_of_office_message.clone(),
            timezone: hours.timezone.clone(),
            working_hours: hours.working_hours(),
            allow_messages_after_resolved: true,
            lock_to_single_conversation: false,
            webhook_url: inbox.webhook_url.clone(),
            inbox_identifier: inbox.inbox_identifier.clone(),
            hmac_mandatory: inbox.hmac_mandatory,
            hmac_token: show_secrets.then(|| inbox.hmac_token.clone()),
            widget_color: widget.map(|w| w.widget_color.clone()),
            website_url: widget.map(|w| w.website_url.clone()),
            welcome_title: widget.and_then(|w| w.welcome_title.clone()),
            welcome_tagline: widget.and_then(|w| w.welcome_tagline.clone()),
            web_widget_script: None,
            website_token: inbox.website_token().map(str::to_owned),
            reply_time: widget.map(|w| w.reply_time.clone()),
            pre_chat_form_enabled: widget.map(|w| w.pre_chat_form_enabled),
            pre_chat_form_options: widget.map(|w| w.pre_chat_form_options.clone()),
            allowed_domains: widget.map(|w| w.allowed_domains.join(", ")),
        }
    }
}
