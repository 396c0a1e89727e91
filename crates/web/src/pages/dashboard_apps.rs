//! Settings › Integrations › Dashboard apps: list in order, add, edit (name, URL, where the app
//! shows, for which inboxes, which actions it may take, how its tokens are signed, enabled, who
//! sees it, its settings and request hosts), fill in its settings and read its request log, move
//! up and down, delete.
//! Administrators only; the page's script talks to the JSON API with the session's CSRF token.

use super::{render, Layout};
use crate::auth::PageAdmin;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use domain::app_capability::{Capability, CAPABILITIES};
use domain::app_placement::{Placement, PlacementInfo, PLACEMENTS};
use domain::DisplayType;

pub struct AppRow {
    pub id: i64,
    pub title: String,
    pub url: String,
    /// Every frame URL, one per line, for the edit form.
    pub urls: String,
    pub enabled: bool,
    pub position: i64,
    pub sidebar: bool,
    /// The inbox ids it is limited to, comma-separated (empty: all), for the edit form.
    pub inbox_ids: String,
    /// "All inboxes" or their names.
    pub inboxes_label: String,
    /// The allowed actions, space-separated, for the edit form.
    pub allowed_actions: String,
    /// "None" or the actions' names.
    pub actions_label: String,
    /// "EdDSA" or "HS256", for the edit form.
    pub token_algorithm: &'static str,
    /// Its placements' names, space-separated, for the edit form.
    pub placements: String,
    /// Shown as a conversation tab.
    pub tab: bool,
    /// The placements beside its tab or page ("Panel beside the conversation"), for the list.
    pub also_label: String,
    /// Settings, request hosts and visibility (issue 14), for the dialogs.
    pub extra: AppSettingsRow,
}

/// What the settings and visibility parts of the dialogs need of one app.
pub struct AppSettingsRow {
    /// The roles it is limited to, space-separated (empty: all).
    pub roles: String,
    /// The teams it is limited to, comma-separated (empty: all).
    pub team_ids: String,
    /// "Everyone" or who sees it.
    pub visibility_label: String,
    /// The settings schema, as JSON.
    pub schema_json: String,
    /// The non-secret values, as JSON.
    pub values_json: String,
    /// The keys of the secrets that have a value, space-separated.
    pub secrets_set: String,
    /// The request hosts, one per line.
    pub request_hosts: String,
}

impl AppSettingsRow {
    fn new(app: &domain::DashboardApp, secrets_set: &[String], teams: &[TeamChoice]) -> Self {
        let roles: Vec<&str> = app.visibility.roles.iter().map(|r| r.as_str()).collect();
        let team_names: Vec<String> = app
            .visibility
            .team_ids
            .iter()
            .map(|id| {
                teams
                    .iter()
                    .find(|t| t.id == id.get())
                    .map_or_else(|| format!("Team {id} (deleted)"), |t| t.name.clone())
            })
            .collect();
        let visibility_label = match (roles.is_empty(), team_names.is_empty()) {
            (true, true) => "Everyone".to_owned(),
            (false, true) => format!("Roles: {}", roles.join(", ")),
            (true, false) => format!("Teams: {}", team_names.join(", ")),
            (false, false) => format!(
                "Roles: {}; teams: {}",
                roles.join(", "),
                team_names.join(", ")
            ),
        };
        Self {
            roles: roles.join(" "),
            team_ids: join(app.visibility.team_ids.iter().map(|id| id.to_string()), ","),
            visibility_label,
            schema_json: serde_json::to_string(&app.settings.schema)
                .expect("setting definitions serialize"),
            values_json: serde_json::Value::Object(app.settings.values.clone()).to_string(),
            secrets_set: secrets_set.join(" "),
            request_hosts: app.settings.request_hosts.join("\n"),
        }
    }
}

pub struct TeamChoice {
    pub id: i64,
    pub name: String,
}

pub struct InboxChoice {
    pub id: i64,
    pub name: String,
}

#[derive(Template)]
#[template(path = "settings/dashboard_apps.html")]
pub struct IndexPage {
    pub layout: Layout,
    pub apps: Vec<AppRow>,
    pub inboxes: Vec<InboxChoice>,
    /// Every action, for the dialog's checkboxes.
    pub capabilities: &'static [Capability],
    /// The account's teams, for the dialog's visibility checkboxes.
    pub teams: Vec<TeamChoice>,
    /// The placements besides a tab or a full page (the dialog's "Also show it").
    pub extra_placements: Vec<&'static PlacementInfo>,
}

/// Placements the dialog offers beside its tab-or-page choice.
fn is_extra(placement: Placement) -> bool {
    !matches!(
        placement,
        Placement::ConversationTab | Placement::FullPage | Placement::Modal
    )
}

/// `GET /app/accounts/{account_id}/settings/integrations/dashboard_apps`.
pub async fn index(
    State(state): State<AppState>,
    PageAdmin(page): PageAdmin,
) -> Result<Html<String>, PageError> {
    let inboxes = state.store.inboxes().list(page.member.account_id).await?;
    let inbox_name = |id: domain::InboxId| {
        inboxes.iter().find(|inbox| inbox.id == id).map_or_else(
            || format!("Inbox {id} (deleted)"),
            |inbox| inbox.name.clone(),
        )
    };
    let teams: Vec<TeamChoice> = state
        .store
        .teams()
        .list(page.member.account_id)
        .await?
        .into_iter()
        .map(|team| TeamChoice {
            id: team.id.get(),
            name: team.name,
        })
        .collect();
    let secrets = state
        .store
        .dashboard_app_secrets()
        .keys_by_app(page.member.account_id)
        .await?;
    let no_secrets = Vec::new();
    let apps = state
        .store
        .dashboard_apps()
        .list(page.member.account_id)
        .await?
        .into_iter()
        .map(|app| AppRow {
            id: app.id.get(),
            url: app
                .content
                .first()
                .map(|f| f.url.clone())
                .unwrap_or_default(),
            urls: app
                .content
                .iter()
                .map(|f| f.url.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            enabled: app.enabled,
            position: app.position,
            sidebar: app.display_type == DisplayType::Sidebar,
            placements: join(app.placements.iter().map(|p| p.as_str()), " "),
            tab: app.placements.contains(&Placement::ConversationTab),
            also_label: join(
                app.placements
                    .iter()
                    .filter(|p| is_extra(**p))
                    .map(|p| p.info().label),
                ", ",
            ),
            inbox_ids: join(app.inbox_ids.iter().map(|id| id.to_string()), ","),
            inboxes_label: if app.inbox_ids.is_empty() {
                "All inboxes".to_owned()
            } else {
                join(app.inbox_ids.iter().map(|id| inbox_name(*id)), ", ")
            },
            allowed_actions: join(app.allowed_actions.iter().map(|a| a.as_str()), " "),
            actions_label: if app.allowed_actions.is_empty() {
                "None".to_owned()
            } else {
                join(app.allowed_actions.iter().map(|a| a.as_str()), ", ")
            },
            token_algorithm: app.token_algorithm.as_str(),
            extra: AppSettingsRow::new(&app, secrets.get(&app.id).unwrap_or(&no_secrets), &teams),
            title: app.title,
        })
        .collect();
    render(&IndexPage {
        layout: Layout::new(&page, "settings"),
        apps,
        inboxes: inboxes
            .into_iter()
            .map(|inbox| InboxChoice {
                id: inbox.id.get(),
                name: inbox.name,
            })
            .collect(),
        capabilities: &CAPABILITIES,
        extra_placements: PLACEMENTS
            .iter()
            .filter(|p| is_extra(p.placement))
            .collect(),
        teams,
    })
}

fn join<S: AsRef<str>>(parts: impl Iterator<Item = S>, separator: &str) -> String {
    parts
        .map(|part| part.as_ref().to_owned())
        .collect::<Vec<_>>()
        .join(separator)
}
