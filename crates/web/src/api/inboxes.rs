//! `/api/v1/accounts/{account_id}/inboxes` for API and website inboxes (`inboxes_controller.rb`):
//! `channel.type` is `api` or `web_widget`, the website channel's settings nested under
//! `channel` as Chatwoot's `Channel::WebWidget::EDITABLE_ATTRS`.

use super::{path_id, Payload};
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{Resource, Wrapped};
use crate::openapi::{AccountPath, ResourcePath};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use domain::business_hours::{self, BusinessHoursChanges};
use domain::web_widget::WebWidgetFields;
use domain::wire::InboxDeleted;
use domain::{wire, Inbox, InboxChanges, InboxId, Member, NewInbox, WebWidget, WebWidgetChanges};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct InboxParams {
    name: Option<String>,
    webhook_url: Option<String>,
    /// Client API contacts only with a valid `identifier_hash` (also under `channel`).
    hmac_mandatory: Option<bool>,
    /// Round-robin assignment among the inbox's online members (default on).
    enable_auto_assignment: Option<bool>,
    greeting_enabled: Option<bool>,
    greeting_message: Option<String>,
    // Chatwoot's settings Switchboard does not have: accepted only with the value Switchboard
    // behaves as (and reports), refused otherwise, never dropped silently.
    /// Always `true`.
    enable_email_collect: Option<bool>,
    /// Always `false`.
    csat_survey_enabled: Option<bool>,
    /// Business hours on: the widget shows the away state outside `working_hours`.
    working_hours_enabled: Option<bool>,
    /// What the widget says while the inbox is closed (blank clears it).
    out_of_office_message: Option<String>,
    /// An IANA time zone name (`Europe/Berlin`); `working_hours` are in it.
    timezone: Option<String>,
    /// Chatwoot's `working_hours` entries (`day_of_week` 0 is Sunday); the days given replace
    /// those days, the others stay.
    #[schema(value_type = Option<Vec<domain::WorkingHour>>)]
    working_hours: Option<serde_json::Value>,
    /// Always `true`.
    allow_messages_after_resolved: Option<bool>,
    /// Always `false`.
    lock_to_single_conversation: Option<bool>,
    /// Chatwoot nests channel settings: `{"channel": {"type": "api", "webhook_url": ...}}`.
    channel: Option<ChannelParams>,
}

impl InboxParams {
    /// A 422 naming the first setting asked to differ from how Switchboard's inboxes behave.
    fn check_fixed_settings(&self) -> Result<(), ApiError> {
        let differs = |name: &'static str, asked: Option<bool>, fixed: bool| {
            asked.is_some_and(|asked| asked != fixed).then_some(name)
        };
        let refused = differs("enable_email_collect", self.enable_email_collect, true)
            .or(differs(
                "csat_survey_enabled",
                self.csat_survey_enabled,
                false,
            ))
            .or(differs(
                "allow_messages_after_resolved",
                self.allow_messages_after_resolved,
                true,
            ))
            .or(differs(
                "lock_to_single_conversation",
                self.lock_to_single_conversation,
                false,
            ));
        match refused {
            None => Ok(()),
            Some(name) => Err(domain::DomainError::invalid(
                name,
                format!("{name} is not supported by Switchboard's inboxes; only its default value is accepted"),
            )
            .into()),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ChannelParams {
    /// `api` (the default) or `web_widget`.
    #[serde(rename = "type")]
    kind: Option<String>,
    webhook_url: Option<String>,
    hmac_mandatory: Option<bool>,
    /// Website inboxes: required on create.
    website_url: Option<String>,
    /// `#rrggbb`.
    widget_color: Option<String>,
    welcome_title: Option<String>,
    welcome_tagline: Option<String>,
    /// `in_a_few_minutes`, `in_a_few_hours` or `in_a_day`.
    reply_time: Option<String>,
    pre_chat_form_enabled: Option<bool>,
    #[schema(value_type = Option<Object>)]
    pre_chat_form_options: Option<serde_json::Value>,
    /// Hosts whose pages may embed the widget, comma-separated (`example.com, *.example.com`);
    /// empty: any site.
    allowed_domains: Option<String>,
}

impl ChannelParams {
    fn widget_changes(&self) -> Result<WebWidgetChanges, ApiError> {
        Ok(WebWidgetChanges::validate(WebWidgetFields {
            website_url: self.website_url.as_deref(),
            widget_color: self.widget_color.as_deref(),
            welcome_title: self.welcome_title.as_deref(),
            welcome_tagline: self.welcome_tagline.as_deref(),
            reply_time: self.reply_time.as_deref(),
            pre_chat_form_enabled: self.pre_chat_form_enabled,
            pre_chat_form_options: self.pre_chat_form_options.clone(),
            allowed_domains: self.allowed_domains.as_deref(),
        })?)
    }
}

impl Resource for InboxParams {
    const KEY: &'static str = "inbox";
}

impl InboxParams {
    fn webhook_url(&self) -> Option<&str> {
        self.webhook_url
            .as_deref()
            .or(self.channel.as_ref().and_then(|c| c.webhook_url.as_deref()))
    }

    fn hmac_mandatory(&self) -> Option<bool> {
        self.hmac_mandatory
            .or(self.channel.as_ref().and_then(|c| c.hmac_mandatory))
    }

    /// The changes this body asks for, validated.
    fn changes(&self) -> Result<InboxChanges, ApiError> {
        self.check_fixed_settings()?;
        Ok(InboxChanges {
            web_widget: self
                .channel
                .as_ref()
                .map(ChannelParams::widget_changes)
                .transpose()?,
            hmac_mandatory: self.hmac_mandatory(),
            enable_auto_assignment: self.enable_auto_assignment,
            greeting_enabled: self.greeting_enabled,
            greeting_message: self
                .greeting_message
                .as_deref()
                .map(|m| domain::inbox::greeting(Some(m)))
                .transpose()?,
            business_hours: self.business_hours()?,
            ..InboxChanges::validate(self.name.as_deref(), self.webhook_url())?
        })
    }

    fn business_hours(&self) -> Result<BusinessHoursChanges, ApiError> {
        Ok(BusinessHoursChanges {
            enabled: self.working_hours_enabled,
            out_of_office_message: self
                .out_of_office_message
                .as_deref()
                .map(|m| business_hours::out_of_office_message(Some(m)))
                .transpose()?,
            timezone: self
                .timezone
                .as_deref()
                .map(business_hours::timezone)
                .transpose()?,
            days: self
                .working_hours
                .as_ref()
                .map(business_hours::working_hours)
                .transpose()?
                .unwrap_or_default(),
        })
    }

    /// Whether the body asks for a website inbox (`channel.type` `web_widget`); any type but
    /// `api` and `web_widget` is refused.
    fn is_web_widget(&self) -> Result<bool, ApiError> {
        match self.channel.as_ref().and_then(|c| c.kind.as_deref()) {
            None | Some("api") => Ok(false),
            Some("web_widget") => Ok(true),
            Some(_) => Err(domain::DomainError::invalid(
                "channel",
                "Only the api and web_widget channel types are supported",
            )
            .into()),
        }
    }
}

/// The inbox as the API shows it to `member`, the website snippet naming this Switchboard.
fn shown(state: &AppState, inbox: &Inbox, show_secrets: bool) -> wire::Inbox {
    wire::Inbox::new(inbox, show_secrets).with_script(state.config.public_url())
}

impl InboxParams {}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/inboxes",
    tag = "inboxes",
    params(AccountPath),
    responses((status = 200, body = Payload<Vec<wire::Inbox>>, description = "`hmac_token` for administrators only"))
)]
pub async fn index(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Payload<Vec<wire::Inbox>>>, ApiError> {
    let inboxes = state.store.inboxes().visible(&member).await?;
    let payload = inboxes
        .iter()
        .map(|inbox| shown(&state, inbox, member.is_admin()))
        .collect();
    Ok(Json(Payload { payload }))
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/inboxes/{id}",
    tag = "inboxes",
    params(ResourcePath),
    responses((status = 200, body = wire::Inbox))
)]
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<wire::Inbox>, ApiError> {
    let inbox = state
        .store
        .inboxes()
        .find_visible(&member, InboxId(path_id(&id)?))
        .await?;
    Ok(Json(shown(&state, &inbox, member.is_admin())))
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/inboxes",
    tag = "inboxes",
    params(AccountPath),
    request_body = InboxParams,
    responses((status = 200, body = wire::Inbox))
)]
pub async fn create(
    State(state): State<AppState>,
    Admin(member): Admin,
    Wrapped(params): Wrapped<InboxParams>,
) -> Result<Json<wire::Inbox>, ApiError> {
    let web_widget = params.is_web_widget()?;
    let changes = params.changes()?;
    let mut new = NewInbox::validate(
        member.account_id,
        params.name.as_deref(),
        params.webhook_url(),
    )?;
    new.hmac_mandatory = changes.hmac_mandatory.unwrap_or(false);
    new.settings.apply(&changes);
    if web_widget {
        let widget_changes = changes.web_widget.clone().unwrap_or_default();
        new.web_widget = Some(WebWidget::create(&widget_changes)?);
    }
    let inbox = state.store.inboxes().create(&new).await?;
    Ok(Json(shown(&state, &inbox, true)))
}

#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/inboxes/{id}",
    tag = "inboxes",
    params(ResourcePath),
    request_body = InboxParams,
    responses((status = 200, body = wire::Inbox))
)]
pub async fn update(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
    Wrapped(params): Wrapped<InboxParams>,
) -> Result<Json<wire::Inbox>, ApiError> {
    let changes = params.changes()?;
    let inbox = state
        .store
        .inboxes()
        .update(member.account_id, InboxId(path_id(&id)?), &changes)
        .await?;
    Ok(Json(shown(&state, &inbox, true)))
}

/// `POST …/inboxes/{id}/rotate_hmac_token` (Chatwoot's `InboxSecretManagement`): a new HMAC
/// token; identifier hashes signed with the old one stop verifying at once.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/inboxes/{id}/rotate_hmac_token",
    tag = "inboxes",
    params(ResourcePath),
    responses((status = 200, body = wire::Inbox))
)]
pub async fn rotate_hmac_token(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<wire::Inbox>, ApiError> {
    let inbox = state
        .store
        .inboxes()
        .rotate_hmac_token(member.account_id, InboxId(path_id(&id)?))
        .await?;
    Ok(Json(shown(&state, &inbox, true)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/inboxes/{id}",
    tag = "inboxes",
    params(ResourcePath),
    responses((status = 200, body = InboxDeleted))
)]
pub async fn destroy(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<InboxDeleted>, ApiError> {
    state
        .store
        .by(member.user.id)
        .inboxes()
        .delete(member.account_id, InboxId(path_id(&id)?))
        .await?;
    Ok(Json(InboxDeleted {
        message: "Your inbox deletion request will be processed in some time.",
    }))
}
