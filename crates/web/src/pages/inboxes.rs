//! Settings › Inboxes: the account's API and website inboxes (name, webhook URL, the identifier the
//! Client API uses, a website inbox's widget settings and the snippet to paste into the site, the
//! agents who belong to it), added, edited and deleted by
//! `settings-resources.js` through the JSON API (the inbox, then `PATCH …/inbox_members` with
//! the chosen agents). Administrators only.

use super::{members_by, render, AgentChoice, Layout};
use crate::auth::PageAdmin;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;

pub struct InboxRow {
    pub id: i64,
    pub name: String,
    pub webhook_url: Option<String>,
    pub inbox_identifier: String,
    /// "Website" or "API".
    pub channel: &'static str,
    /// A website inbox's snippet (Chatwoot's `web_widget_script`).
    pub snippet: Option<String>,
    /// The members' names, by name.
    pub members: Vec<String>,
    /// `{"name", "webhook_url", "user_ids"}` and a website inbox's settings, for the edit form.
    pub values: String,
}

#[derive(Template)]
#[template(path = "settings/inboxes.html")]
pub struct IndexPage {
    pub layout: Layout,
    pub inboxes: Vec<InboxRow>,
    /// Everyone who can be made a member of an inbox.
    pub agents: Vec<AgentChoice>,
}

/// `GET /app/accounts/{account_id}/settings/inboxes`.
pub async fn index(
    State(state): State<AppState>,
    PageAdmin(page): PageAdmin,
) -> Result<Html<String>, PageError> {
    let account = page.member.account_id;
    let agents = AgentChoice::of(&state.store.users().agents(account).await?);
    let memberships = state.store.inbox_members().memberships(account).await?;
    let inboxes = state
        .store
        .inboxes()
        .list(account)
        .await?
        .into_iter()
        .map(|inbox| {
            let (ids, members) = members_by(&memberships, inbox.id, &agents);
            let mut values = serde_json::json!({
                "name": inbox.name,
                "webhook_url": inbox.webhook_url,
                "user_ids": ids,
                "type": "api",
                "working_hours_enabled": inbox.settings.business_hours.enabled,
                "timezone": inbox.settings.business_hours.timezone,
                "out_of_office_message": inbox.settings.business_hours.out_of_office_message,
                "working_hours": inbox.settings.business_hours.working_hours(),
            });
            if let Some(w) = &inbox.web_widget {
                values["type"] = "web_widget".into();
                values["website_url"] = w.website_url.clone().into();
                values["widget_color"] = w.widget_color.clone().into();
                values["welcome_title"] = w.welcome_title.clone().into();
                values["welcome_tagline"] = w.welcome_tagline.clone().into();
                values["reply_time"] = w.reply_time.clone().into();
                values["allowed_domains"] = w.allowed_domains.join(", ").into();
                values["hmac_mandatory"] = inbox.hmac_mandatory.into();
            }
            InboxRow {
                id: inbox.id.get(),
                values: values.to_string(),
                channel: if inbox.web_widget.is_some() {
                    "Website"
                } else {
                    "API"
                },
                snippet: inbox
                    .website_token()
                    .map(|token| domain::web_widget::script(state.config.public_url(), token)),
                name: inbox.name,
                webhook_url: inbox.webhook_url,
                inbox_identifier: inbox.inbox_identifier,
                members,
            }
        })
        .collect();
    render(&IndexPage {
        layout: Layout::new(&page, "inboxes"),
        inboxes,
        agents,
    })
}
