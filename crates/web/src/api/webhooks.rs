//! `/api/v1/accounts/{account_id}/webhooks` (`webhooks_controller.rb`), administrators only:
//! list, create (the answer carries the signing secret, the only time it is shown), update,
//! delete — and our delivery log, `GET …/webhooks/{id}/deliveries`.

use super::{path_id, Payload};
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{Resource, Wrapped};
use crate::openapi::{AccountPath, ResourcePath};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use domain::conversation::parse_page;
use domain::wire::{OneWebhook, WebhookList};
use domain::{wire, Inbox, NewWebhook, Webhook, WebhookChanges, WebhookId};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct WebhookParams {
    url: Option<String>,
    subscriptions: Option<Vec<String>>,
    name: Option<String>,
    /// Only this inbox's events (on creation).
    inbox_id: Option<i64>,
}

impl Resource for WebhookParams {
    const KEY: &'static str = "webhook";
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/webhooks",
    tag = "webhooks",
    params(AccountPath),
    responses((status = 200, body = Payload<WebhookList>))
)]
pub async fn index(
    State(state): State<AppState>,
    Admin(member): Admin,
) -> Result<Json<Payload<WebhookList>>, ApiError> {
    let webhooks = state.store.webhooks().list(member.account_id).await?;
    let inboxes = state.store.inboxes().list(member.account_id).await?;
    let webhooks = webhooks.iter().map(|w| shown(w, &inboxes)).collect();
    Ok(Json(Payload {
        payload: WebhookList { webhooks },
    }))
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/webhooks",
    tag = "webhooks",
    params(AccountPath),
    request_body = WebhookParams,
    responses((status = 200, body = Payload<OneWebhook>, description = "With `secret`, shown this once"))
)]
pub async fn create(
    State(state): State<AppState>,
    Admin(member): Admin,
    Wrapped(p): Wrapped<WebhookParams>,
) -> Result<Json<Payload<OneWebhook>>, ApiError> {
    let new = NewWebhook::validate(
        member.account_id,
        p.url.as_deref(),
        p.subscriptions.as_deref(),
        p.name.as_deref(),
        p.inbox_id,
    )?;
    let (webhook, secret) = state.store.webhooks().create(&new).await?;
    let inboxes = state.store.inboxes().list(member.account_id).await?;
    Ok(Json(Payload {
        payload: OneWebhook {
            webhook: shown(&webhook, &inboxes).with_secret(&secret),
        },
    }))
}

#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/webhooks/{id}",
    tag = "webhooks",
    params(ResourcePath),
    request_body = WebhookParams,
    responses((status = 200, body = Payload<OneWebhook>))
)]
pub async fn update(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
    Wrapped(p): Wrapped<WebhookParams>,
) -> Result<Json<Payload<OneWebhook>>, ApiError> {
    let id = WebhookId(path_id(&id)?);
    let changes = WebhookChanges::validate(
        p.url.as_deref(),
        p.subscriptions.as_deref(),
        p.name.as_deref(),
    )?;
    let webhook = state
        .store
        .webhooks()
        .update(member.account_id, id, &changes)
        .await?;
    let inboxes = state.store.inboxes().list(member.account_id).await?;
    Ok(Json(Payload {
        payload: OneWebhook {
            webhook: shown(&webhook, &inboxes),
        },
    }))
}

/// `DELETE …/webhooks/{id}`: 200 with no body (Chatwoot's `head :ok`); its pending deliveries
/// and its log go with it.
#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/webhooks/{id}",
    tag = "webhooks",
    params(ResourcePath),
    responses((status = 200, description = "Deleted, with its deliveries"))
)]
pub async fn destroy(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = WebhookId(path_id(&id)?);
    state.store.webhooks().delete(member.account_id, id).await?;
    Ok(StatusCode::OK)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    page: Option<String>,
}

/// `GET …/webhooks/{id}/deliveries`: what was sent to the webhook, newest first, each with every
/// attempt (status or error, duration).
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/webhooks/{id}/deliveries",
    tag = "webhooks",
    params(ResourcePath, LogQuery),
    responses((status = 200, body = Payload<Vec<wire::WebhookDelivery>>))
)]
pub async fn deliveries(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
    Query(query): Query<LogQuery>,
) -> Result<Json<Payload<Vec<wire::WebhookDelivery>>>, ApiError> {
    let id = WebhookId(path_id(&id)?);
    let page = parse_page(query.page.as_deref())?;
    state.store.webhooks().find(member.account_id, id).await?;
    let log = state
        .store
        .webhooks()
        .deliveries(member.account_id, id, page)
        .await?;
    Ok(Json(Payload {
        payload: log.iter().map(wire::WebhookDelivery::from).collect(),
    }))
}

fn shown(webhook: &Webhook, inboxes: &[Inbox]) -> wire::Webhook {
    let inbox = webhook
        .inbox_id
        .and_then(|id| inboxes.iter().find(|inbox| inbox.id == id));
    wire::Webhook::new(webhook, inbox)
}
