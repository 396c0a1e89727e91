//! `/api/v1/accounts/{account_id}/contacts` (`contacts_controller.rb`): list, search, create
//! (with `inbox_id` → a contact inbox and its `source_id`), show, update, delete, and a contact's
//! conversations; and (ours) the context of the dashboard apps on a contact's page.

use super::filters::FilterParams;
use super::{check_custom_attributes, path_id, query_param, Payload};
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{JsonBody, Resource, Wrapped};
use crate::openapi::{AccountPath, PageQuery, ResourcePath};
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use domain::contact::ContactFields;
use domain::conversation::parse_page;
use domain::filter::Subject;
use domain::wire::{ContactList, ContactListMeta, CreatedContact};
use domain::AttributeModel::ContactAttribute as CONTACT;
use domain::{wire, ContactChanges, ContactId, ConversationFilter, InboxId, Member, NewContact};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ContactParams {
    name: Option<String>,
    email: Option<String>,
    phone_number: Option<String>,
    identifier: Option<String>,
    additional_attributes: Option<Value>,
    custom_attributes: Option<Value>,
    inbox_id: Option<i64>,
}

impl Resource for ContactParams {
    const KEY: &'static str = "contact";
}

impl ContactParams {
    fn fields(&self) -> ContactFields<'_> {
        ContactFields {
            name: self.name.as_deref(),
            email: self.email.as_deref(),
            phone_number: self.phone_number.as_deref(),
            identifier: self.identifier.as_deref(),
            additional_attributes: self.additional_attributes.clone(),
            custom_attributes: self.custom_attributes.clone(),
        }
    }
}

/// `?sort=`: `name`, `email`, `last_activity_at` or `created_at`, `-` first for descending
/// (doc-only; `index` reads the raw query).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SortQuery {
    sort: Option<String>,
}

/// `?q=`: the text to look for.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchQuery {
    q: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/contacts",
    tag = "contacts",
    params(AccountPath, PageQuery, SortQuery, InboxesQuery),
    responses((status = 200, body = ContactList))
)]
pub async fn index(
    State(state): State<AppState>,
    member: Member,
    RawQuery(query): RawQuery,
) -> Result<Json<ContactList>, ApiError> {
    let query = query.as_deref();
    let page = parse_page(query_param(query, "page").as_deref())?;
    let sort = query_param(query, "sort");
    let found = state
        .store
        .contacts()
        .list(member.account_id, sort.as_deref(), page)
        .await?;
    list(&state, &member, found, page, query).await
}

/// `GET /contacts/search?q=`: by name, e-mail, phone number or identifier, in the list's
/// `sort` (as Chatwoot's search sorts its results).
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/contacts/search",
    tag = "contacts",
    params(AccountPath, SearchQuery, PageQuery, SortQuery, InboxesQuery),
    responses((status = 200, body = ContactList))
)]
pub async fn search(
    State(state): State<AppState>,
    member: Member,
    RawQuery(query): RawQuery,
) -> Result<Json<ContactList>, ApiError> {
    let query = query.as_deref();
    let page = parse_page(query_param(query, "page").as_deref())?;
    let q = query_param(query, "q").unwrap_or_default();
    domain::validate::limit("q", &q, domain::validate::MAX_SHORT_TEXT)?;
    let sort = query_param(query, "sort");
    let found = state
        .store
        .contacts()
        .search(member.account_id, &q, sort.as_deref(), page)
        .await?;
    list(&state, &member, found, page, query).await
}

/// `POST /contacts/filter`: Chatwoot's contact filter, 15 a page, newest first, with the
/// list's envelope.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/contacts/filter",
    tag = "contacts",
    params(AccountPath, PageQuery, InboxesQuery),
    request_body = FilterParams,
    responses((status = 200, body = ContactList))
)]
pub async fn filter(
    State(state): State<AppState>,
    member: Member,
    RawQuery(query): RawQuery,
    JsonBody(params): JsonBody<FilterParams>,
) -> Result<Json<ContactList>, ApiError> {
    let (filter, page) = params.parse(Subject::Contacts, query.as_deref())?;
    let found = state
        .store
        .contacts()
        .filter(member.account_id, &filter, page)
        .await?;
    list(&state, &member, found, page, query.as_deref()).await
}

/// A page of contacts as `index`, `search` and `filter` answer it: each with its
/// `contact_inboxes[]` (loaded for the whole page at once) unless the query leaves them out.
async fn list(
    state: &AppState,
    member: &Member,
    found: store::ContactPage,
    page: i64,
    query: Option<&str>,
) -> Result<Json<ContactList>, ApiError> {
    let mut inboxes = if includes_contact_inboxes(query) {
        let ids: Vec<ContactId> = found.contacts.iter().map(|c| c.id).collect();
        Some(
            state
                .store
                .contact_inboxes()
                .of_contacts(member.account_id, &ids)
                .await?,
        )
    } else {
        None
    };
    let payload = found
        .contacts
        .iter()
        .map(|contact| wire::ContactWithInboxes {
            contact: wire::Contact::new(contact, state.presence()),
            contact_inboxes: inboxes.as_mut().map(|all| {
                all.remove(&contact.id)
                    .unwrap_or_default()
                    .iter()
                    .map(|(inbox, source)| {
                        wire::ContactInbox::new(inbox, source, member.is_admin())
                    })
                    .collect()
            }),
        })
        .collect();
    Ok(Json(ContactList {
        meta: ContactListMeta {
            count: found.count,
            current_page: page,
        },
        payload,
    }))
}

/// Whether `contact_inboxes` are wanted: yes when `include_contact_inboxes` is absent, empty
/// or `true`, no for `false` (Chatwoot's `set_include_contact_inboxes`).
fn includes_contact_inboxes(query: Option<&str>) -> bool {
    query_param(query, "include_contact_inboxes")
        .filter(|v| !v.is_empty())
        .is_none_or(|v| v == "true")
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/contacts",
    tag = "contacts",
    params(AccountPath),
    request_body = ContactParams,
    responses((status = 200, body = Payload<CreatedContact>))
)]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    Wrapped(params): Wrapped<ContactParams>,
) -> Result<Json<Payload<CreatedContact>>, ApiError> {
    let new = NewContact::validate(
        member.account_id,
        params.fields(),
        params.inbox_id.map(InboxId),
    )?;
    check_custom_attributes(
        &state.store,
        member.account_id,
        CONTACT,
        &new.custom_attributes,
    )
    .await?;
    let created = state.store.contacts().create(&new).await?;
    let contact_inbox = match created.contact_inbox {
        Some((inbox_id, source_id)) => {
            let inbox = state
                .store
                .inboxes()
                .find(member.account_id, inbox_id)
                .await?;
            Some(wire::ContactInbox::new(&inbox, &source_id, false))
        }
        None => None,
    };
    Ok(Json(Payload {
        payload: CreatedContact {
            contact: wire::Contact::new(&created.contact, state.presence()),
            contact_inbox,
        },
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/contacts/{id}",
    tag = "contacts",
    params(ResourcePath, InboxesQuery),
    responses((status = 200, body = Payload<wire::ContactWithInboxes>))
)]
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Json<Payload<wire::ContactWithInboxes>>, ApiError> {
    let contact = state
        .store
        .contacts()
        .find(member.account_id, ContactId(path_id(&id)?))
        .await?;
    with_inboxes(
        &state,
        &member,
        wire::Contact::new(&contact, state.presence()),
        query.as_deref(),
    )
    .await
}

/// `?include_contact_inboxes=false` leaves `contact_inboxes` out; any other value, or none,
/// includes them (Chatwoot's `set_include_contact_inboxes`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct InboxesQuery {
    include_contact_inboxes: Option<bool>,
}

/// The contact as `show` and `update` answer it: with its contact inboxes, each with the inbox
/// (the inbox's HMAC token for administrators only), unless the query leaves them out.
async fn with_inboxes(
    state: &AppState,
    member: &Member,
    contact: wire::Contact,
    query: Option<&str>,
) -> Result<Json<Payload<wire::ContactWithInboxes>>, ApiError> {
    let contact_inboxes = if includes_contact_inboxes(query) {
        let found = state
            .store
            .contact_inboxes()
            .of_contact(member.account_id, ContactId(contact.id))
            .await?;
        Some(
            found
                .iter()
                .map(|(inbox, source)| wire::ContactInbox::new(inbox, source, member.is_admin()))
                .collect(),
        )
    } else {
        None
    };
    Ok(Json(Payload {
        payload: wire::ContactWithInboxes {
            contact,
            contact_inboxes,
        },
    }))
}

#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/contacts/{id}",
    tag = "contacts",
    params(ResourcePath, InboxesQuery),
    request_body = ContactParams,
    responses((status = 200, body = Payload<wire::ContactWithInboxes>))
)]
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    Wrapped(params): Wrapped<ContactParams>,
) -> Result<Json<Payload<wire::ContactWithInboxes>>, ApiError> {
    let changes = ContactChanges::validate(params.fields())?;
    if let Some(custom) = &changes.custom_attributes {
        check_custom_attributes(&state.store, member.account_id, CONTACT, custom).await?;
    }
    let Json(saved) = save(&state, &member, &id, &changes).await?;
    with_inboxes(&state, &member, saved.payload, query.as_deref()).await
}

/// Writes `changes` to the contact, announces `contact.updated` and answers the contact as
/// `show` does: what an update and `destroy_custom_attributes` share.
async fn save(
    state: &AppState,
    member: &Member,
    id: &str,
    changes: &ContactChanges,
) -> Result<Json<Payload<wire::Contact>>, ApiError> {
    let outcome = state
        .store
        .by(member.user.id)
        .contacts()
        .update(member.account_id, ContactId(path_id(id)?), changes)
        .await?;
    Ok(Json(Payload {
        payload: wire::Contact::new(&outcome.value, state.presence()),
    }))
}

/// Administrators only (Chatwoot's `ContactPolicy#destroy?`): it takes the contact's
/// conversations and messages with it.
#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/contacts/{id}",
    tag = "contacts",
    params(ResourcePath),
    responses(
        (status = 200, description = "Deleted, with its conversations and messages"),
    )
)]
pub async fn destroy(
    State(state): State<AppState>,
    Admin(member): Admin,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = ContactId(path_id(&id)?);
    // Their files go with their conversations (rows cascade; a file added meanwhile is the
    // sweep's).
    let keys = state
        .store
        .attachments()
        .keys_of_contact(member.account_id, id)
        .await?;
    state.store.contacts().delete(member.account_id, id).await?;
    state.files.delete_all(keys).await;
    Ok(StatusCode::OK)
}

/// `GET /contacts/{id}/conversations`: every conversation of the contact, any status.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/contacts/{id}/conversations",
    tag = "contacts",
    params(ResourcePath),
    responses((status = 200, body = Payload<Vec<wire::Conversation>>))
)]
pub async fn conversations(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Payload<Vec<wire::Conversation>>>, ApiError> {
    let contact_id = ContactId(path_id(&id)?);
    state
        .store
        .contacts()
        .find(member.account_id, contact_id)
        .await?;
    let mut filter = ConversationFilter::for_member(&member);
    filter.status = None;
    filter.contact_id = Some(contact_id);
    let page = state.store.conversations().list(&filter, false).await?;
    Ok(Json(Payload {
        payload: page
            .conversations
            .iter()
            .map(|view| wire::Conversation::new(view, state.presence()))
            .collect(),
    }))
}

/// A contact-page app's context and, for a known app, its token.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SignedContactContext {
    #[serde(flatten)]
    context: wire::ContactContext,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
}

/// `GET …/contacts/{id}/app_context` (ours): what the host posts to an app on the contact's page
/// — the contact, their conversations the member may see, the agent — and with `?app_id=` its
/// token, whose claims name the contact and no conversation. Agents get tokens only for apps
/// this contact's page shows; administrators for any app of the account (the playground).
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/contacts/{id}/app_context",
    tag = "contacts",
    params(ResourcePath),
    responses((status = 200, body = SignedContactContext))
)]
pub async fn app_context(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Json<SignedContactContext>, ApiError> {
    let contact_id = ContactId(path_id(&id)?);
    let contact = state
        .store
        .contacts()
        .find(member.account_id, contact_id)
        .await?;
    let mut filter = ConversationFilter::for_member(&member);
    filter.status = None;
    filter.contact_id = Some(contact_id);
    let listed = state.store.conversations().list(&filter, false).await?;
    let token = match query_param(query.as_deref(), "app_id") {
        None => None,
        Some(app_id) => {
            let app_id = app_id
                .parse::<i64>()
                .map(domain::DashboardAppId)
                .map_err(|_| domain::DomainError::invalid("app_id", "App id must be a number"))?;
            let app = state
                .store
                .dashboard_apps()
                .find(member.account_id, app_id)
                .await?;
            let inboxes: Vec<InboxId> = listed
                .conversations
                .iter()
                .map(|view| view.conversation.inbox_id)
                .collect();
            if !member.is_admin() && !app.shows_on_contact_page(&inboxes) {
                return Err(ApiError::NotFound);
            }
            let mut claims = domain::context_token::Claims::new(
                &domain::context_token::Subject {
                    issuer: state.config.public_url(),
                    app_id: app.id.get(),
                    agent: &member,
                    view: None,
                },
                domain::time::now(),
                state.config.app_token_lifetime,
            );
            claims.contact_id = Some(contact.id.get());
            super::sign_claims(&state, &member, &app, &claims).await?
        }
    };
    let definitions = state
        .store
        .custom_attribute_definitions()
        .list(member.account_id, None)
        .await?;
    Ok(Json(SignedContactContext {
        context: wire::ContactContext::new(
            &contact,
            &listed.conversations,
            &member.user,
            &definitions,
            state.presence(),
        ),
        token,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DestroyCustomAttributesParams {
    custom_attributes: Option<Vec<String>>,
}

/// `POST /contacts/{id}/destroy_custom_attributes` (Chatwoot's action of that name): drops the
/// named keys, since an update only merges custom attributes.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/contacts/{id}/destroy_custom_attributes",
    tag = "contacts",
    params(ResourcePath),
    request_body = DestroyCustomAttributesParams,
    responses((status = 200, body = Payload<wire::Contact>))
)]
pub async fn destroy_custom_attributes(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, String)>,
    JsonBody(params): JsonBody<DestroyCustomAttributesParams>,
) -> Result<Json<Payload<wire::Contact>>, ApiError> {
    let changes = ContactChanges::remove_custom_attributes(params.custom_attributes.as_deref())?;
    save(&state, &member, &id, &changes).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MergeParams {
    base_contact_id: Option<i64>,
    mergee_contact_id: Option<i64>,
}

/// `POST /api/v1/accounts/{account_id}/actions/contact_merge` (Chatwoot's
/// `actions/contact_merges_controller.rb`): the base contact after the merge.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/actions/contact_merge",
    tag = "contacts",
    params(AccountPath),
    request_body = MergeParams,
    responses((status = 200, body = wire::Contact))
)]
pub async fn merge(
    State(state): State<AppState>,
    member: Member,
    crate::extract::JsonBody(params): crate::extract::JsonBody<MergeParams>,
) -> Result<Json<wire::Contact>, ApiError> {
    let base = params
        .base_contact_id
        .ok_or_else(|| domain::DomainError::blank("base_contact_id"))?;
    let mergee = params
        .mergee_contact_id
        .ok_or_else(|| domain::DomainError::blank("mergee_contact_id"))?;
    let outcome = state
        .store
        .by(member.user.id)
        .contacts()
        .merge(member.account_id, ContactId(base), ContactId(mergee))
        .await?;
    Ok(Json(wire::Contact::new(&outcome.value, state.presence())))
}
