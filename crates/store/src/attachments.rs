//! Attachment rows: recorded with their message (`messages::create`), loaded onto messages with
//! signed links, and listed by owner so deleting a message or a contact can remove the files.
//! The bytes live in the `files` crate's store; this module only knows their keys.

use crate::{on_pool, Store, StoreError};
use domain::attachment::{LinkSigner, Variant};
use domain::{AccountId, Attachment, AttachmentId, ContactId, FileType, Message, MessageId};

macro_rules! attachment_select {
    () => {
        "SELECT id, account_id, message_id, file_type, content_type, filename, extension, \
         file_size, width, height, storage_key, thumb_key FROM attachments "
    };
}
const OF_THREAD: &str = concat!(
    attachment_select!(),
    "WHERE conversation_id = $1 AND message_id BETWEEN $2 AND $3 ORDER BY id"
);
const ONE: &str = concat!(attachment_select!(), "WHERE id = $1");
pub(crate) const INSERT: &str = "INSERT INTO attachments (account_id, conversation_id, message_id, \
     file_type, content_type, filename, extension, file_size, width, height, storage_key, thumb_key, \
     created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
const KEYS_OF_MESSAGE: &str =
    "SELECT storage_key, thumb_key FROM attachments WHERE message_id = $1";
pub(crate) const DELETE_OF_MESSAGE: &str = "DELETE FROM attachments WHERE message_id = $1";
const KEYS_OF_CONTACT: &str = "SELECT a.storage_key, a.thumb_key FROM attachments a \
     JOIN conversations c ON c.id = a.conversation_id WHERE c.account_id = $1 AND c.contact_id = $2";
const IS_KNOWN: &str = "SELECT COUNT(*) FROM attachments WHERE storage_key = $1 OR thumb_key = $1";
const READ_KEY: &str = "SELECT secret FROM file_url_keys WHERE id = 1";
const WRITE_KEY: &str =
    "INSERT INTO file_url_keys (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING";

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    id: i64,
    account_id: i64,
    message_id: i64,
    file_type: String,
    content_type: String,
    filename: String,
    extension: Option<String>,
    file_size: i64,
    width: Option<i64>,
    height: Option<i64>,
    storage_key: String,
    thumb_key: Option<String>,
}

/// A stored file as the download route needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub account_id: AccountId,
    pub content_type: String,
    pub filename: String,
    pub file_type: FileType,
    pub storage_key: String,
    pub thumb_key: Option<String>,
}

impl AttachmentRow {
    fn into_attachment(self, signer: &LinkSigner, now: i64) -> Attachment {
        let id = AttachmentId(self.id);
        let thumb_url = match &self.thumb_key {
            Some(_) => signer.link(id, Variant::Thumb, &self.filename, now),
            None => String::new(),
        };
        Attachment {
            id,
            account_id: AccountId(self.account_id),
            message_id: MessageId(self.message_id),
            file_type: FileType::parse(&self.file_type),
            data_url: signer.link(id, Variant::Original, &self.filename, now),
            thumb_url,
            content_type: self.content_type,
            filename: self.filename,
            extension: self.extension,
            file_size: self.file_size,
            width: self.width,
            height: self.height,
        }
    }
}

pub struct Attachments<'a> {
    pub(crate) store: &'a Store,
}

impl Attachments<'_> {
    /// The signer of file links: this database's key (made on first use, shared by every
    /// instance) and the public URL the operator set (origin-relative links until then).
    pub async fn signer(&self) -> Result<LinkSigner, StoreError> {
        let key = self
            .store
            .file_key
            .get_or_try_init(|| async {
                let fresh = domain::password::random_token(48);
                on_pool!(self.store, |pool| sqlx::query(WRITE_KEY)
                    .bind(&fresh)
                    .execute(pool)
                    .await
                    .map(|_| ()))?;
                let key: String = on_pool!(self.store, |pool| sqlx::query_scalar(READ_KEY)
                    .fetch_one(pool)
                    .await)?;
                Ok::<_, StoreError>(key)
            })
            .await?;
        let base = self.store.file_base.get().map_or("", String::as_str);
        Ok(LinkSigner::new(key.as_bytes(), base))
    }

    /// Fills each message's `attachments`. Messages come from one conversation (a thread, a
    /// single message), so one statement reads them all.
    pub async fn fill(&self, messages: &mut [Message]) -> Result<(), StoreError> {
        let Some(first) = messages.first() else {
            return Ok(());
        };
        let conversation_id = first.conversation_id;
        let low = messages
            .iter()
            .map(|m| m.id.get())
            .min()
            .unwrap_or_default();
        let high = messages
            .iter()
            .map(|m| m.id.get())
            .max()
            .unwrap_or_default();
        let rows: Vec<AttachmentRow> = on_pool!(self.store, |pool| sqlx::query_as(OF_THREAD)
            .bind(conversation_id.get())
            .bind(low)
            .bind(high)
            .fetch_all(pool)
            .await)?;
        if rows.is_empty() {
            return Ok(());
        }
        let signer = self.signer().await?;
        let now = domain::time::now();
        for row in rows {
            if let Some(message) = messages
                .iter_mut()
                .find(|m| m.id.get() == row.message_id && m.conversation_id == conversation_id)
            {
                message.attachments.push(row.into_attachment(&signer, now));
            }
        }
        Ok(())
    }

    /// Adds their files to `messages` of any conversations, in one query.
    pub(crate) async fn fill_many(&self, messages: &mut [Message]) -> Result<(), StoreError> {
        if messages.is_empty() {
            return Ok(());
        }
        let rows: Vec<AttachmentRow> = on_pool!(self.store, |pool| {
            let mut qb = sqlx::QueryBuilder::new(attachment_select!());
            qb.push("WHERE message_id IN (");
            let mut list = qb.separated(", ");
            for message in messages.iter() {
                list.push_bind(message.id.get());
            }
            qb.push(") ORDER BY id");
            qb.build_query_as().fetch_all(pool).await
        })?;
        if rows.is_empty() {
            return Ok(());
        }
        let signer = self.signer().await?;
        let now = domain::time::now();
        for row in rows {
            if let Some(message) = messages.iter_mut().find(|m| m.id.get() == row.message_id) {
                message.attachments.push(row.into_attachment(&signer, now));
            }
        }
        Ok(())
    }

    /// The file behind attachment `id` (for the signed download route).
    pub async fn file(&self, id: AttachmentId) -> Result<StoredFile, StoreError> {
        let row: Option<AttachmentRow> = on_pool!(self.store, |pool| sqlx::query_as(ONE)
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        let row = crate::error::found(row)?;
        Ok(StoredFile {
            account_id: AccountId(row.account_id),
            file_type: FileType::parse(&row.file_type),
            content_type: row.content_type,
            filename: row.filename,
            storage_key: row.storage_key,
            thumb_key: row.thumb_key,
        })
    }

    /// The keys of a message's files (read before deleting it).
    pub async fn keys_of_message(&self, message_id: MessageId) -> Result<Vec<String>, StoreError> {
        self.keys(KEYS_OF_MESSAGE, message_id.get(), None).await
    }

    /// The keys of every file in the contact's conversations (read before deleting it).
    pub async fn keys_of_contact(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
    ) -> Result<Vec<String>, StoreError> {
        self.keys(KEYS_OF_CONTACT, account_id.get(), Some(contact_id.get()))
            .await
    }

    async fn keys(
        &self,
        sql: &'static str,
        a: i64,
        b: Option<i64>,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String, Option<String>)> = on_pool!(self.store, |pool| {
            let query = sqlx::query_as(sql).bind(a);
            match b {
                Some(b) => query.bind(b).fetch_all(pool).await,
                None => query.fetch_all(pool).await,
            }
        })?;
        Ok(rows
            .into_iter()
            .flat_map(|(key, thumb)| std::iter::once(key).chain(thumb))
            .collect())
    }

    /// Whether any attachment row names `key` (the sweep keeps such files).
    pub async fn is_known(&self, key: &str) -> Result<bool, StoreError> {
        let count: i64 = on_pool!(self.store, |pool| sqlx::query_scalar(IS_KNOWN)
            .bind(key)
            .fetch_one(pool)
            .await)?;
        Ok(count > 0)
    }
}

/// Inserts every attachment of `$new` for message `$message_id` inside the open transaction.
macro_rules! insert_attachments {
    ($tx:ident, $conversation:expr, $new:expr, $message_id:expr, $now:expr) => {{
        for file in &$new.attachments {
            sqlx::query(crate::attachments::INSERT)
                .bind($conversation.account_id.get())
                .bind($conversation.id.get())
                .bind($message_id)
                .bind(file.file_type.as_str())
                .bind(&file.content_type)
                .bind(&file.filename)
                .bind(domain::attachment::extension(&file.filename))
                .bind(file.file_size)
                .bind(file.width)
                .bind(file.height)
                .bind(&file.storage_key)
                .bind(&file.thumb_key)
                .bind($now)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}
pub(crate) use insert_attachments;
