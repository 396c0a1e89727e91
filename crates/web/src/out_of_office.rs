//! Chatwoot's out-of-office reply (`MessageTemplates::HookExecutionService` with
//! `Template::OutOfOffice`): when a visitor writes while the inbox is closed, the inbox's
//! out-of-office message is posted in the conversation as a `template` message, once per day
//! (Chatwoot checks `conversation.messages.today.template`; here: none in the last 24 hours).

use domain::{ConversationView, Inbox, MessageType, NewMessage};
use store::{Store, StoreError};

const DAY: i64 = 24 * 3600;

/// The template message due in `view` at `now` after an incoming message, if any.
pub fn due(inbox: &Inbox, view: &ConversationView, now: i64) -> Option<NewMessage> {
    let hours = &inbox.settings.business_hours;
    let message = hours.out_of_office_message.as_deref()?;
    let sent_lately = view
        .messages
        .iter()
        .any(|m| m.message_type == MessageType::Template && m.created_at > now - DAY);
    (hours.is_away_at(now) && !sent_lately).then(|| NewMessage {
        message_type: MessageType::Template,
        ..NewMessage::activity(message.to_owned())
    })
}

/// Posts the out-of-office message through the store's normal message create (so it is logged
/// and broadcast like any other) when it is due.
pub async fn reply_if_away(
    store: &Store,
    inbox: &Inbox,
    view: &ConversationView,
    now: i64,
) -> Result<(), StoreError> {
    if let Some(template) = due(inbox, view, now) {
        store.messages().create(view, &template).await?;
    }
    Ok(())
}
