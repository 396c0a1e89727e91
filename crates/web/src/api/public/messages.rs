//! `/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{id}/messages`
//! (`inboxes/messages_controller.rb`): the thread as the contact sees it (no private notes),
//! and the contact's incoming messages.

use super::{conversation, message_as_seen_by};
use crate::error::ApiError;
use crate::extract::{JsonBody, Resource, WithFiles};
use crate::openapi::{PublicConversationPath, PublicMessagePath};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use domain::message::Author;
use domain::{wire, DomainError, MessageId, NewMessage};
use serde::Deserialize;

/// Messages a page of the thread holds (Chatwoot's `MessageFinder` pages by 20 with `before`).
const PAGE: i64 = 20;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Read as text so a bad value is a 422 naming it, not a plain-text 400.
    before: Option<String>,
}

#[utoipa::path(
    get,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/messages",
    tag = "public_messages",
    security(()),
    params(PublicConversationPath, ListQuery),
    responses((status = 200, body = Vec<wire::PublicMessage>))
)]
pub async fn index(
    State(state): State<AppState>,
    Path((inbox_identifier, source_id, id)): Path<(String, String, String)>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<wire::PublicMessage>>, ApiError> {
    let before = match query.before.as_deref().filter(|b| !b.is_empty()) {
        None => None,
        Some(text) => Some(MessageId(text.parse::<i64>().map_err(|_| {
            DomainError::invalid("before", "Before must be a message id")
        })?)),
    };
    let (ci, view) = conversation(&state.store, &inbox_identifier, &source_id, &id).await?;
    let (messages, _) = state.store.messages().thread(&view, before, PAGE).await?;
    Ok(Json(
        messages
            .iter()
            .filter(|m| wire::PublicMessage::is_visible(m))
            .map(|m| message_as_seen_by(&ci, m, view.conversation.display_id))
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = PublicMessageParams)]
pub struct CreateParams {
    content: Option<String>,
    /// The client's own id for the message; accepted and not kept, as in Chatwoot.
    #[allow(dead_code)]
    echo_id: Option<serde_json::Value>,
}

/// Form clients may send `message[content]`; most send `content` bare.
impl Resource for CreateParams {
    const KEY: &'static str = "message";
}

/// `POST …/messages`: an incoming message from the contact (reopens a resolved conversation).
#[utoipa::path(
    post,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/messages",
    tag = "public_messages",
    security(()),
    params(PublicConversationPath),
    request_body = CreateParams,
    responses((status = 200, body = wire::PublicMessage))
)]
pub async fn create(
    State(state): State<AppState>,
    Path((inbox_identifier, source_id, id)): Path<(String, String, String)>,
    WithFiles { params: p, files }: WithFiles<CreateParams>,
) -> Result<Json<wire::PublicMessage>, ApiError> {
    let (ci, view) = conversation(&state.store, &inbox_identifier, &source_id, &id).await?;
    let kept = crate::files::keep(&state.files, files).await?;
    let written = async {
        let new = NewMessage::validate_with_attachments(
            p.content.as_deref(),
            Some("incoming"),
            None,
            None,
            Author::Contact(ci.contact_id),
            kept.attachments(),
        )?;
        Ok(state.store.messages().create(&view, &new).await?)
    };
    let written = written.await;
    let outcome = kept.settle(written).await?;
    crate::out_of_office::reply_if_away(&state.store, &ci.inbox, &view, domain::time::now())
        .await?;
    Ok(Json(message_as_seen_by(
        &ci,
        &outcome.value,
        view.conversation.display_id,
    )))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = PublicMessageUpdateParams)]
pub struct UpdateParams {
    /// The contact's answer: `[{"name", "title", "value"}]` (an `input_select` choice, a form's
    /// fields).
    #[schema(value_type = Vec<Object>)]
    submitted_values: Option<serde_json::Value>,
}

/// `PATCH …/messages/{id}`: the contact answers a message that asked for it; the answer is kept
/// in `content_attributes.submitted_values` and agents hear `message.updated`. A private note
/// is not the contact's to see, so it is a 404 like any other unknown message.
#[utoipa::path(
    patch,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/messages/{id}",
    tag = "public_messages",
    security(()),
    params(PublicMessagePath),
    request_body = UpdateParams,
    responses((status = 200, body = wire::PublicMessage))
)]
pub async fn update(
    State(state): State<AppState>,
    Path((inbox_identifier, source_id, conversation_id, id)): Path<(
        String,
        String,
        String,
        String,
    )>,
    JsonBody(p): JsonBody<UpdateParams>,
) -> Result<Json<wire::PublicMessage>, ApiError> {
    let values = domain::message::submitted_values(p.submitted_values)?;
    let (ci, view) = conversation(
        &state.store,
        &inbox_identifier,
        &source_id,
        &conversation_id,
    )
    .await?;
    let id = MessageId(crate::api::path_id(&id)?);
    let message = state.store.messages().find(id, &view.contact).await?;
    if message.conversation_id != view.conversation.id || !wire::PublicMessage::is_visible(&message)
    {
        return Err(ApiError::NotFound);
    }
    let outcome = state
        .store
        .messages()
        .submit_values(&view, id, values)
        .await?;
    Ok(Json(message_as_seen_by(
        &ci,
        &outcome.value,
        view.conversation.display_id,
    )))
}
