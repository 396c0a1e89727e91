//! Messages: reading threads and writing replies, notes and activity lines.

use crate::events::log_events;
use crate::{json, on_pool, on_writer, Outcome, Store, StoreError};
use domain::message::Author;
use domain::{
    AccountId, Contact, ConversationView, Event, Message, MessageId, MessageSender, MessageType,
    NewMessage, Status, User, UserId,
};

/// The most messages a thread loads at once.
pub const THREAD_LIMIT: i64 = 250;

macro_rules! message_select {
    () => {
        "SELECT m.id, m.account_id, m.inbox_id, m.conversation_id, m.message_type, m.content, \
         m.content_type, m.content_attributes_json, m.private, m.source_id, m.sender_type, m.sender_id, \
         m.created_at, COALESCE(m.updated_at, m.created_at) AS updated_at, \
         su.name AS sender_name, su.display_name AS sender_display_name, \
         su.email AS sender_email, su.pubsub_token AS sender_pubsub_token \
         FROM messages m LEFT JOIN users su ON m.sender_type = 'user' AND su.id = m.sender_id "
    };
}
pub(crate) use message_select;

const THREAD: &str = concat!(
    message_select!(),
    "WHERE m.conversation_id = $1 AND m.id < $2 ORDER BY m.id DESC LIMIT $3"
);
const SELECT_ONE: &str = concat!(message_select!(), "WHERE m.id = $1");
const INSERT: &str = "INSERT INTO messages (account_id, inbox_id, conversation_id, message_type, content, \
     content_type, content_attributes_json, private, source_id, sender_type, sender_id, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
const SOFT_DELETE: &str = "UPDATE messages SET content = $1, content_attributes_json = $2, \
     updated_at = $5 WHERE id = $3 AND conversation_id = $4";
const SET_ATTRIBUTES: &str = "UPDATE messages SET content_attributes_json = $1, updated_at = $4 \
     WHERE id = $2 AND conversation_id = $3";
/// What a deleted message reads as, as in Chatwoot.
pub const DELETED_CONTENT: &str = "This message was deleted";
const TOUCH: &str = "UPDATE conversations SET last_activity_at = $1 WHERE id = $2";
const REOPEN: &str = "UPDATE conversations SET status = 'open', snoozed_until = NULL WHERE id = $1";
const TOUCH_CONTACT: &str = "UPDATE contacts SET last_activity_at = $1 WHERE id = $2";

#[derive(sqlx::FromRow)]
pub(crate) struct MessageRow {
    id: i64,
    account_id: i64,
    inbox_id: i64,
    pub(crate) conversation_id: i64,
    message_type: i64,
    content: Option<String>,
    content_type: String,
    content_attributes_json: String,
    private: bool,
    source_id: Option<String>,
    sender_type: Option<String>,
    sender_id: Option<i64>,
    created_at: i64,
    updated_at: i64,
    sender_name: Option<String>,
    sender_display_name: Option<String>,
    sender_email: Option<String>,
    sender_pubsub_token: Option<String>,
}

impl MessageRow {
    /// The domain message; contact senders are the conversation's contact.
    pub(crate) fn into_message(self, contact: &Contact) -> Message {
        let sender = match (self.sender_type.as_deref(), self.sender_id) {
            (Some("contact"), Some(_)) => Some(MessageSender::Contact(Box::new(contact.clone()))),
            (Some("user"), Some(id)) => self.sender_name.map(|name| {
                MessageSender::User(User {
                    id: UserId(id),
                    name,
                    display_name: self.sender_display_name,
                    email: self.sender_email.unwrap_or_default(),
                    pubsub_token: self.sender_pubsub_token.unwrap_or_default(),
                })
            }),
            _ => None,
        };
        Message {
            id: MessageId(self.id),
            account_id: AccountId(self.account_id),
            inbox_id: domain::InboxId(self.inbox_id),
            conversation_id: domain::ConversationId(self.conversation_id),
            message_type: MessageType::from_code(self.message_type),
            content: self.content,
            content_type: self.content_type,
            content_attributes: json::object(&self.content_attributes_json),
            private: self.private,
            source_id: self.source_id,
            sender,
            created_at: self.created_at,
            updated_at: self.updated_at,
            attachments: Vec::new(),
        }
    }
}

pub struct Messages<'a> {
    pub(crate) store: &'a Store,
}

impl Messages<'_> {
    /// Up to `limit` messages of the conversation older than `before` (all when `None`), oldest
    /// first, and whether older ones remain.
    pub async fn thread(
        &self,
        view: &ConversationView,
        before: Option<MessageId>,
        limit: i64,
    ) -> Result<(Vec<Message>, bool), StoreError> {
        let before = before.map_or(i64::MAX, MessageId::get);
        let mut rows: Vec<MessageRow> = on_pool!(self.store, |pool| sqlx::query_as(THREAD)
            .bind(view.conversation.id.get())
            .bind(before)
            .bind(limit + 1)
            .fetch_all(pool)
            .await)?;
        let complete = rows.len() as i64 <= limit;
        rows.truncate(limit as usize);
        rows.reverse();
        let mut messages: Vec<Message> = rows
            .into_iter()
            .map(|row| row.into_message(&view.contact))
            .collect();
        self.store.attachments().fill(&mut messages).await?;
        Ok((messages, complete))
    }

    /// Adds a message to the conversation: an incoming one reopens a resolved or snoozed
    /// conversation (as Chatwoot does) and every non-activity message bumps its last activity.
    pub async fn create(
        &self,
        view: &ConversationView,
        new: &NewMessage,
    ) -> Result<Outcome<Message>, StoreError> {
        let c = &view.conversation;
        let now = domain::time::now();
        let reopen = new.message_type == MessageType::Incoming && c.status != Status::Open;
        let (id, events): (i64, Vec<Event>) = on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let id = insert!(tx, c, new, now);
            crate::attachments::insert_attachments!(tx, c, new, id, now);
            if new.message_type != MessageType::Activity {
                sqlx::query(TOUCH)
                    .bind(now)
                    .bind(c.id.get())
                    .execute(&mut *tx)
                    .await?;
            }
            if new.message_type == MessageType::Incoming {
                sqlx::query(TOUCH_CONTACT)
                    .bind(now)
                    .bind(c.contact_id.get())
                    .execute(&mut *tx)
                    .await?;
            }
            if reopen {
                sqlx::query(REOPEN)
                    .bind(c.id.get())
                    .execute(&mut *tx)
                    .await?;
            }
            let mut events = vec![Event::MessageCreated {
                account_id: c.account_id,
                inbox_id: c.inbox_id,
                conversation_id: c.id,
                message_id: MessageId(id),
            }];
            if reopen {
                events.push(Event::ConversationStatusChanged {
                    account_id: c.account_id,
                    inbox_id: c.inbox_id,
                    conversation_id: c.id,
                });
            }
            log_events!(self.store, tx, &events);
            tx.commit().await?;
            Ok::<_, sqlx::Error>((id, events))
        })?;
        self.store.observe_all(&events);
        let message = self.find(MessageId(id), &view.contact).await?;
        Ok(Outcome::new(message, events))
    }

    /// Deletes a message as Chatwoot does: its content is replaced and it is marked
    /// `content_attributes.deleted`, so threads and apps show that it was there. Its attachment
    /// rows go too; the caller removes their files (`Attachments::keys_of_message` first).
    pub async fn delete(
        &self,
        view: &ConversationView,
        id: MessageId,
    ) -> Result<Outcome<Message>, StoreError> {
        let c = &view.conversation;
        let mut message = self.find(id, &view.contact).await?;
        if message.conversation_id != c.id {
            return Err(StoreError::NotFound);
        }
        message
            .content_attributes
            .insert("deleted".into(), serde_json::Value::Bool(true));
        let now = domain::time::now();
        let event = Event::MessageUpdated {
            account_id: c.account_id,
            inbox_id: c.inbox_id,
            conversation_id: c.id,
            message_id: id,
        };
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(SOFT_DELETE)
                .bind(DELETED_CONTENT)
                .bind(json::text(&message.content_attributes))
                .bind(id.get())
                .bind(c.id.get())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            // Its files go with its content (`Files::delete_all` of the keys read before).
            sqlx::query(crate::attachments::DELETE_OF_MESSAGE)
                .bind(id.get())
                .execute(&mut *tx)
                .await?;
            log_events!(self.store, tx, std::slice::from_ref(&event));
            tx.commit().await
        })?;
        self.store.observe_all(std::slice::from_ref(&event));
        message.content = Some(DELETED_CONTENT.to_owned());
        message.updated_at = now;
        message.attachments.clear();
        Ok(Outcome::new(message, vec![event]))
    }

    /// Records the contact's answer to a message that asked for one (an `input_select`'s
    /// choice, a form's fields) in `content_attributes.submitted_values`, as Chatwoot does.
    pub async fn submit_values(
        &self,
        view: &ConversationView,
        id: MessageId,
        values: Vec<serde_json::Value>,
    ) -> Result<Outcome<Message>, StoreError> {
        let c = &view.conversation;
        let mut message = self.find(id, &view.contact).await?;
        if message.conversation_id != c.id {
            return Err(StoreError::NotFound);
        }
        message
            .content_attributes
            .insert("submitted_values".into(), serde_json::Value::Array(values));
        let now = domain::time::now();
        let event = Event::MessageUpdated {
            account_id: c.account_id,
            inbox_id: c.inbox_id,
            conversation_id: c.id,
            message_id: id,
        };
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(SET_ATTRIBUTES)
                .bind(json::text(&message.content_attributes))
                .bind(id.get())
                .bind(c.id.get())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            log_events!(self.store, tx, std::slice::from_ref(&event));
            tx.commit().await
        })?;
        self.store.observe_all(std::slice::from_ref(&event));
        message.updated_at = now;
        Ok(Outcome::new(message, vec![event]))
    }

    pub async fn find(&self, id: MessageId, contact: &Contact) -> Result<Message, StoreError> {
        let row: Option<MessageRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ONE)
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        let mut message = crate::error::found(row)?.into_message(contact);
        self.store
            .attachments()
            .fill(std::slice::from_mut(&mut message))
            .await?;
        Ok(message)
    }
}

impl Messages<'_> {
    /// The messages `ids` names that still exist, with their files; a contact sender is
    /// `contact_of` its conversation (those without one are left out).
    pub(crate) async fn find_many<'c>(
        &self,
        ids: &[MessageId],
        contact_of: impl Fn(domain::ConversationId) -> Option<&'c Contact>,
    ) -> Result<Vec<Message>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<MessageRow> = on_pool!(self.store, |pool| {
            let mut qb = sqlx::QueryBuilder::new(message_select!());
            qb.push("WHERE m.id IN (");
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(id.get());
            }
            qb.push(")");
            qb.build_query_as().fetch_all(pool).await
        })?;
        self.with_files(rows, contact_of).await
    }

    /// `rows` as messages with their files; a contact sender is `contact_of` its conversation
    /// (rows of a conversation without one are left out).
    async fn with_files<'c>(
        &self,
        rows: Vec<MessageRow>,
        contact_of: impl Fn(domain::ConversationId) -> Option<&'c Contact>,
    ) -> Result<Vec<Message>, StoreError> {
        let mut messages: Vec<Message> = rows
            .into_iter()
            .filter_map(|row| {
                let contact = contact_of(domain::ConversationId(row.conversation_id))?;
                Some(row.into_message(contact))
            })
            .collect();
        self.store.attachments().fill_many(&mut messages).await?;
        Ok(messages)
    }

    /// Each of `conversations`' newest message that is neither an activity nor private
    /// (Chatwoot's `messages.chat.last`, which webhooks carry), with its files.
    pub(crate) async fn last_chats<'c>(
        &self,
        conversations: &[domain::ConversationId],
        contact_of: impl Fn(domain::ConversationId) -> Option<&'c Contact>,
    ) -> Result<Vec<Message>, StoreError> {
        if conversations.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<MessageRow> = on_pool!(self.store, |pool| {
            let mut qb = sqlx::QueryBuilder::new(message_select!());
            qb.push("WHERE m.id IN (SELECT MAX(id) FROM messages WHERE message_type <> ")
                .push_bind(MessageType::Activity.code())
                .push(" AND private = FALSE AND conversation_id IN (");
            let mut list = qb.separated(", ");
            for id in conversations {
                list.push_bind(id.get());
            }
            qb.push(") GROUP BY conversation_id)");
            qb.build_query_as().fetch_all(pool).await
        })?;
        self.with_files(rows, contact_of).await
    }
}

/// Inserts `new` into `c` inside the open transaction `tx`, yielding the new id. A macro, not a
/// function, so the one statement serves both backends' transaction types.
macro_rules! insert {
    ($tx:ident, $conversation:expr, $new:expr, $now:expr) => {{
        let (sender_type, sender_id) =
            crate::messages::sender_columns(&$new, $conversation.contact_id);
        let id: i64 = sqlx::query_scalar(crate::messages::INSERT_SQL)
            .bind($conversation.account_id.get())
            .bind($conversation.inbox_id.get())
            .bind($conversation.id.get())
            .bind($new.message_type.code())
            .bind(&$new.content)
            .bind($new.content_type.as_str())
            .bind(crate::json::text(&$new.content_attributes))
            .bind($new.private)
            .bind(&$new.source_id)
            .bind(sender_type)
            .bind(sender_id)
            .bind($now)
            .fetch_one(&mut *$tx)
            .await?;
        id
    }};
}
pub(crate) use insert;

pub(crate) const INSERT_SQL: &str = INSERT;

/// The `sender_type` / `sender_id` columns for an author.
/// An incoming message is always the conversation's contact speaking, whoever posted it.
pub(crate) fn sender_columns(
    new: &NewMessage,
    contact_id: domain::ContactId,
) -> (Option<&'static str>, Option<i64>) {
    let author = match (new.message_type, new.author) {
        (MessageType::Incoming, Author::User(_)) => Author::Contact(contact_id),
        (_, author) => author,
    };
    match author {
        Author::Contact(id) => (Some("contact"), Some(id.get())),
        Author::User(id) => (Some("user"), Some(id.get())),
        Author::System => (None, None),
    }
}
