//! `/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations`
//! (`inboxes/conversations_controller.rb`): the contact's conversations in the inbox, opening
//! one, showing one, resolving it (`toggle_status`) and the contact's typing (`toggle_typing`).

use super::{as_seen_by, contact_inbox, conversation};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::openapi::{ContactInboxPath, PublicConversationPath};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::Json;
use domain::conversation::StatusChange;
use domain::{wire, NewConversation, Status, User, UserId};
use serde::Deserialize;
use serde_json::Value;

#[utoipa::path(
    get,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations",
    tag = "public_conversations",
    security(()),
    params(ContactInboxPath),
    responses((status = 200, body = Vec<wire::PublicConversation>))
)]
pub async fn index(
    State(state): State<AppState>,
    Path((inbox_identifier, source_id)): Path<(String, String)>,
) -> Result<Json<Vec<wire::PublicConversation>>, ApiError> {
    let ci = contact_inbox(&state.store, &inbox_identifier, &source_id).await?;
    let mut conversations = Vec::new();
    for display_id in state.store.contact_inboxes().conversations(&ci).await? {
        let view = state
            .store
            .conversations()
            .find(ci.account_id(), display_id)
            .await?;
        conversations.push(as_seen_by(&ci, &view, state.presence()));
    }
    Ok(Json(conversations))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = PublicConversationParams)]
pub struct CreateParams {
    custom_attributes: Option<Value>,
    /// Website inboxes: the page the visitor started on (`additional_attributes.referer`).
    referer_url: Option<String>,
    /// Website inboxes: the visitor's clock (`additional_attributes.initiated_at.timestamp`).
    timestamp: Option<String>,
    /// Website inboxes: the browser's language, when `Accept-Language` says none.
    browser_language: Option<String>,
}

/// `POST …/conversations`: an open conversation of this contact inbox, without a message yet.
/// In a website inbox it records what the visitor's browser tells, as Chatwoot's widget does
/// (`browser` from the `User-Agent`, `browser_language`, `referer`, `initiated_at`).
#[utoipa::path(
    post,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations",
    tag = "public_conversations",
    security(()),
    params(ContactInboxPath),
    request_body = CreateParams,
    responses((status = 200, body = wire::PublicConversation))
)]
pub async fn create(
    State(state): State<AppState>,
    Path((inbox_identifier, source_id)): Path<(String, String)>,
    headers: HeaderMap,
    JsonBody(p): JsonBody<CreateParams>,
) -> Result<Json<wire::PublicConversation>, ApiError> {
    let ci = contact_inbox(&state.store, &inbox_identifier, &source_id).await?;
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let visitor = ci.inbox.web_widget.as_ref().map(|_| {
        let language = header(header::ACCEPT_LANGUAGE).or(p.browser_language.as_deref());
        Value::Object(domain::browser::visitor_attributes(
            header(header::USER_AGENT),
            p.referer_url.as_deref(),
            p.timestamp.as_deref(),
            language,
        ))
    });
    let new = NewConversation::validate(
        ci.account_id(),
        Some(ci.inbox.id.get()),
        Some(ci.contact_id.get()),
        Some(&ci.source_id),
        None,
        None,
        p.custom_attributes,
        visitor,
        None,
    )?;
    let model = domain::AttributeModel::ConversationAttribute;
    crate::api::check_custom_attributes(
        &state.store,
        ci.account_id(),
        model,
        &new.custom_attributes,
    )
    .await?;
    let outcome = state.store.conversations().create(&new).await?;
    Ok(Json(as_seen_by(&ci, &outcome.value, state.presence())))
}

#[utoipa::path(
    get,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}",
    tag = "public_conversations",
    security(()),
    params(PublicConversationPath),
    responses((status = 200, body = wire::PublicConversation))
)]
pub async fn show(
    State(state): State<AppState>,
    Path((inbox_identifier, source_id, id)): Path<(String, String, String)>,
) -> Result<Json<wire::PublicConversation>, ApiError> {
    let (ci, view) = conversation(&state.store, &inbox_identifier, &source_id, &id).await?;
    Ok(Json(as_seen_by(&ci, &view, state.presence())))
}

/// `POST …/conversations/{id}/toggle_status`: the contact resolves the conversation (a resolved
/// one is left as it is, as Chatwoot does).
#[utoipa::path(
    post,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/toggle_status",
    tag = "public_conversations",
    security(()),
    params(PublicConversationPath),
    responses((status = 200, body = wire::PublicConversation))
)]
pub async fn toggle_status(
    State(state): State<AppState>,
    Path((inbox_identifier, source_id, id)): Path<(String, String, String)>,
) -> Result<Json<wire::PublicConversation>, ApiError> {
    let (ci, view) = conversation(&state.store, &inbox_identifier, &source_id, &id).await?;
    if view.conversation.status == Status::Resolved {
        return Ok(Json(as_seen_by(&ci, &view, state.presence())));
    }
    let change = StatusChange {
        status: Status::Resolved,
        snoozed_until: None,
    };
    // The activity line names who resolved it; here that is the contact, not an agent, so the
    // store is handed a stand-in carrying only the contact's name.
    let resolver = User {
        id: UserId(0),
        name: view
            .contact
            .name
            .clone()
            .unwrap_or_else(|| "the contact".into()),
        email: String::new(),
        display_name: None,
        pubsub_token: String::new(),
    };
    let outcome = state
        .store
        .conversations()
        .set_status(&view, change, &resolver)
        .await?;
    Ok(Json(as_seen_by(&ci, &outcome.value, state.presence())))
}

/// `POST …/conversations/{id}/update_last_seen`: the contact has read the conversation up to
/// now (`contact_last_seen_at`); agents' views hear it as `conversation.updated`.
#[utoipa::path(
    post,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/update_last_seen",
    tag = "public_conversations",
    security(()),
    params(PublicConversationPath),
    responses((status = 200, description = "Recorded"))
)]
pub async fn update_last_seen(
    State(state): State<AppState>,
    Path((inbox_identifier, source_id, id)): Path<(String, String, String)>,
) -> Result<axum::http::StatusCode, ApiError> {
    let (_, view) = conversation(&state.store, &inbox_identifier, &source_id, &id).await?;
    state
        .store
        .conversations()
        .mark_read_by_contact(&view)
        .await?;
    Ok(axum::http::StatusCode::OK)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = PublicTypingParams)]
pub struct TypingParams {
    typing_status: Option<String>,
}

/// `POST …/conversations/{id}/toggle_typing`: the contact is typing (`on`) or stopped (`off`);
/// the agents' sockets hear `conversation.typing_on`/`typing_off` with the contact as `user`,
/// as Chatwoot dispatches it. Nothing is stored.
#[utoipa::path(
    post,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/toggle_typing",
    tag = "public_conversations",
    security(()),
    params(PublicConversationPath),
    request_body = TypingParams,
    responses((status = 200, description = "Announced on `/cable`"))
)]
pub async fn toggle_typing(
    State(state): State<AppState>,
    Path((inbox_identifier, source_id, id)): Path<(String, String, String)>,
    JsonBody(p): JsonBody<TypingParams>,
) -> Result<axum::http::StatusCode, ApiError> {
    let on = crate::api::conversations::typing_on(p.typing_status.as_deref())?;
    let (_, view) = conversation(&state.store, &inbox_identifier, &source_id, &id).await?;
    let c = &view.conversation;
    state.bus.publish(vec![domain::Event::Typing {
        account_id: c.account_id,
        inbox_id: c.inbox_id,
        conversation_id: c.id,
        typist: domain::Typist::Contact(c.contact_id),
        on,
        is_private: false,
    }]);
    Ok(axum::http::StatusCode::OK)
}
