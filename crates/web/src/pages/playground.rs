//! Settings › Dashboard apps › Playground: app authors host any http(s) URL, or a registered app,
//! with sample or real context, and watch every message both ways. Administrators only, as the
//! rest of the dashboard-app settings. The page is a shell; `dashboard-app-playground.js` drives
//! the frame through the same `AppBridge` the conversation view uses, so what works here works
//! there.

use super::{render, Layout};
use crate::auth::PageAdmin;
use crate::csp::Csp;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use domain::app_capability::{Capability, CAPABILITIES};
use domain::app_placement::{PlacementInfo, PLACEMENTS};

/// The sample context the playground offers when no real conversation is picked: the fixture
/// the tests validate against the published schema, so authors see the real shape.
const SAMPLE_CONTEXT: &str = include_str!("../../../../tests/fixtures/app-context.sample.json");

/// A registered app the playground can host: its first frame (the playground shows one), and
/// the actions an administrator allowed it, which the playground's toggles start from.
pub struct AppChoice {
    pub id: i64,
    pub title: String,
    pub url: String,
    /// Space-separated action names (`insert-reply notify`).
    pub allowed: String,
    /// Its first placement, which the placement choice starts from.
    pub placement: &'static str,
}

#[derive(Template)]
#[template(path = "settings/dashboard_apps_playground.html")]
pub struct PlaygroundPage {
    pub layout: Layout,
    pub apps: Vec<AppChoice>,
    pub sample_context: &'static str,
    /// Every action, for the toggles.
    pub capabilities: &'static [Capability],
    /// Every placement, for the choice of where the frame is shown and what context it gets.
    pub placements: &'static [PlacementInfo],
}

/// `GET /app/accounts/{account_id}/settings/integrations/dashboard_apps/playground`. It may
/// frame any web page the author names, so its policy allows `http: https:` frames; scripts stay
/// our own.
pub async fn show(
    State(state): State<AppState>,
    PageAdmin(page): PageAdmin,
) -> Result<(Csp, Html<String>), PageError> {
    let viewer = crate::api::viewer(&state, &page.member).await?;
    let apps = state
        .store
        .dashboard_apps()
        .list(page.member.account_id)
        .await?
        .into_iter()
        // Disabled apps are listed (to try them before switching them on), apps this
        // administrator is not meant to see are not.
        .filter(|app| app.visible_to(&viewer))
        .filter_map(|app| {
            let url = app.content.first()?.url.clone();
            let allowed: Vec<&str> = app.allowed_actions.iter().map(|a| a.as_str()).collect();
            let placement = app
                .placements
                .first()
                .map_or("conversation_tab", |p| p.as_str());
            Some(AppChoice {
                id: app.id.get(),
                title: app.title,
                url,
                allowed: allowed.join(" "),
                placement,
            })
        })
        .collect();
    let html = render(&PlaygroundPage {
        layout: Layout::new(&page, "settings"),
        apps,
        sample_context: SAMPLE_CONTEXT,
        capabilities: &CAPABILITIES,
        placements: &PLACEMENTS,
    })?;
    Ok((Csp::any_web_frames(), html))
}
