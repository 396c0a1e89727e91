//! `/api/v1/accounts/{account_id}/contacts/{id}/labels` (`contacts/labels_controller.rb`):
//! `{"payload": [titles]}`; a `POST` replaces the set, as Chatwoot's `LabelConcern` does.

use super::{path_id, Payload};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::openapi::ResourcePath;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use domain::conversation::label_set;
use domain::{ContactId, DomainError, Member};
use serde::Deserialize;

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/contacts/{id}/labels",
    tag = "contact_labels",
    params(ResourcePath),
    responses((status = 200, body = Payload<Vec<String>>))
)]
pub async fn index(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Payload<Vec<String>>>, ApiError> {
    let labels = state
        .store
        .contact_labels()
        .list(member.account_id, ContactId(path_id(&id)?))
        .await?;
    Ok(Json(Payload { payload: labels }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = ContactLabelsParams)]
pub struct LabelsParams {
    labels: Option<Vec<String>>,
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/contacts/{id}/labels",
    tag = "contact_labels",
    params(ResourcePath),
    request_body = LabelsParams,
    responses((status = 200, body = Payload<Vec<String>>))
)]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    JsonBody(p): JsonBody<LabelsParams>,
) -> Result<Json<Payload<Vec<String>>>, ApiError> {
    let labels = label_set(&p.labels.ok_or_else(|| DomainError::blank("labels"))?)?;
    let outcome = state
        .store
        .by(member.user.id)
        .contact_labels()
        .set(member.account_id, ContactId(path_id(&id)?), &labels)
        .await?;
    Ok(Json(Payload {
        payload: outcome.value,
    }))
}
