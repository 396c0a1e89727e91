//! The Chatwoot-compatible JSON API: one module per resource, handlers named after Chatwoot's
//! controller actions. Each parses, authorizes, calls domain and store, publishes, serializes.

pub mod agents;
pub mod app_actions;
pub mod app_requests;
pub mod auth;
pub mod availability;
pub mod canned_responses;
pub mod contact_inboxes;
pub mod contact_labels;
pub mod contact_notes;
pub mod contacts;
pub mod conversations;
pub mod custom_attribute_definitions;
pub mod dashboard_apps;
pub mod filters;
pub mod health;
pub mod inbox_members;
pub mod inboxes;
pub mod labels;
pub mod messages;
pub mod profile;
pub mod public;
pub mod signing_keys;
pub mod team_members;
pub mod teams;
pub mod webhooks;

use crate::error::ApiError;
use domain::{ConversationView, Member};
use store::Store;

/// A numeric id from the path; anything else is a 404, as an unknown id is.
pub fn path_id(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(ApiError::NotFound)
}

/// The last value of `name` in a raw query string, percent-decoded. Query strings are read by
/// hand so that a repeated or malformed parameter is judged by the handler (a 422 naming it),
/// never turned into a plain-text 400 by an extractor.
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(key, _)| key == name)
        .last()
        .map(|(_, value)| value.into_owned())
}

/// Who `member` is to an app's visibility rules: their role and their teams in the account.
pub async fn viewer(
    state: &crate::AppState,
    member: &Member,
) -> Result<domain::app_visibility::Viewer, store::StoreError> {
    let team_ids = state
        .store
        .teams()
        .team_ids_of(member.account_id, member.user.id)
        .await?;
    Ok(domain::app_visibility::Viewer {
        role: member.role,
        team_ids,
    })
}

/// The context token for `app`: who is asking (`member`) about what (`view`, or nothing for a
/// sidebar app), issued by the configured public URL (never by a request header: a `Host` or
/// `X-Forwarded-Proto` would let the caller choose `iss`), valid for the configured lifetime.
/// Signed as the app chose: EdDSA with the server's current key, or HS256 with the app's secret
/// (`None` for an HS256 app made before secrets existed).
pub async fn sign_context(
    state: &crate::AppState,
    member: &Member,
    app: &domain::DashboardApp,
    view: Option<&ConversationView>,
) -> Result<Option<String>, ApiError> {
    use domain::context_token::{Claims, Subject};
    let subject = Subject {
        issuer: state.config.public_url(),
        app_id: app.id.get(),
        agent: member,
        view,
    };
    let claims = Claims::new(
        &subject,
        domain::time::now(),
        state.config.app_token_lifetime,
    );
    sign_claims(state, member, app, &claims).await
}

/// `claims` signed as `app` chose (see [`sign_context`]); for contexts whose subject is not a
/// conversation, such as a contact's page.
pub async fn sign_claims(
    state: &crate::AppState,
    member: &Member,
    app: &domain::DashboardApp,
    claims: &domain::context_token::Claims,
) -> Result<Option<String>, ApiError> {
    use domain::context_token::TokenAlgorithm;
    match app.token_algorithm {
        TokenAlgorithm::EdDsa => {
            let key = state.store.signing_keys().current().await?;
            let token = key.sign(claims).ok_or_else(|| {
                ApiError::Internal(format!("signing key {} is unreadable", key.kid))
            })?;
            Ok(Some(token))
        }
        TokenAlgorithm::Hs256 => Ok(state
            .store
            .dashboard_apps()
            .signing_secret(member.account_id, app.id)
            .await?
            .map(|secret| domain::context_token::sign(claims, &secret))),
    }
}

/// Checks custom attribute values about to be written against the account's definitions of
/// `model`: a 422 naming the attribute key when one does not fit its definition. Keys without a
/// definition are stored as given, as Chatwoot stores them.
pub async fn check_custom_attributes(
    store: &Store,
    account_id: domain::AccountId,
    model: domain::AttributeModel,
    attributes: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), ApiError> {
    if attributes.is_empty() {
        return Ok(());
    }
    let definitions = store
        .custom_attribute_definitions()
        .list(account_id, Some(model))
        .await?;
    domain::custom_attribute_definition::check_values(&definitions, model, attributes)?;
    Ok(())
}

pub use domain::wire::Payload;
