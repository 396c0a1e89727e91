//! `/api/v1/accounts/{account_id}/canned_responses` (`canned_responses_controller.rb`): bare
//! arrays and objects as Chatwoot renders the records; `?search=` filters by short code and
//! content. Every member may read and write them: Chatwoot's controller authorizes nothing
//! beyond membership.

use super::{path_id, query_param};
use crate::error::ApiError;
use crate::extract::{Resource, Wrapped};
use crate::openapi::{AccountPath, ResourcePath};
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use domain::canned_response::search_rank;
use domain::{wire, CannedResponseChanges, CannedResponseId, Member, NewCannedResponse};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CannedResponseParams {
    short_code: Option<String>,
    content: Option<String>,
}

impl Resource for CannedResponseParams {
    const KEY: &'static str = "canned_response";
}

/// `?search=`: short codes starting with it first, then containing it, then content containing it.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchQuery {
    search: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/canned_responses",
    tag = "canned_responses",
    params(AccountPath, SearchQuery),
    responses((status = 200, body = Vec<wire::CannedResponse>))
)]
pub async fn index(
    State(state): State<AppState>,
    member: Member,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<wire::CannedResponse>>, ApiError> {
    let search = query_param(query.as_deref(), "search");
    if let Some(search) = &search {
        domain::validate::limit("search", search, domain::validate::MAX_SHORT_TEXT)?;
    }
    let mut all = state
        .store
        .canned_responses()
        .list(member.account_id)
        .await?;
    if let Some(search) = search {
        let mut ranked: Vec<_> = all
            .into_iter()
            .filter_map(|c| search_rank(&c, &search).map(|rank| (rank, c)))
            .collect();
        // Stable: equal ranks keep their creation order.
        ranked.sort_by_key(|(rank, _)| std::cmp::Reverse(*rank));
        all = ranked.into_iter().map(|(_, c)| c).collect();
    }
    Ok(Json(all.iter().map(wire::CannedResponse::from).collect()))
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/canned_responses",
    tag = "canned_responses",
    params(AccountPath),
    request_body = CannedResponseParams,
    responses((status = 200, body = wire::CannedResponse))
)]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    Wrapped(p): Wrapped<CannedResponseParams>,
) -> Result<Json<wire::CannedResponse>, ApiError> {
    let new = NewCannedResponse::validate(
        member.account_id,
        p.short_code.as_deref(),
        p.content.as_deref(),
    )?;
    let canned = state.store.canned_responses().create(&new).await?;
    Ok(Json(wire::CannedResponse::from(&canned)))
}

#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/canned_responses/{id}",
    tag = "canned_responses",
    params(ResourcePath),
    request_body = CannedResponseParams,
    responses((status = 200, body = wire::CannedResponse))
)]
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    Wrapped(p): Wrapped<CannedResponseParams>,
) -> Result<Json<wire::CannedResponse>, ApiError> {
    let changes = CannedResponseChanges::validate(p.short_code.as_deref(), p.content.as_deref())?;
    let canned = state
        .store
        .canned_responses()
        .update(member.account_id, CannedResponseId(path_id(&id)?), &changes)
        .await?;
    Ok(Json(wire::CannedResponse::from(&canned)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/canned_responses/{id}",
    tag = "canned_responses",
    params(ResourcePath),
    responses((status = 200, description = "Deleted"))
)]
pub async fn destroy(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .canned_responses()
        .delete(member.account_id, CannedResponseId(path_id(&id)?))
        .await?;
    Ok(StatusCode::OK)
}
