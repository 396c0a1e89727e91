//! `/api/v1/accounts/{account_id}/conversations/{display_id}/messages` (`messages_controller.rb`).

use super::query_param;
use crate::auth::{VisibleConversation, VisibleConversationHead};
use crate::error::ApiError;
use crate::extract::{Resource, WithFiles};
use crate::openapi::{BeforeQuery, ConversationPath, MessagePath};
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use domain::message::Author;
use domain::wire::{MessageList as List, MessageListMeta as ListMeta};
use domain::{wire, DomainError, MessageId, NewMessage};
use serde::Deserialize;
use serde_json::Value;

/// Messages a page of the thread holds (Chatwoot pages by 20 with `before`).
const PAGE: i64 = 20;

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/conversations/{display_id}/messages",
    tag = "messages",
    params(ConversationPath, BeforeQuery),
    responses((status = 200, body = List))
)]
pub async fn index(
    State(state): State<AppState>,
    VisibleConversation { view, .. }: VisibleConversation,
    RawQuery(query): RawQuery,
) -> Result<Json<List>, ApiError> {
    let before = match query_param(query.as_deref(), "before").filter(|b| !b.is_empty()) {
        None => None,
        Some(text) => Some(MessageId(text.parse::<i64>().map_err(|_| {
            DomainError::invalid("before", "Before must be a message id")
        })?)),
    };
    let (messages, _) = state.store.messages().thread(&view, before, PAGE).await?;
    let c = &view.conversation;
    Ok(Json(List {
        meta: ListMeta {
            labels: c.labels.clone(),
            additional_attributes: c.additional_attributes.clone(),
            contact: wire::Contact::new(&view.contact, state.presence()),
            assignee: view.assignee.as_ref().map(wire::Agent::from),
            agent_last_seen_at: c.agent_last_seen_at,
            assignee_last_seen_at: c.assignee_last_seen_at,
        },
        payload: messages.iter().map(|m| wire::Message::new(m, c)).collect(),
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = MessageParams)]
pub struct CreateParams {
    content: Option<String>,
    message_type: Option<String>,
    private: Option<bool>,
    /// Chatwoot's content types (`text`, `input_select`, `cards`, `form`, `article`…); the
    /// item types need `content_attributes.items`.
    content_type: Option<String>,
    content_attributes: Option<Value>,
}

/// Rails wraps a JSON body's parameters in `message`, and form clients send `message[content]`.
impl Resource for CreateParams {
    const KEY: &'static str = "message";
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/conversations/{display_id}/messages",
    tag = "messages",
    params(ConversationPath),
    request_body = CreateParams,
    responses((status = 200, body = wire::Message))
)]
pub async fn create(
    State(state): State<AppState>,
    VisibleConversationHead { member, view }: VisibleConversationHead,
    WithFiles { params: p, files }: WithFiles<CreateParams>,
) -> Result<Json<wire::Message>, ApiError> {
    let kept = crate::files::keep(&state.files, files).await?;
    let written = async {
        let new = NewMessage::validate_with_attachments(
            p.content.as_deref(),
            p.message_type.as_deref(),
            p.private,
            p.content_attributes.map(json_text_as_object),
            Author::User(member.user.id),
            kept.attachments(),
        )?
        .with_content_type(p.content_type.as_deref())?;
        Ok(state
            .store
            .by(member.user.id)
            .messages()
            .create(&view, &new)
            .await?)
    };
    let written = written.await;
    let outcome = kept.settle(written).await?;
    Ok(Json(wire::Message::new(&outcome.value, &view.conversation)))
}

/// A multipart client can only send `content_attributes` as text: one that holds a JSON object
/// is read as that object (Chatwoot itself fails on it); anything else is left for validation
/// to refuse.
fn json_text_as_object(value: Value) -> Value {
    match &value {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(object @ Value::Object(_)) => object,
            _ => value,
        },
        _ => value,
    }
}

/// `DELETE …/conversations/{display_id}/messages/{id}`: administrators, or the agent who wrote
/// it. The message stays in the thread as "This message was deleted" (`message.updated`).
#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/conversations/{display_id}/messages/{id}",
    tag = "messages",
    params(MessagePath),
    responses(
        (status = 200, body = wire::Message, description = "The message, now \"This message was deleted\""),
        (status = 422, body = wire::Invalid, description = "An activity message"),
    )
)]
pub async fn destroy(
    State(state): State<AppState>,
    VisibleConversation { member, view }: VisibleConversation,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<Json<wire::Message>, ApiError> {
    let id = MessageId(super::path_id(&id)?);
    let message = state.store.messages().find(id, &view.contact).await?;
    if message.conversation_id != view.conversation.id {
        return Err(ApiError::NotFound);
    }
    let own = matches!(&message.sender, Some(domain::MessageSender::User(user)) if user.id == member.user.id);
    if !(member.is_admin() || own) {
        return Err(ApiError::forbidden());
    }
    if message.message_type == domain::MessageType::Activity {
        return Err(
            domain::DomainError::invalid("message", "Activity messages cannot be deleted").into(),
        );
    }
    let keys = state.store.attachments().keys_of_message(id).await?;
    let outcome = state
        .store
        .by(member.user.id)
        .messages()
        .delete(&view, id)
        .await?;
    state.files.delete_all(keys).await;
    Ok(Json(wire::Message::new(&outcome.value, &view.conversation)))
}
