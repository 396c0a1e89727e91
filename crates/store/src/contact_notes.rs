//! Notes on a contact (Chatwoot's `notes`), newest first, each with its author as the account
//! sees them. Every statement names the account and the contact, so a note is only ever reached
//! through its own contact.

use crate::error::{found, touched};
use crate::{on_pool, Store, StoreError};
use domain::{
    AccountId, Agent, ContactId, ContactNote, ContactNoteId, NoteContent, Role, User, UserId,
};

macro_rules! note_select {
    () => {
        "SELECT n.id, n.account_id, n.contact_id, n.content, n.created_at, n.updated_at, \
         au.user_id AS author_id, u.name AS author_name, u.display_name AS author_display_name, \
         u.email AS author_email, u.pubsub_token AS author_pubsub_token, au.role AS author_role, \
         au.availability AS author_availability, au.auto_offline AS author_auto_offline \
         FROM contact_notes n \
         LEFT JOIN account_users au ON au.account_id = n.account_id AND au.user_id = n.user_id \
         LEFT JOIN users u ON u.id = au.user_id \
         WHERE n.account_id = $1 AND n.contact_id = $2 "
    };
}

/// Chatwoot's `notes.latest`: newest first (the id breaks ties within a second).
const SELECT_ALL: &str = concat!(note_select!(), "ORDER BY n.created_at DESC, n.id DESC");
const SELECT_ONE: &str = concat!(note_select!(), "AND n.id = $3");
const INSERT: &str =
    "INSERT INTO contact_notes (account_id, contact_id, user_id, content, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $5) RETURNING id";
const UPDATE: &str = "UPDATE contact_notes SET content = $1, updated_at = $2 \
     WHERE account_id = $3 AND contact_id = $4 AND id = $5";
const DELETE: &str =
    "DELETE FROM contact_notes WHERE account_id = $1 AND contact_id = $2 AND id = $3";

#[derive(sqlx::FromRow)]
struct NoteRow {
    id: i64,
    account_id: i64,
    contact_id: i64,
    content: String,
    created_at: i64,
    updated_at: i64,
    author_id: Option<i64>,
    author_name: Option<String>,
    author_display_name: Option<String>,
    author_email: Option<String>,
    author_pubsub_token: Option<String>,
    author_role: Option<String>,
    author_availability: Option<String>,
    author_auto_offline: Option<bool>,
}

impl From<NoteRow> for ContactNote {
    fn from(row: NoteRow) -> Self {
        let author = match (row.author_id, row.author_name, row.author_email) {
            (Some(id), Some(name), Some(email)) => Some(Agent {
                user: User {
                    id: UserId(id),
                    name,
                    email,
                    display_name: row.author_display_name,
                    pubsub_token: row.author_pubsub_token.unwrap_or_default(),
                },
                account_id: AccountId(row.account_id),
                role: row
                    .author_role
                    .as_deref()
                    .and_then(|role| Role::parse(role).ok())
                    .unwrap_or(Role::Agent),
                availability: row.author_availability.unwrap_or_default(),
                auto_offline: row.author_auto_offline.unwrap_or_default(),
            }),
            _ => None,
        };
        ContactNote {
            id: ContactNoteId(row.id),
            account_id: AccountId(row.account_id),
            contact_id: ContactId(row.contact_id),
            content: row.content,
            author,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

pub struct ContactNotes<'a> {
    pub(crate) store: &'a Store,
}

impl ContactNotes<'_> {
    /// The contact's notes, newest first (`NotFound` for another account's contact).
    pub async fn list(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
    ) -> Result<Vec<ContactNote>, StoreError> {
        self.store.contacts().find(account_id, contact_id).await?;
        let rows: Vec<NoteRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ALL)
            .bind(account_id.get())
            .bind(contact_id.get())
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(ContactNote::from).collect())
    }

    pub async fn find(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
        id: ContactNoteId,
    ) -> Result<ContactNote, StoreError> {
        let row: Option<NoteRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ONE)
            .bind(account_id.get())
            .bind(contact_id.get())
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        found(row).map(ContactNote::from)
    }

    /// A note by `author` on the account's contact.
    pub async fn create(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
        author: UserId,
        content: &NoteContent,
    ) -> Result<ContactNote, StoreError> {
        self.store.contacts().find(account_id, contact_id).await?;
        let id: i64 = on_pool!(self.store, |pool| sqlx::query_scalar(INSERT)
            .bind(account_id.get())
            .bind(contact_id.get())
            .bind(author.get())
            .bind(content.as_str())
            .bind(domain::time::now())
            .fetch_one(pool)
            .await)?;
        self.find(account_id, contact_id, ContactNoteId(id)).await
    }

    pub async fn update(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
        id: ContactNoteId,
        content: &NoteContent,
    ) -> Result<ContactNote, StoreError> {
        let done = on_pool!(self.store, |pool| sqlx::query(UPDATE)
            .bind(content.as_str())
            .bind(domain::time::now())
            .bind(account_id.get())
            .bind(contact_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        touched(done)?;
        self.find(account_id, contact_id, id).await
    }

    pub async fn delete(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
        id: ContactNoteId,
    ) -> Result<(), StoreError> {
        let done = on_pool!(self.store, |pool| sqlx::query(DELETE)
            .bind(account_id.get())
            .bind(contact_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        touched(done)
    }
}
