//! What a dashboard app asks the server to do for the agent looking at it: the actions of the
//! registry (`domain::app_capability`) that change data. Each runs only for an app allowed to
//! ask it, on a conversation the agent may see (`VisibleConversation`), through the same store
//! commands as the agent's own API calls, and is noted in the thread as done "via <app title>".
//! Actions performed by the page (reply box, notices, frames) are `app-bridge.js`'s.

use crate::auth::VisibleConversationHead;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use domain::app_capability::{ActedBy, AppCommand, AttributeTarget};
use domain::conversation::{label_set, StatusChange};
use domain::message::Author;
use domain::wire;
use domain::{
    AppAction, AttributeModel, ContactChanges, ConversationView, DashboardAppId, DomainError,
    Member, NewMessage,
};
use serde_json::{Map, Value};
use store::Store;

/// What an app was not allowed: the administrator has not switched the action on for it.
const NOT_ALLOWED: &str = "This app is not allowed to do that action";

/// `POST /api/v1/accounts/{account_id}/conversations/{display_id}/app_actions`: the app's flat
/// action message (`{"event": "add-label", "labels": ["vip"]}`) with the asking app's `app_id`.
/// 401 when the app may not ask it, 404 when the agent may not see the conversation or the app
/// is not shown on it (disabled, another inbox's, a sidebar app), 422 naming the field when the payload is unusable.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/conversations/{display_id}/app_actions",
    tag = "conversations",
    operation_id = "app_actions_create",
    params(crate::openapi::ConversationPath),
    request_body = Object,
    responses((status = 200, body = wire::AppActionResult))
)]
pub async fn create(
    State(state): State<AppState>,
    VisibleConversationHead { member, view }: VisibleConversationHead,
    JsonBody(params): JsonBody<Map<String, Value>>,
) -> Result<Json<wire::AppActionResult>, ApiError> {
    let app_id = params
        .get("app_id")
        .and_then(Value::as_i64)
        .map(DashboardAppId)
        .ok_or_else(|| DomainError::invalid("app_id", "App id must be a number"))?;
    let action = params
        .get("event")
        .and_then(Value::as_str)
        .and_then(AppAction::parse)
        .ok_or_else(|| DomainError::invalid("event", "Event must be a known action"))?;
    let app = state
        .store
        .dashboard_apps()
        .find(member.account_id, app_id)
        .await?;
    // An app acts only where it is shown, for administrators too: the playground, which hosts
    // apps anywhere, simulates these actions instead of asking for them.
    if !app.shows_beside_conversation_of(view.conversation.inbox_id)
        || !app.visible_to(&super::viewer(&state, &member).await?)
    {
        return Err(ApiError::NotFound);
    }
    if !app.allows(action) {
        return Err(ApiError::Unauthorized(NOT_ALLOWED));
    }
    let command = AppCommand::parse(action, &params)?;
    let by = ActedBy {
        user: &member.user,
        via: Some(&app.title),
    };
    let store = state.store.by(member.user.id);
    perform(&store, &member, &view, command, by).await?;
    Ok(Json(wire::AppActionResult::done(action)))
}

/// Runs the command through `store`, which carries the agent as the events' performer, and
/// answers the events its writes logged (the relay announces them from the log).
async fn perform(
    store: &Store,
    member: &Member,
    view: &ConversationView,
    command: AppCommand,
    by: ActedBy<'_>,
) -> Result<Vec<domain::Event>, ApiError> {
    let conversations = store.conversations();
    let labels = &view.conversation.labels;
    let events = match command {
        AppCommand::AddLabels(add) => {
            let mut all = labels.clone();
            all.extend(add);
            let all = label_set(&all)?;
            conversations.set_labels(view, &all, Some(by)).await?.events
        }
        AppCommand::RemoveLabels(remove) => {
            let kept: Vec<String> = labels
                .iter()
                .filter(|l| !remove.contains(l))
                .cloned()
                .collect();
            conversations
                .set_labels(view, &kept, Some(by))
                .await?
                .events
        }
        AppCommand::SetCustomAttributes {
            target: AttributeTarget::Conversation,
            attributes,
        } => {
            let model = AttributeModel::ConversationAttribute;
            super::check_custom_attributes(store, member.account_id, model, &attributes).await?;
            let keys: Vec<String> = attributes.keys().cloned().collect();
            let mut all = view.conversation.custom_attributes.clone();
            all.extend(attributes);
            conversations
                .set_custom_attributes(view, &all, Some((by, &keys)))
                .await?
                .events
        }
        AppCommand::SetCustomAttributes {
            target: AttributeTarget::Contact,
            attributes,
        } => {
            let model = AttributeModel::ContactAttribute;
            super::check_custom_attributes(store, member.account_id, model, &attributes).await?;
            let note = format!(
                "{by} set the contact's {}",
                attributes.keys().cloned().collect::<Vec<_>>().join(", ")
            );
            let changes = ContactChanges {
                custom_attributes: Some(attributes),
                ..ContactChanges::default()
            };
            let contact = view.conversation.contact_id;
            let mut events = store
                .contacts()
                .update(member.account_id, contact, &changes)
                .await?
                .events;
            events.extend(note_in_thread(store, view, note).await?);
            events
        }
        AppCommand::AddPrivateNote(content) => {
            let note = NewMessage::validate(
                Some(&content),
                Some("outgoing"),
                Some(true),
                None,
                Author::User(member.user.id),
            )?;
            let mut events = store.messages().create(view, &note).await?.events;
            events.extend(note_in_thread(store, view, format!("{by} added a private note")).await?);
            events
        }
        AppCommand::Assign { assignee, team } => {
            let mut events = Vec::new();
            let mut view = view.clone();
            if let Some(team) = team {
                let outcome = conversations.set_team(&view, team, by).await?;
                events.extend(outcome.events);
                view = outcome.value;
            }
            if let Some(assignee) = assignee {
                events.extend(conversations.assign(&view, assignee, by).await?.events);
            }
            events
        }
        AppCommand::SetStatus {
            status,
            snoozed_until,
        } => {
            let change = StatusChange::validate(
                view.conversation.status,
                Some(status.as_str()),
                snoozed_until.as_ref(),
            )?;
            conversations.set_status(view, change, by).await?.events
        }
    };
    Ok(events)
}

/// Notes what an app did in the thread, for a change that is not the conversation's own (its
/// contact's attributes, a note): a second write after the change, as the contact has no
/// thread of its own to write it with.
async fn note_in_thread(
    store: &Store,
    view: &ConversationView,
    note: String,
) -> Result<Vec<domain::Event>, ApiError> {
    let activity = NewMessage::activity(note);
    Ok(store.messages().create(view, &activity).await?.events)
}
