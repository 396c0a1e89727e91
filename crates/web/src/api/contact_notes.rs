//! `/api/v1/accounts/{account_id}/contacts/{id}/notes[/{note_id}]`
//! (`contacts/notes_controller.rb`): a contact's notes, newest first, bare arrays and objects
//! as Chatwoot's `_note` view renders them. Every member reads, writes, edits and deletes any
//! note of the account's contacts: Chatwoot's controller authorizes nothing beyond membership
//! (its request spec has an agent delete a note someone else wrote).

use super::path_id;
use crate::error::ApiError;
use crate::extract::{Resource, Wrapped};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::{wire, ContactId, ContactNoteId, Member, NoteContent};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NoteParams {
    content: Option<String>,
}

impl Resource for NoteParams {
    const KEY: &'static str = "note";
}

/// `/api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct NotePath {
    /// The account's id.
    account_id: i64,
    /// The contact's id.
    id: i64,
    /// The note's id.
    note_id: i64,
}

fn ids(contact: &str, note: &str) -> Result<(ContactId, ContactNoteId), ApiError> {
    Ok((ContactId(path_id(contact)?), ContactNoteId(path_id(note)?)))
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/contacts/{id}/notes",
    tag = "contact_notes",
    params(crate::openapi::ResourcePath),
    responses((status = 200, body = Vec<wire::ContactNote>))
)]
pub async fn index(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Vec<wire::ContactNote>>, ApiError> {
    let notes = state
        .store
        .contact_notes()
        .list(member.account_id, ContactId(path_id(&id)?))
        .await?;
    Ok(Json(notes.iter().map(wire::ContactNote::from).collect()))
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/contacts/{id}/notes",
    tag = "contact_notes",
    params(crate::openapi::ResourcePath),
    request_body = NoteParams,
    responses((status = 200, body = wire::ContactNote))
)]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    Wrapped(params): Wrapped<NoteParams>,
) -> Result<Json<wire::ContactNote>, ApiError> {
    let contact_id = ContactId(path_id(&id)?);
    let content = NoteContent::validate(params.content.as_deref())?;
    let note = state
        .store
        .contact_notes()
        .create(member.account_id, contact_id, member.user.id, &content)
        .await?;
    Ok(Json(wire::ContactNote::from(&note)))
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}",
    tag = "contact_notes",
    params(NotePath),
    responses((status = 200, body = wire::ContactNote))
)]
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, id, note_id)): Path<(String, String, String)>,
) -> Result<Json<wire::ContactNote>, ApiError> {
    let (contact_id, note_id) = ids(&id, &note_id)?;
    let note = state
        .store
        .contact_notes()
        .find(member.account_id, contact_id, note_id)
        .await?;
    Ok(Json(wire::ContactNote::from(&note)))
}

/// Changes the content; the author stays who wrote it.
#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}",
    tag = "contact_notes",
    params(NotePath),
    request_body = NoteParams,
    responses((status = 200, body = wire::ContactNote))
)]
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    Path((_, id, note_id)): Path<(String, String, String)>,
    Wrapped(params): Wrapped<NoteParams>,
) -> Result<Json<wire::ContactNote>, ApiError> {
    let (contact_id, note_id) = ids(&id, &note_id)?;
    let content = NoteContent::validate(params.content.as_deref())?;
    let note = state
        .store
        .contact_notes()
        .update(member.account_id, contact_id, note_id, &content)
        .await?;
    Ok(Json(wire::ContactNote::from(&note)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}",
    tag = "contact_notes",
    params(NotePath),
    responses((status = 200, description = "Deleted"))
)]
pub async fn destroy(
    State(state): State<AppState>,
    member: Member,
    Path((_, id, note_id)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let (contact_id, note_id) = ids(&id, &note_id)?;
    state
        .store
        .contact_notes()
        .delete(member.account_id, contact_id, note_id)
        .await?;
    Ok(StatusCode::OK)
}
