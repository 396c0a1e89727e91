//! What Chatwoot's widget does through its own `api/v1/widget/*` routes and its Client API has
//! no call for, added under the Client API's paths so the visitor's credential stays its
//! `source_id` (`docs/COMPATIBILITY.md`, "Website widget"): `$chatwoot.deleteCustomAttribute`
//! (`widget/contacts#destroy_custom_attributes`), `setConversationCustomAttributes` and
//! `deleteConversationCustomAttribute` (`widget/conversations#set_custom_attributes` and
//! `#destroy_custom_attributes`), `setLabel` and `removeLabel` (`widget/labels`). Labels are
//! only the account's own, as Chatwoot's widget applies them.

use super::{contact_inbox, conversation};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::openapi::{ContactInboxPath, PublicConversationPath, PublicLabelPath};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use domain::{validate, ContactChanges, ConversationView, DomainError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = PublicDestroyCustomAttributesParams)]
pub struct DestroyParams {
    /// The keys to drop.
    custom_attributes: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = PublicConversationCustomAttributesParams)]
pub struct SetParams {
    /// Merged into the conversation's custom attributes.
    #[schema(value_type = Object)]
    custom_attributes: Option<Value>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = PublicLabelParams)]
pub struct LabelParams {
    /// The title of one of the account's labels.
    label: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = PublicCustomAttributes)]
pub struct CustomAttributes {
    #[schema(value_type = Object)]
    custom_attributes: Map<String, Value>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = PublicLabels)]
pub struct Labels {
    labels: Vec<String>,
}

/// `POST …/contacts/{source_id}/destroy_custom_attributes`: drops keys of the contact's custom
/// attributes (a caller that may not see the contact changes nothing).
#[utoipa::path(
    post,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/destroy_custom_attributes",
    tag = "public_contacts",
    security(()),
    params(ContactInboxPath),
    request_body = DestroyParams,
    responses((status = 200, body = CustomAttributes))
)]
pub async fn destroy_contact_attributes(
    State(state): State<AppState>,
    Path((inbox_identifier, source_id)): Path<(String, String)>,
    JsonBody(p): JsonBody<DestroyParams>,
) -> Result<Json<CustomAttributes>, ApiError> {
    let ci = contact_inbox(&state.store, &inbox_identifier, &source_id).await?;
    let changes = ContactChanges::remove_custom_attributes(p.custom_attributes.as_deref())?;
    if !ci.may_see_contact() {
        return Ok(Json(CustomAttributes {
            custom_attributes: Map::new(),
        }));
    }
    let outcome = state
        .store
        .contacts()
        .update(ci.account_id(), ci.contact_id, &changes)
        .await?;
    state.bus.publish(outcome.events);
    Ok(Json(CustomAttributes {
        custom_attributes: outcome.value.custom_attributes,
    }))
}

/// `POST …/conversations/{id}/custom_attributes`: merges into the conversation's custom
/// attributes (as the widget's `set_custom_attributes` does; the agents' route replaces them).
#[utoipa::path(
    post,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/custom_attributes",
    tag = "public_conversations",
    security(()),
    params(PublicConversationPath),
    request_body = SetParams,
    responses((status = 200, body = CustomAttributes))
)]
pub async fn set_conversation_attributes(
    State(state): State<AppState>,
    Path((inbox_identifier, source_id, id)): Path<(String, String, String)>,
    JsonBody(p): JsonBody<SetParams>,
) -> Result<Json<CustomAttributes>, ApiError> {
    let added = match p.custom_attributes {
        None => return Err(DomainError::blank("custom_attributes").into()),
        value => validate::object("custom_attributes", value)?,
    };
    let (ci, view) = conversation(&state.store, &inbox_identifier, &source_id, &id).await?;
    let model = domain::AttributeModel::ConversationAttribute;
    crate::api::check_custom_attributes(&state.store, ci.account_id(), model, &added).await?;
    let mut attributes = view.conversation.custom_attributes.clone();
    attributes.extend(added);
    save_attributes(&state, &view, &attributes).await
}

/// `POST …/conversations/{id}/destroy_custom_attributes`: drops keys of the conversation's
/// custom attributes.
#[utoipa::path(
    post,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/destroy_custom_attributes",
    tag = "public_conversations",
    security(()),
    params(PublicConversationPath),
    request_body = DestroyParams,
    responses((status = 200, body = CustomAttributes))
)]
pub async fn destroy_conversation_attributes(
    State(state): State<AppState>,
    Path((inbox_identifier, source_id, id)): Path<(String, String, String)>,
    JsonBody(p): JsonBody<DestroyParams>,
) -> Result<Json<CustomAttributes>, ApiError> {
    // The same validation as the contact's: one rule for "keys to drop".
    let keys = ContactChanges::remove_custom_attributes(p.custom_attributes.as_deref())?
        .removed_custom_attributes;
    let (_, view) = conversation(&state.store, &inbox_identifier, &source_id, &id).await?;
    let mut attributes = view.conversation.custom_attributes.clone();
    attributes.retain(|key, _| !keys.contains(key));
    save_attributes(&state, &view, &attributes).await
}

async fn save_attributes(
    state: &AppState,
    view: &ConversationView,
    attributes: &Map<String, Value>,
) -> Result<Json<CustomAttributes>, ApiError> {
    let outcome = state
        .store
        .conversations()
        .set_custom_attributes(view, attributes, None)
        .await?;
    state.bus.publish(outcome.events);
    Ok(Json(CustomAttributes {
        custom_attributes: outcome.value.conversation.custom_attributes,
    }))
}

/// `POST …/conversations/{id}/labels`: adds one of the account's labels (`setLabel`); a title
/// the account has not defined is a 422 naming `label`.
#[utoipa::path(
    post,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/labels",
    tag = "public_conversations",
    security(()),
    params(PublicConversationPath),
    request_body = LabelParams,
    responses((status = 200, body = Labels))
)]
pub async fn add_label(
    State(state): State<AppState>,
    Path((inbox_identifier, source_id, id)): Path<(String, String, String)>,
    JsonBody(p): JsonBody<LabelParams>,
) -> Result<Json<Labels>, ApiError> {
    let title = validate::required("label", p.label.as_deref(), 100)?.to_lowercase();
    let (ci, view) = conversation(&state.store, &inbox_identifier, &source_id, &id).await?;
    let defined = state.store.labels().list(ci.account_id()).await?;
    if !defined.iter().any(|l| l.title.to_lowercase() == title) {
        return Err(
            DomainError::invalid("label", "Label is not one of the account's labels").into(),
        );
    }
    let mut labels = view.conversation.labels.clone();
    if !labels.contains(&title) {
        labels.push(title);
    }
    save_labels(&state, &view, labels).await
}

/// `DELETE …/conversations/{id}/labels/{label}`: removes a label (`removeLabel`).
#[utoipa::path(
    delete,
    path = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/labels/{label}",
    tag = "public_conversations",
    security(()),
    params(PublicLabelPath),
    responses((status = 200, body = Labels))
)]
pub async fn remove_label(
    State(state): State<AppState>,
    Path((inbox_identifier, source_id, id, label)): Path<(String, String, String, String)>,
) -> Result<Json<Labels>, ApiError> {
    let (_, view) = conversation(&state.store, &inbox_identifier, &source_id, &id).await?;
    let title = label.to_lowercase();
    let labels = view
        .conversation
        .labels
        .iter()
        .filter(|l| **l != title)
        .cloned()
        .collect();
    save_labels(&state, &view, labels).await
}

async fn save_labels(
    state: &AppState,
    view: &ConversationView,
    labels: Vec<String>,
) -> Result<Json<Labels>, ApiError> {
    let labels = domain::conversation::label_set(&labels)?;
    let outcome = state
        .store
        .conversations()
        .set_labels(view, &labels, None)
        .await?;
    state.bus.publish(outcome.events);
    Ok(Json(Labels {
        labels: outcome.value.conversation.labels,
    }))
}
