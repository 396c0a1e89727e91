//! `GET /public/api/v1/inboxes/{inbox_identifier}` (`public/api/v1/inboxes_controller.rb#show`):
//! the inbox as a client sees it before it creates a contact, e.g. whether identities must be
//! verified.

use crate::error::ApiError;
use crate::openapi::InboxPath;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use domain::wire;

#[utoipa::path(
    get,
    path = "/public/api/v1/inboxes/{inbox_identifier}",
    tag = "public_inboxes",
    security(()),
    params(InboxPath),
    responses((status = 200, body = wire::PublicInbox), (status = 404, description = "No such inbox"))
)]
pub async fn show(
    State(state): State<AppState>,
    Path(inbox_identifier): Path<String>,
) -> Result<Json<wire::PublicInbox>, ApiError> {
    let inbox = state
        .store
        .contact_inboxes()
        .inbox(&inbox_identifier)
        .await?;
    Ok(Json(wire::PublicInbox::from(&inbox)))
}
