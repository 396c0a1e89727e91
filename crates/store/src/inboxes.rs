//! API-channel inboxes.

use crate::error::found;
use crate::events::log_events;
use crate::{on_pool, Store, StoreError};
use domain::inbox::API_CHANNEL;
use domain::{password, AccountId, Inbox, InboxChanges, InboxId, InboxSettings, NewInbox};

const INSERT: &str = "INSERT INTO inboxes (account_id, name, channel_type, webhook_url, inbox_identifier, \
     hmac_token, hmac_mandatory, enable_auto_assignment, greeting_enabled, greeting_message, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id, account_id, name, channel_type, webhook_url, inbox_identifier, \
     hmac_token, hmac_mandatory, enable_auto_assignment, greeting_enabled, greeting_message, created_at";
const SELECT_ALL: &str = "SELECT id, account_id, name, channel_type, webhook_url, inbox_identifier, \
     hmac_token, hmac_mandatory, enable_auto_assignment, greeting_enabled, greeting_message, created_at \
     FROM inboxes WHERE account_id = $1 ORDER BY id";
const SELECT_ONE: &str = "SELECT id, account_id, name, channel_type, webhook_url, inbox_identifier, \
     hmac_token, hmac_mandatory, enable_auto_assignment, greeting_enabled, greeting_message, created_at \
     FROM inboxes WHERE account_id = $1 AND id = $2";
const UPDATE: &str = "UPDATE inboxes SET name = $1, webhook_url = $2, hmac_mandatory = $3, \
     enable_auto_assignment = $4, greeting_enabled = $5, greeting_message = $6 \
     WHERE account_id = $7 AND id = $8";
const ROTATE_HMAC: &str = "UPDATE inboxes SET hmac_token = $1 WHERE account_id = $2 AND id = $3";
const DELETE: &str = "DELETE FROM inboxes WHERE account_id = $1 AND id = $2";

#[derive(sqlx::FromRow)]
struct InboxRow {
    id: i64,
    account_id: i64,
    name: String,
    channel_type: String,
    webhook_url: Option<String>,
    inbox_identifier: String,
    hmac_token: String,
    hmac_mandatory: bool,
    enable_auto_assignment: bool,
    greeting_enabled: bool,
    greeting_message: Option<String>,
    created_at: i64,
}

impl From<InboxRow> for Inbox {
    fn from(row: InboxRow) -> Self {
        Inbox {
            id: InboxId(row.id),
            account_id: AccountId(row.account_id),
            name: row.name,
            channel_type: row.channel_type,
            webhook_url: row.webhook_url,
            inbox_identifier: row.inbox_identifier,
            hmac_token: row.hmac_token,
            hmac_mandatory: row.hmac_mandatory,
            settings: InboxSettings {
                enable_auto_assignment: row.enable_auto_assignment,
                greeting_enabled: row.greeting_enabled,
                greeting_message: row.greeting_message,
            },
            created_at: row.created_at,
        }
    }
}

pub struct Inboxes<'a> {
    pub(crate) store: &'a Store,
}

impl Inboxes<'_> {
    pub async fn create(&self, new: &NewInbox) -> Result<Inbox, StoreError> {
        let identifier = password::random_token(24);
        let hmac = password::random_token(32);
        let now = domain::time::now();
        let row: InboxRow = on_pool!(self.store, |pool| sqlx::query_as(INSERT)
            .bind(new.account_id.get())
            .bind(&new.name)
            .bind(API_CHANNEL)
            .bind(&new.webhook_url)
            .bind(&identifier)
            .bind(&hmac)
            .bind(new.hmac_mandatory)
            .bind(new.settings.enable_auto_assignment)
            .bind(new.settings.greeting_enabled)
            .bind(&new.settings.greeting_message)
            .bind(now)
            .fetch_one(pool)
            .await)?;
        Ok(row.into())
    }

    pub async fn list(&self, account_id: AccountId) -> Result<Vec<Inbox>, StoreError> {
        let rows: Vec<InboxRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ALL)
            .bind(account_id.get())
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Inbox::from).collect())
    }

    /// The inboxes of `member`'s account that they may see (Chatwoot's `GET inboxes` shows an
    /// agent only the inboxes they are a member of).
    pub async fn visible(&self, member: &domain::Member) -> Result<Vec<Inbox>, StoreError> {
        let mut inboxes = self.list(member.account_id).await?;
        inboxes.retain(|inbox| member.scope.allows(inbox.id));
        Ok(inboxes)
    }

    /// One inbox of `member`'s account that they may see, else `NotFound`.
    pub async fn find_visible(
        &self,
        member: &domain::Member,
        id: InboxId,
    ) -> Result<Inbox, StoreError> {
        if !member.scope.allows(id) {
            return Err(StoreError::NotFound);
        }
        self.find(member.account_id, id).await
    }

    pub async fn find(&self, account_id: AccountId, id: InboxId) -> Result<Inbox, StoreError> {
        let row: Option<InboxRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ONE)
            .bind(account_id.get())
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        found(row).map(Inbox::from)
    }

    pub async fn update(
        &self,
        account_id: AccountId,
        id: InboxId,
        changes: &InboxChanges,
    ) -> Result<Inbox, StoreError> {
        let mut inbox = self.find(account_id, id).await?;
        if let Some(name) = &changes.name {
            inbox.name = name.clone();
        }
        if let Some(url) = &changes.webhook_url {
            inbox.webhook_url = url.clone();
        }
        if let Some(mandatory) = changes.hmac_mandatory {
            inbox.hmac_mandatory = mandatory;
        }
        inbox.settings.apply(changes);
        on_pool!(self.store, |pool| sqlx::query(UPDATE)
            .bind(&inbox.name)
            .bind(&inbox.webhook_url)
            .bind(inbox.hmac_mandatory)
            .bind(inbox.settings.enable_auto_assignment)
            .bind(inbox.settings.greeting_enabled)
            .bind(&inbox.settings.greeting_message)
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(inbox)
    }

    /// A new HMAC token for the inbox (Chatwoot's `rotate_hmac_token`): identifier hashes made
    /// with the old one stop verifying.
    pub async fn rotate_hmac_token(
        &self,
        account_id: AccountId,
        id: InboxId,
    ) -> Result<Inbox, StoreError> {
        let token = password::random_token(32);
        let done = on_pool!(self.store, |pool| sqlx::query(ROTATE_HMAC)
            .bind(&token)
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        crate::error::touched(done)?;
        self.find(account_id, id).await
    }

    /// Deletes the inbox with its conversations (as Chatwoot does).
    pub async fn delete(&self, account_id: AccountId, id: InboxId) -> Result<(), StoreError> {
        let event = domain::Event::InboxDeleted {
            account_id,
            inbox_id: id,
        };
        let done = on_pool!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(DELETE)
                .bind(account_id.get())
                .bind(id.get())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if done > 0 {
                log_events!(self.store, tx, std::slice::from_ref(&event));
            }
            tx.commit().await.map(|()| done)
        })?;
        crate::error::touched(done)?;
        self.store.observe_all(std::slice::from_ref(&event));
        Ok(())
    }
}
