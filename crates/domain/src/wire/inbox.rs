//! `api/v1/models/_inbox.json.jbuilder` for API-channel inboxes. The HMAC token is shown to
//! administrators only, as Chatwoot does.

use serde::Serialize;

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
    pub timezone: &'static str,
    pub allow_messages_after_resolved: bool,
    pub lock_to_single_conversation: bool,
    pub webhook_url: Option<String>,
    pub inbox_identifier: String,
    pub hmac_mandatory: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hmac_token: Option<String>,
}

impl Inbox {
    pub fn new(inbox: &crate::Inbox, show_secrets: bool) -> Self {
        Self {
            id: inbox.id.get(),
            avatar_url: String::new(),
            channel_id: inbox.id.get(),
            name: inbox.name.clone(),
            channel_type: inbox.channel_type.clone(),
            greeting_enabled: inbox.settings.greeting_enabled,
            greeting_message: inbox.settings.greeting_message.clone(),
            working_hours_enabled: false,
            enable_email_collect: true,
            csat_survey_enabled: false,
            enable_auto_assignment: inbox.settings.enable_auto_assignment,
            out_of_office_message: None,
            timezone: "UTC",
            allow_messages_after_resolved: true,
            lock_to_single_conversation: false,
            webhook_url: inbox.webhook_url.clone(),
            inbox_identifier: inbox.inbox_identifier.clone(),
            hmac_mandatory: inbox.hmac_mandatory,
            hmac_token: show_secrets.then(|| inbox.hmac_token.clone()),
        }
    }
}
