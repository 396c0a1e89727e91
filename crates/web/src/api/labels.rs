//! `/api/v1/accounts/{account_id}/labels` (`labels_controller.rb`): `{"payload": [...]}` lists,
//! writes for administrators.

use super::{path_id, Payload};
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{Resource, Wrapped};
use crate::openapi::{AccountPath, ResourcePath};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::{wire, LabelChanges, LabelId, Member, NewLabel};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LabelParams {
    title: Option<String>,
    description: Option<String>,
    color: Option<String>,
    show_on_sidebar: Option<bool>,
}

impl Resource for LabelParams {
    const KEY: &'static str = "label";
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/labels",
    tag = "labels",
    params(AccountPath),
    responses((status = 200, body = Payload<Vec<wire::Label>>))
)]
pub async fn index(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Payload<Vec<wire::Label>>>, ApiError> {
    let labels = state.store.labels().list(member.account_id).await?;
    Ok(Json(Payload {
        payload: labels.iter().map(wire::Label::from).collect(),
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/labels/{id}",
    tag = "labels",
    params(ResourcePath),
    responses((status = 200, body = wire::Label))
)]
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<wire::Label>, ApiError> {
    let label = state
        .store
        .labels()
        .find(member.account_id, LabelId(path_id(&id)?))
        .await?;
    Ok(Json(wire::Label::from(&label)))
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/labels",
    tag = "labels",
    params(AccountPath),
    request_body = LabelParams,
    responses((status = 200, body = wire::Label))
)]
pub async fn create(
    State(state): State<AppState>,
    Admin(member): Admin,
    Wrapped(p): Wrapped<LabelParams>,
) -> Result<Json<wire::Label>, ApiError> {
    let new = NewLabel::validate(
        member.account_id,
        p.title.as_deref(),
        p.description.as_deref(),
        p.color.as_deref(),
        p.show_on_sidebar,
    )?;
    let label = state.store.labels().create(&new).await?;
    Ok(Json(wire::Label::from(&label)))
}

#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/labels/{id}",
    tag = "labels",
    params(ResourcePath),
    request_body = LabelParams,
    responses((status = 200, body = wire::Label))
)]
pub async fn update(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
    Wrapped(p): Wrapped<LabelParams>,
) -> Result<Json<wire::Label>, ApiError> {
    let changes = LabelChanges::validate(
        p.title.as_deref(),
        p.description.as_deref(),
        p.color.as_deref(),
        p.show_on_sidebar,
    )?;
    let label = state
        .store
        .labels()
        .update(member.account_id, LabelId(path_id(&id)?), &changes)
        .await?;
    Ok(Json(wire::Label::from(&label)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/labels/{id}",
    tag = "labels",
    params(ResourcePath),
    responses((status = 200, description = "Deleted"))
)]
pub async fn destroy(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .labels()
        .delete(member.account_id, LabelId(path_id(&id)?))
        .await?;
    Ok(StatusCode::OK)
}
