//! `/api/v1/accounts/{account_id}/conversations` (`conversations_controller.rb` and its nested
//! `assignments`, `labels`): the list with Chatwoot's filters and `meta` counts, create, show,
//! `toggle_status`, assignment, labels, custom attributes, read — and our `app_context`.

use super::filters::FilterParams;
use super::Payload;
use crate::auth::{VisibleConversation, VisibleConversationHead};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::openapi::{AccountPath, ConversationPath, PageQuery};
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::Json;
use domain::conversation::{label_set, StatusChange};
use domain::filter::{Search, Subject};
use domain::message::Author;
use domain::wire::{
    Assignee, ConversationFilterResult as Filtered, ConversationList as List,
    ConversationListData as ListData, ConversationListMeta as ListMeta,
    ConversationMetaCounts as Meta, CustomAttributes, ToggleResult, Toggled,
};
use domain::{
    wire, ConversationFilter, DomainError, InboxId, Member, NewConversation, NewMessage, Priority,
    TeamId, UserId,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The list's query (doc-only: `filter_from_query` reads it by hand).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListQuery {
    /// `open` (the default), `resolved`, `pending`, `snoozed` or `all`.
    status: Option<String>,
    /// `me`, `unassigned`, `assigned` or `all` (the default).
    assignee_type: Option<String>,
    #[param(minimum = 1, maximum = 1_000_000)]
    page: Option<i64>,
    inbox_id: Option<i64>,
    /// Only this team's conversations (404 for a team the account does not have).
    team_id: Option<i64>,
    /// Only conversations with these labels.
    #[param(rename = "labels[]")]
    labels: Option<Vec<String>>,
    /// `false` leaves out `meta` (ours; Chatwoot always counts).
    counts: Option<bool>,
    /// Text to look for in messages, the contact's name, e-mail and phone number, or a display
    /// id; every status is searched (the `status` parameter is ignored).
    q: Option<String>,
}

/// `?app_id=`: sign the context with this dashboard app's secret (doc-only).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AppIdQuery {
    app_id: Option<i64>,
}

/// Our `counts=false` (Chatwoot has no such parameter): a client that keeps the counts from
/// `/cable` events skips them, and `meta` is left out. Any other value, or none, counts.
fn counts_wanted(query: Option<&str>) -> Result<bool, ApiError> {
    let value = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(key, _)| key == "counts")
        .map(|(_, value)| value);
    match value.as_deref() {
        None | Some("" | "true" | "1") => Ok(true),
        Some("false" | "0") => Ok(false),
        Some(_) => Err(DomainError::invalid("counts", "Counts must be true or false").into()),
    }
}

/// The list's query, read by hand: `labels[]` repeats, which `serde_urlencoded` cannot take.
pub fn filter_from_query(
    member: &Member,
    query: Option<&str>,
) -> Result<ConversationFilter, ApiError> {
    let mut status = None;
    let mut assignee_type = None;
    let mut page = None;
    let mut inbox_id = None;
    let mut team_id = None;
    let mut labels = Vec::new();
    let mut q = None;
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "q" => q = Some(value.into_owned()),
            "status" => status = Some(value.into_owned()),
            "assignee_type" => assignee_type = Some(value.into_owned()),
            "page" => page = Some(value.into_owned()),
            "inbox_id" if !value.is_empty() => inbox_id = Some(value.into_owned()),
            "team_id" if !value.is_empty() => team_id = Some(value.into_owned()),
            "labels[]" | "labels" => labels.push(value.into_owned()),
            _ => {}
        }
    }
    let mut filter = ConversationFilter::for_member(member).with_query(
        status.as_deref(),
        assignee_type.as_deref(),
        page.as_deref(),
    )?;
    if let Some(inbox) = inbox_id {
        let id = inbox
            .parse::<i64>()
            .map_err(|_| DomainError::invalid("inbox_id", "Inbox id must be a number"))?;
        filter.inbox_id = Some(InboxId(id));
    }
    if let Some(team) = team_id {
        let id = team
            .parse::<i64>()
            .map_err(|_| DomainError::invalid("team_id", "Team id must be a number"))?;
        filter.team_id = Some(TeamId(id));
    }
    filter.labels = label_set(&labels)?;
    filter.search = match q {
        Some(q) => Search::parse(&q)?,
        None => None,
    };
    // As Chatwoot's `ConversationFinder`: a search looks through every status.
    if filter.search.is_some() {
        filter.status = None;
    }
    Ok(filter)
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/conversations",
    tag = "conversations",
    params(AccountPath, ListQuery),
    responses((status = 200, body = List))
)]
pub async fn index(
    State(state): State<AppState>,
    member: Member,
    RawQuery(query): RawQuery,
) -> Result<Json<List>, ApiError> {
    let filter = filter_from_query(&member, query.as_deref())?;
    require_filter_team(&state, &filter).await?;
    let page = state
        .store
        .conversations()
        .list(&filter, counts_wanted(query.as_deref())?)
        .await?;
    Ok(Json(List {
        data: ListData {
            meta: page.counts.map(ListMeta::from),
            payload: page.conversations.payload(state.presence()),
        },
    }))
}

/// `GET /conversations/search?q=`: Chatwoot's `conversations#search`, the list searched (the
/// same finder as `index`, every status, the list's envelope and `meta`).
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/conversations/search",
    tag = "conversations",
    params(AccountPath, ListQuery),
    responses((status = 200, body = List))
)]
pub async fn search(
    state: State<AppState>,
    member: Member,
    query: RawQuery,
) -> Result<Json<List>, ApiError> {
    index(state, member, query).await
}

/// `POST /conversations/filter`: Chatwoot's advanced filter over every status and assignee,
/// 25 a page, newest activity first.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/conversations/filter",
    tag = "conversations",
    params(AccountPath, PageQuery),
    request_body = FilterParams,
    responses((status = 200, body = Filtered))
)]
pub async fn filter(
    State(state): State<AppState>,
    member: Member,
    RawQuery(query): RawQuery,
    JsonBody(params): JsonBody<FilterParams>,
) -> Result<Json<Filtered>, ApiError> {
    let (advanced, page) = params.parse(Subject::Conversations, query.as_deref())?;
    let mut filter = ConversationFilter::for_member(&member);
    filter.status = None;
    filter.advanced = advanced;
    filter.page = page;
    let found = state.store.conversations().list(&filter, true).await?;
    Ok(Json(Filtered {
        meta: found.counts.map(ListMeta::from).unwrap_or_default(),
        payload: found.conversations.payload(state.presence()),
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = FirstMessageParams)]
pub struct MessageParams {
    content: Option<String>,
    message_type: Option<String>,
    private: Option<bool>,
    content_attributes: Option<Value>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = ConversationParams)]
pub struct CreateParams {
    inbox_id: Option<i64>,
    contact_id: Option<i64>,
    source_id: Option<String>,
    status: Option<String>,
    assignee_id: Option<i64>,
    custom_attributes: Option<Value>,
    additional_attributes: Option<Value>,
    message: Option<MessageParams>,
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/conversations",
    tag = "conversations",
    params(AccountPath),
    request_body = CreateParams,
    responses((status = 200, body = wire::Conversation))
)]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    JsonBody(p): JsonBody<CreateParams>,
) -> Result<Json<wire::Conversation>, ApiError> {
    let first_message = match &p.message {
        Some(m) => Some(
            NewMessage::validate(
                m.content.as_deref(),
                Some(m.message_type.as_deref().unwrap_or("incoming")),
                m.private,
                m.content_attributes.clone(),
                Author::User(member.user.id),
            )
            .map_err(|e| prefix("message", e))?,
        ),
        None => None,
    };
    let new = NewConversation::validate(
        member.account_id,
        p.inbox_id,
        p.contact_id,
        p.source_id.as_deref(),
        p.status.as_deref(),
        p.assignee_id,
        p.custom_attributes,
        p.additional_attributes,
        first_message,
    )?;
    member.scope.require_inbox(new.inbox_id)?;
    let model = domain::AttributeModel::ConversationAttribute;
    super::check_custom_attributes(
        &state.store,
        member.account_id,
        model,
        &new.custom_attributes,
    )
    .await?;
    let outcome = state
        .store
        .by(member.user.id)
        .conversations()
        .create(&new)
        .await?;
    Ok(Json(wire::Conversation::new(
        &outcome.value,
        state.presence(),
    )))
}

/// Names a nested attribute `message.content`, so the client knows which `content`.
fn prefix(parent: &str, mut error: DomainError) -> DomainError {
    error.attributes = error
        .attributes
        .iter()
        .map(|a| format!("{parent}.{a}"))
        .collect();
    error
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/conversations/{display_id}",
    tag = "conversations",
    params(ConversationPath),
    responses((status = 200, body = wire::Conversation))
)]
pub async fn show(
    State(state): State<AppState>,
    VisibleConversation { view, .. }: VisibleConversation,
) -> Result<Json<wire::Conversation>, ApiError> {
    Ok(Json(wire::Conversation::new(&view, state.presence())))
}

/// `GET /conversations/{display_id}/app_context`: exactly what the dashboard-app bridge posts.
/// With `?app_id=`, it also carries `"token"`: the context signed with that app's secret.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/conversations/{display_id}/app_context",
    tag = "conversations",
    params(ConversationPath, AppIdQuery),
    responses((status = 200, body = SignedContext))
)]
pub async fn app_context(
    State(state): State<AppState>,
    VisibleConversation { member, view }: VisibleConversation,
    RawQuery(query): RawQuery,
) -> Result<Json<SignedContext>, ApiError> {
    let mut settings = None;
    let token = match super::query_param(query.as_deref(), "app_id") {
        None => None,
        Some(app_id) => {
            let app_id = app_id
                .parse::<i64>()
                .map(domain::DashboardAppId)
                .map_err(|_| DomainError::invalid("app_id", "App id must be a number"))?;
            let apps = state.store.dashboard_apps();
            let app = apps.find(member.account_id, app_id).await?;
            // Agents get tokens only for apps shown here; administrators for any app of the
            // account (the playground tries apps out before they are switched on).
            let shown = app.shows_beside_conversation_of(view.conversation.inbox_id)
                && app.visible_to(&super::viewer(&state, &member).await?);
            if !member.is_admin() && !shown {
                return Err(ApiError::NotFound);
            }
            settings = Some(crate::app_proxy::context_settings(&app));
            super::sign_context(&state, &member, &app, Some(&view)).await?
        }
    };
    let definitions = state
        .store
        .custom_attribute_definitions()
        .list(member.account_id, None)
        .await?;
    let context = wire::AppContext::new(&view, &member.user, &definitions, state.presence());
    Ok(Json(SignedContext {
        context,
        token,
        settings,
    }))
}

/// The appContext and, for a known app, its token.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SignedContext {
    #[serde(flatten)]
    context: wire::AppContext,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    /// With `?app_id=`: that app's non-secret setting values (ours, beside `token`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    settings: Option<serde_json::Map<String, Value>>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ToggleParams {
    status: Option<String>,
    snoozed_until: Option<Value>,
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/conversations/{display_id}/toggle_status",
    tag = "conversations",
    params(ConversationPath),
    request_body = ToggleParams,
    responses((status = 200, body = Toggled))
)]
pub async fn toggle_status(
    State(state): State<AppState>,
    VisibleConversation { member, view }: VisibleConversation,
    JsonBody(p): JsonBody<ToggleParams>,
) -> Result<Json<Toggled>, ApiError> {
    let change = StatusChange::validate(
        view.conversation.status,
        p.status.as_deref(),
        p.snoozed_until.as_ref(),
    )?;
    let outcome = state
        .store
        .by(member.user.id)
        .conversations()
        .set_status(&view, change, &member.user)
        .await?;
    let c = &outcome.value.conversation;
    Ok(Json(Toggled {
        meta: Map::new(),
        payload: ToggleResult {
            success: true,
            current_status: c.status.as_str(),
            conversation_id: c.display_id.get(),
            snoozed_until: c.snoozed_until.map(domain::time::iso8601),
        },
    }))
}

/// `Some(value)` when the key is in the body, even as `null`; `None` when it is absent.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AssignParams {
    /// An agent of the account; `null` unassigns the agent.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    assignee_id: Option<Option<i64>>,
    /// A team of the account; `null` takes the conversation off its team. The agent stays.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    team_id: Option<Option<i64>>,
}

/// `POST /conversations/{id}/assignments` (`assignments_controller.rb`): with `assignee_id`
/// sets the agent (`null` unassigns) and answers the agent or `null`; otherwise with `team_id`
/// sets the team (`null` removes it) and answers the team or `null`. As in Chatwoot, `team_id`
/// is not looked at when `assignee_id` is there, and a body with neither changes nothing and
/// answers `null`. Unlike Chatwoot (which quietly removes the team), a `team_id` that is not a
/// team of the account is a 422 naming it.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/conversations/{display_id}/assignments",
    tag = "conversations",
    params(ConversationPath),
    request_body = AssignParams,
    responses((status = 200, body = Option<Assignee>, description = "The new agent or team, or `null`"))
)]
pub async fn assign(
    State(state): State<AppState>,
    VisibleConversation { member, view }: VisibleConversation,
    JsonBody(p): JsonBody<AssignParams>,
) -> Result<Json<Option<Assignee>>, ApiError> {
    let store = state.store.by(member.user.id);
    let conversations = store.conversations();
    let answer = match (p.assignee_id, p.team_id) {
        (Some(assignee), _) => {
            let outcome = conversations
                .assign(&view, assignee.map(UserId), &member.user)
                .await?;
            outcome
                .value
                .assignee
                .as_ref()
                .map(|a| Assignee::Agent(a.into()))
        }
        (None, Some(team)) => {
            let outcome = conversations
                .set_team(&view, team.map(TeamId), &member.user)
                .await?;
            match outcome.value.team {
                Some(team) => {
                    let teams = state.store.teams();
                    let mine = teams.has_member(team.id, member.user.id).await?;
                    Some(Assignee::Team(wire::Team::new(&team, mine)))
                }
                None => None,
            }
        }
        (None, None) => None,
    };
    Ok(Json(answer))
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/conversations/{display_id}/labels",
    tag = "conversations",
    params(ConversationPath),
    responses((status = 200, body = Payload<Vec<String>>))
)]
pub async fn labels_index(
    VisibleConversationHead { view, .. }: VisibleConversationHead,
) -> Result<Json<Payload<Vec<String>>>, ApiError> {
    Ok(Json(Payload {
        payload: view.conversation.labels,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LabelsParams {
    labels: Option<Vec<String>>,
}

/// `POST /conversations/{id}/labels`: replaces the set.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/conversations/{display_id}/labels",
    tag = "conversations",
    params(ConversationPath),
    request_body = LabelsParams,
    responses((status = 200, body = Payload<Vec<String>>))
)]
pub async fn labels_create(
    State(state): State<AppState>,
    VisibleConversation { member, view }: VisibleConversation,
    JsonBody(p): JsonBody<LabelsParams>,
) -> Result<Json<Payload<Vec<String>>>, ApiError> {
    let labels = label_set(&p.labels.ok_or_else(|| DomainError::blank("labels"))?)?;
    let outcome = state
        .store
        .by(member.user.id)
        .conversations()
        .set_labels(&view, &labels, None)
        .await?;
    Ok(Json(Payload {
        payload: outcome.value.conversation.labels,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CustomAttributesParams {
    custom_attributes: Option<Value>,
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/conversations/{display_id}/custom_attributes",
    tag = "conversations",
    params(ConversationPath),
    request_body = CustomAttributesParams,
    responses((status = 200, body = CustomAttributes))
)]
pub async fn custom_attributes(
    State(state): State<AppState>,
    VisibleConversation { member, view }: VisibleConversation,
    JsonBody(p): JsonBody<CustomAttributesParams>,
) -> Result<Json<CustomAttributes>, ApiError> {
    let attributes = match p.custom_attributes {
        None => return Err(DomainError::blank("custom_attributes").into()),
        value => domain::validate::object("custom_attributes", value)?,
    };
    let model = domain::AttributeModel::ConversationAttribute;
    super::check_custom_attributes(&state.store, member.account_id, model, &attributes).await?;
    let outcome = state
        .store
        .by(member.user.id)
        .conversations()
        .set_custom_attributes(&view, &attributes, None)
        .await?;
    Ok(Json(CustomAttributes {
        custom_attributes: outcome.value.conversation.custom_attributes,
    }))
}

/// `POST /conversations/{id}/update_last_seen`: the agent has read it.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/conversations/{display_id}/update_last_seen",
    tag = "conversations",
    params(ConversationPath),
    responses((status = 200, body = wire::Conversation))
)]
pub async fn update_last_seen(
    State(state): State<AppState>,
    VisibleConversation { member, view }: VisibleConversation,
) -> Result<Json<wire::Conversation>, ApiError> {
    let outcome = state
        .store
        .by(member.user.id)
        .conversations()
        .mark_read(&view, member.user.id)
        .await?;
    Ok(Json(wire::Conversation::new(
        &outcome.value,
        state.presence(),
    )))
}

/// `typing_status`: `on` is true, `off` false; anything else a 422 naming it (Chatwoot ignores
/// it with a 200, which would hide a client's mistake).
pub(crate) fn typing_on(typing_status: Option<&str>) -> Result<bool, DomainError> {
    match typing_status {
        Some("on") => Ok(true),
        Some("off") => Ok(false),
        _ => Err(DomainError::invalid(
            "typing_status",
            "Typing status must be on or off",
        )),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TypingParams {
    typing_status: Option<String>,
    is_private: Option<bool>,
}

/// `POST /conversations/{id}/toggle_typing_status`: tells the account's sockets an agent is
/// typing (`on`) or stopped (`off`). Nothing is stored.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/conversations/{display_id}/toggle_typing_status",
    tag = "conversations",
    params(ConversationPath),
    request_body = TypingParams,
    responses((status = 200, description = "Announced on `/cable`"))
)]
pub async fn toggle_typing_status(
    State(state): State<AppState>,
    VisibleConversation { member, view }: VisibleConversation,
    JsonBody(p): JsonBody<TypingParams>,
) -> Result<axum::http::StatusCode, ApiError> {
    let on = typing_on(p.typing_status.as_deref())?;
    let c = &view.conversation;
    state.bus.publish_by(
        member.user.id,
        vec![domain::Event::Typing {
            account_id: c.account_id,
            inbox_id: c.inbox_id,
            conversation_id: c.id,
            typist: domain::Typist::User(member.user.id),
            on,
            is_private: p.is_private.unwrap_or(false),
        }],
    );
    Ok(axum::http::StatusCode::OK)
}

/// A `team_id` filter names a team of the account (Chatwoot's `teams.find`: 404 otherwise).
async fn require_filter_team(
    state: &AppState,
    filter: &ConversationFilter,
) -> Result<(), ApiError> {
    if let Some(id) = filter.team_id {
        state.store.teams().find(filter.account_id, id).await?;
    }
    Ok(())
}

/// `GET /conversations/meta` (`conversations#meta`): the list's four counts for the same
/// filters as the list (`status`, `inbox_id`, `team_id`, `labels[]`), without conversations.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/conversations/meta",
    tag = "conversations",
    params(AccountPath, ListQuery),
    responses((status = 200, body = Meta))
)]
pub async fn meta(
    State(state): State<AppState>,
    member: Member,
    RawQuery(query): RawQuery,
) -> Result<Json<Meta>, ApiError> {
    let filter = filter_from_query(&member, query.as_deref())?;
    require_filter_team(&state, &filter).await?;
    let counts = state.store.conversations().counts(&filter).await?;
    Ok(Json(Meta {
        meta: ListMeta::from(counts),
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PriorityParams {
    /// `urgent`, `high`, `medium`, `low`, or `null`/absent for none.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    priority: Value,
}

/// `POST /conversations/{id}/toggle_priority`: sets the priority, or clears it when `priority`
/// is null or absent (Chatwoot's `toggle_priority(params[:priority])`). Answers an empty 200.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/conversations/{display_id}/toggle_priority",
    tag = "conversations",
    params(ConversationPath),
    request_body = PriorityParams,
    responses((status = 200, description = "Set; announced as `conversation.updated`"))
)]
pub async fn toggle_priority(
    State(state): State<AppState>,
    VisibleConversation { member, view }: VisibleConversation,
    JsonBody(p): JsonBody<PriorityParams>,
) -> Result<axum::http::StatusCode, ApiError> {
    let priority = Priority::parse(&p.priority)?;
    state
        .store
        .by(member.user.id)
        .conversations()
        .set_priority(&view, priority, &member.user)
        .await?;
    Ok(axum::http::StatusCode::OK)
}

/// `PATCH /conversations/{id}` (doc-only: the handler reads the body as an object).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UpdateParams {
    /// `urgent`, `high`, `medium`, `low`, or `null` for none; absent leaves it.
    #[schema(value_type = Option<String>)]
    priority: Option<Value>,
}

/// Conversation attributes Chatwoot changes through their own routes (or, for
/// `sla_policy_id`, in its enterprise edition only). Sent to `PATCH` they are refused with a
/// 422 naming them rather than silently ignored.
const ELSEWHERE: [(&str, &str); 7] = [
    ("status", "toggle_status"),
    ("snoozed_until", "toggle_status"),
    ("assignee_id", "assignments"),
    ("team_id", "assignments"),
    ("labels", "labels"),
    ("custom_attributes", "custom_attributes"),
    ("sla_policy_id", ""),
];

/// `PATCH`/`PUT /conversations/{id}` (`conversations#update`, which permits `priority` only):
/// answers the conversation. Other keys are ignored as Rails' `permit` does, except the
/// conversation attributes listed in [`ELSEWHERE`], which are a 422 naming the attribute.
#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/conversations/{display_id}",
    tag = "conversations",
    params(ConversationPath),
    request_body = UpdateParams,
    responses((status = 200, body = wire::Conversation))
)]
pub async fn update(
    State(state): State<AppState>,
    VisibleConversation { member, mut view }: VisibleConversation,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Json<wire::Conversation>, ApiError> {
    let body = match body.get("conversation") {
        Some(Value::Object(inner)) => inner.clone(),
        Some(_) => {
            return Err(
                DomainError::invalid("conversation", "conversation must be an object").into(),
            )
        }
        None => body,
    };
    if let Some((key, route)) = ELSEWHERE.iter().find(|(key, _)| body.contains_key(*key)) {
        let message = if route.is_empty() {
            format!("{} is not supported", domain::error::humanize(key))
        } else {
            format!(
                "{} is changed with POST …/conversations/{{id}}/{route}",
                domain::error::humanize(key)
            )
        };
        return Err(DomainError::invalid(key, message).into());
    }
    let priority = body.get("priority").map(Priority::parse).transpose()?;
    if let Some(priority) = priority {
        let outcome = state
            .store
            .by(member.user.id)
            .conversations()
            .set_priority(&view, priority, &member.user)
            .await?;
        view = outcome.value;
    }
    Ok(Json(wire::Conversation::new(&view, state.presence())))
}
