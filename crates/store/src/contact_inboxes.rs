//! Contact inboxes as the Client API sees them: an API inbox found by its public
//! `inbox_identifier`, a contact found by its `source_id` in that inbox (the pair is the
//! caller's only credential), its `pubsub_token`, and the conversations it may see.

use crate::{on_pool, Store, StoreError};
use domain::{
    AccountId, Contact, ContactId, ContactInboxId, ConversationView, DisplayId, Inbox, InboxId,
    NewContact,
};
use sqlx::QueryBuilder;
use std::collections::HashMap;

const INBOX_BY_IDENTIFIER: &str = "SELECT account_id, id FROM inboxes WHERE inbox_identifier = $1";
const BY_SOURCE: &str = "SELECT id, contact_id, source_id, pubsub_token, hmac_verified, \
     owns_contact FROM contact_inboxes WHERE inbox_id = $1 AND source_id = $2";
const BY_PUBSUB_TOKEN: &str = "SELECT ci.id, ci.contact_id, ci.source_id, ci.pubsub_token, \
     ci.hmac_verified, ci.owns_contact, i.account_id, i.id AS inbox_id FROM contact_inboxes ci \
     JOIN inboxes i ON i.id = ci.inbox_id WHERE ci.pubsub_token = $1";
const SOURCE_ID: &str = "SELECT source_id FROM contact_inboxes WHERE id = $1";
const CONTACT_BY_IDENTIFIER: &str =
    "SELECT id FROM contacts WHERE account_id = $1 AND identifier = $2";
const CONTACT_BY_EMAIL: &str = "SELECT id FROM contacts WHERE account_id = $1 AND email = $2";
const CONTACT_IDENTIFIER: &str = "SELECT identifier FROM contacts WHERE id = $1";
const CLAIM_IDENTIFIER: &str =
    "UPDATE contacts SET identifier = $1 WHERE id = $2 AND identifier IS NULL";
/// An e-mail alone attached this contact inbox to an existing contact: its caller gets neither
/// the contact's fields nor a say over them.
const DISOWN: &str = "UPDATE contact_inboxes SET owns_contact = FALSE WHERE id = $1";
/// Gives the contact inbox a token if it has none yet; marks it verified when asked (never
/// un-verifies: Chatwoot keeps `hmac_verified` once set).
const SETTLE: &str = "UPDATE contact_inboxes SET pubsub_token = COALESCE(pubsub_token, $1), \
     hmac_verified = (hmac_verified OR $2) WHERE id = $3";
/// The contact inbox's conversations; once verified, every conversation of its contact in the
/// inbox (Chatwoot's `hmac_verified? ? contact.conversations : contact_inbox.conversations`,
/// kept to the one inbox).
const CONVERSATIONS: &str = "SELECT display_id FROM conversations WHERE inbox_id = $1 \
     AND (contact_inbox_id = $2 OR ($3 AND contact_id = $4)) ORDER BY id";
const CONVERSATION: &str = "SELECT display_id FROM conversations WHERE inbox_id = $1 \
     AND (contact_inbox_id = $2 OR ($3 AND contact_id = $4)) AND display_id = $5";

#[derive(sqlx::FromRow)]
struct ContactInboxRow {
    id: i64,
    contact_id: i64,
    source_id: String,
    pubsub_token: Option<String>,
    hmac_verified: bool,
    owns_contact: bool,
}

/// A contact's presence in one API inbox: what the Client API authenticates.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactInbox {
    pub id: ContactInboxId,
    pub contact_id: ContactId,
    pub inbox: Inbox,
    pub source_id: String,
    pub pubsub_token: String,
    /// The contact proved its identifier with `identifier_hash`.
    pub hmac_verified: bool,
    /// The caller created the contact (or an agent made this contact inbox); false when an
    /// e-mail alone attached it to an existing contact.
    pub owns_contact: bool,
}

impl ContactInbox {
    pub fn account_id(&self) -> AccountId {
        self.inbox.account_id
    }

    /// Whether the caller may read and change the contact's fields: it proved the contact's
    /// identifier, or the contact is its own.
    pub fn may_see_contact(&self) -> bool {
        self.hmac_verified || self.owns_contact
    }
}

/// What creating a contact through the Client API produced.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicContact {
    pub contact_inbox: ContactInbox,
    pub contact: Contact,
}

pub struct ContactInboxes<'a> {
    pub(crate) store: &'a Store,
}

impl ContactInboxes<'_> {
    /// The inbox whose public identifier this is (`NotFound` otherwise).
    pub async fn inbox(&self, inbox_identifier: &str) -> Result<Inbox, StoreError> {
        // Identifiers come from URL paths, where `%00` decodes to a NUL that PostgreSQL
        // refuses in a parameter (a 500); none is stored, so none is found.
        if inbox_identifier.contains('\0') {
            return Err(StoreError::NotFound);
        }
        let ids: Option<(i64, i64)> =
            on_pool!(self.store, |pool| sqlx::query_as(INBOX_BY_IDENTIFIER)
                .bind(inbox_identifier)
                .fetch_optional(pool)
                .await)?;
        let (account_id, id) = ids.ok_or(StoreError::NotFound)?;
        self.store
            .inboxes()
            .find(AccountId(account_id), InboxId(id))
            .await
    }

    /// The contact inbox with `source_id` in `inbox` (`NotFound` otherwise).
    pub async fn find(&self, inbox: &Inbox, source_id: &str) -> Result<ContactInbox, StoreError> {
        // As in `inbox`: a NUL from the path is in no stored `source_id`.
        if source_id.contains('\0') {
            return Err(StoreError::NotFound);
        }
        let mut row = self.row(inbox, source_id).await?;
        if row.pubsub_token.is_none() {
            self.settle(ContactInboxId(row.id), false).await?;
            row = self.row(inbox, source_id).await?;
        }
        Ok(ContactInbox {
            id: ContactInboxId(row.id),
            contact_id: ContactId(row.contact_id),
            inbox: inbox.clone(),
            source_id: row.source_id,
            pubsub_token: row.pubsub_token.unwrap_or_default(),
            hmac_verified: row.hmac_verified,
            owns_contact: row.owns_contact,
        })
    }

    async fn row(&self, inbox: &Inbox, source_id: &str) -> Result<ContactInboxRow, StoreError> {
        let row: Option<ContactInboxRow> = on_pool!(self.store, |pool| sqlx::query_as(BY_SOURCE)
            .bind(inbox.id.get())
            .bind(source_id)
            .fetch_optional(pool)
            .await)?;
        row.ok_or(StoreError::NotFound)
    }

    /// The contact inbox whose `/cable` token this is (`NotFound` otherwise): what a widget
    /// subscribes with.
    pub async fn by_pubsub_token(&self, token: &str) -> Result<ContactInbox, StoreError> {
        if token.is_empty() || token.contains('\0') {
            return Err(StoreError::NotFound);
        }
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            contact_inbox: ContactInboxRow,
            account_id: i64,
            inbox_id: i64,
        }
        let row: Option<Row> = on_pool!(self.store, |pool| sqlx::query_as(BY_PUBSUB_TOKEN)
            .bind(token)
            .fetch_optional(pool)
            .await)?;
        let Row {
            contact_inbox: row,
            account_id,
            inbox_id,
        } = row.ok_or(StoreError::NotFound)?;
        let inbox = self
            .store
            .inboxes()
            .find(AccountId(account_id), InboxId(inbox_id))
            .await?;
        Ok(ContactInbox {
            id: ContactInboxId(row.id),
            contact_id: ContactId(row.contact_id),
            inbox,
            source_id: row.source_id,
            pubsub_token: row.pubsub_token.unwrap_or_default(),
            hmac_verified: row.hmac_verified,
            owns_contact: row.owns_contact,
        })
    }

    /// The `source_id` of a contact inbox (for webhook bodies), if it still exists.
    pub async fn source_id(&self, id: ContactInboxId) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(self.store, |pool| sqlx::query_scalar(SOURCE_ID)
            .bind(id.get())
            .fetch_optional(pool)
            .await)?)
    }

    /// The `source_id`s of the contact inboxes `ids` names, in one query.
    pub(crate) async fn source_ids(
        &self,
        ids: &[ContactInboxId],
    ) -> Result<HashMap<ContactInboxId, String>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(i64, String)> = on_pool!(self.store, |pool| {
            let mut qb =
                QueryBuilder::new("SELECT id, source_id FROM contact_inboxes WHERE id IN (");
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(id.get());
            }
            qb.push(")");
            qb.build_query_as().fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, source_id)| (ContactInboxId(id), source_id))
            .collect())
    }

    /// Chatwoot's `ContactBuilder`: the contact inbox with `source_id` when it exists already;
    /// otherwise a new contact inbox (with `source_id`, or a fresh one) for the account's contact
    /// with this identifier (only when `verified`) or e-mail, or for a new contact.
    ///
    /// Unlike Chatwoot, an e-mail alone (no verified identifier) attaches the new contact inbox
    /// without the contact's fields (`owns_contact` false), and `hmac_mandatory` inboxes never
    /// look contacts up by e-mail. A verified identifier verifies an existing contact inbox only
    /// when it is that contact's identifier.
    pub async fn create(
        &self,
        inbox: &Inbox,
        new: &NewContact,
        source_id: Option<&str>,
        verified: bool,
    ) -> Result<PublicContact, StoreError> {
        if let Some(source) = source_id {
            match self.find(inbox, source).await {
                Ok(existing) => {
                    if verified && !existing.hmac_verified {
                        let theirs = self.identifier_of(existing.contact_id).await?;
                        if theirs.is_some() && theirs == new.identifier {
                            self.settle(existing.id, true).await?;
                        }
                    }
                    return self.with_contact(inbox, source).await;
                }
                Err(StoreError::NotFound) => {}
                Err(other) => return Err(other),
            }
        }
        let account = inbox.account_id;
        let existing = match (&new.identifier, &new.email) {
            (Some(identifier), _) if verified => {
                self.contact_by(CONTACT_BY_IDENTIFIER, account, identifier)
                    .await?
            }
            _ => None,
        };
        let by_email = match (existing, &new.email) {
            (None, Some(email)) if !inbox.hmac_mandatory => {
                self.contact_by(CONTACT_BY_EMAIL, account, email).await?
            }
            _ => None,
        };
        let contact_id = match existing.or(by_email) {
            Some(id) => id,
            None => self.store.contacts().create(new).await?.contact.id,
        };
        let source = source_id
            .map(str::to_owned)
            .unwrap_or_else(|| domain::password::random_token(32));
        let (id, source) = self
            .store
            .contacts()
            .contact_inbox(contact_id, inbox.id, Some(&source))
            .await?;
        // A verified identifier vouches for a contact found by e-mail only when that contact
        // has no other identifier (it then takes this one).
        let verified = match (by_email, &new.identifier) {
            (Some(contact), Some(identifier)) if verified => {
                self.claim_identifier(contact, identifier).await?
            }
            _ => verified,
        };
        self.settle(id, verified).await?;
        if by_email.is_some() && !verified {
            on_pool!(self.store, |pool| sqlx::query(DISOWN)
                .bind(id.get())
                .execute(pool)
                .await
                .map(|_| ()))?;
        }
        self.with_contact(inbox, &source).await
    }

    /// Gives the contact `identifier` unless it has one; whether it is the contact's now.
    async fn claim_identifier(
        &self,
        contact_id: ContactId,
        identifier: &str,
    ) -> Result<bool, StoreError> {
        on_pool!(self.store, |pool| sqlx::query(CLAIM_IDENTIFIER)
            .bind(identifier)
            .bind(contact_id.get())
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(crate::error::taken("identifier"))?;
        Ok(self.identifier_of(contact_id).await?.as_deref() == Some(identifier))
    }

    async fn identifier_of(&self, contact_id: ContactId) -> Result<Option<String>, StoreError> {
        let identifier: Option<Option<String>> =
            on_pool!(self.store, |pool| sqlx::query_scalar(CONTACT_IDENTIFIER)
                .bind(contact_id.get())
                .fetch_optional(pool)
                .await)?;
        Ok(identifier.flatten())
    }

    /// Marks the contact inbox verified (a valid `identifier_hash` came with an update).
    pub async fn verify(&self, contact_inbox: &ContactInbox) -> Result<(), StoreError> {
        self.settle(contact_inbox.id, true).await?;
        // The list's rows carry `hmac_verified`; no event says it changed.
        self.store.pages.forget_all();
        Ok(())
    }

    /// The display ids of the conversations this contact inbox may see, oldest first.
    pub async fn conversations(
        &self,
        contact_inbox: &ContactInbox,
    ) -> Result<Vec<DisplayId>, StoreError> {
        let ids: Vec<i64> = on_pool!(self.store, |pool| sqlx::query_scalar(CONVERSATIONS)
            .bind(contact_inbox.inbox.id.get())
            .bind(contact_inbox.id.get())
            .bind(contact_inbox.hmac_verified)
            .bind(contact_inbox.contact_id.get())
            .fetch_all(pool)
            .await)?;
        Ok(ids.into_iter().map(DisplayId).collect())
    }

    /// One conversation this contact inbox may see, with its thread (`NotFound` for any
    /// other: another contact's, another inbox's, or none).
    pub async fn conversation(
        &self,
        contact_inbox: &ContactInbox,
        display_id: DisplayId,
    ) -> Result<ConversationView, StoreError> {
        let id: Option<i64> = on_pool!(self.store, |pool| sqlx::query_scalar(CONVERSATION)
            .bind(contact_inbox.inbox.id.get())
            .bind(contact_inbox.id.get())
            .bind(contact_inbox.hmac_verified)
            .bind(contact_inbox.contact_id.get())
            .bind(display_id.get())
            .fetch_optional(pool)
            .await)?;
        let display_id = DisplayId(id.ok_or(StoreError::NotFound)?);
        self.store
            .conversations()
            .find(contact_inbox.account_id(), display_id)
            .await
    }

    async fn with_contact(&self, inbox: &Inbox, source: &str) -> Result<PublicContact, StoreError> {
        let contact_inbox = self.find(inbox, source).await?;
        let contact = self
            .store
            .contacts()
            .find(inbox.account_id, contact_inbox.contact_id)
            .await?;
        Ok(PublicContact {
            contact_inbox,
            contact,
        })
    }

    async fn contact_by(
        &self,
        sql: &'static str,
        account: AccountId,
        value: &str,
    ) -> Result<Option<ContactId>, StoreError> {
        let id: Option<i64> = on_pool!(self.store, |pool| sqlx::query_scalar(sql)
            .bind(account.get())
            .bind(value)
            .fetch_optional(pool)
            .await)?;
        Ok(id.map(ContactId))
    }

    async fn settle(&self, id: ContactInboxId, verified: bool) -> Result<(), StoreError> {
        let token = domain::password::random_token(24);
        on_pool!(self.store, |pool| sqlx::query(SETTLE)
            .bind(&token)
            .bind(verified)
            .bind(id.get())
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }
}

const OF_CONTACT: &str =
    "SELECT inbox_id, source_id FROM contact_inboxes WHERE contact_id = $1 ORDER BY id";
const ADD: &str = "INSERT INTO contact_inboxes (contact_id, inbox_id, source_id, created_at) \
     VALUES ($1, $2, $3, $4)";

/// The Application API's view: a contact's contact inboxes, as `contact_inboxes[]` of a contact
/// body and `POST contacts/{id}/contact_inboxes` show them.
impl ContactInboxes<'_> {
    /// The account's contact's contact inboxes with their inboxes, oldest first.
    pub async fn of_contact(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
    ) -> Result<Vec<(Inbox, String)>, StoreError> {
        let rows: Vec<(i64, String)> = on_pool!(self.store, |pool| sqlx::query_as(OF_CONTACT)
            .bind(contact_id.get())
            .fetch_all(pool)
            .await)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let inboxes = self.store.inboxes().list(account_id).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(inbox_id, source_id)| {
                let inbox = inboxes.iter().find(|i| i.id.get() == inbox_id)?;
                Some((inbox.clone(), source_id))
            })
            .collect())
    }

    /// The contact inboxes of each of the account's `contacts`, with their inboxes, oldest
    /// first: a page of contacts in two queries (its contact inboxes, the account's inboxes)
    /// rather than one per contact. A contact without any is left out of the map.
    pub async fn of_contacts(
        &self,
        account_id: AccountId,
        contacts: &[ContactId],
    ) -> Result<HashMap<ContactId, Vec<(Inbox, String)>>, StoreError> {
        if contacts.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(i64, i64, String)> = on_pool!(self.store, |pool| {
            let mut qb =
                QueryBuilder::new("SELECT contact_id, inbox_id, source_id FROM contact_inboxes ");
            qb.push("WHERE contact_id IN (");
            let mut ids = qb.separated(", ");
            for id in contacts {
                ids.push_bind(id.get());
            }
            qb.push(") ORDER BY id");
            qb.build_query_as().fetch_all(pool).await
        })?;
        if rows.is_empty() {
            return Ok(HashMap::new());
        }
        let inboxes: HashMap<i64, Inbox> = self
            .store
            .inboxes()
            .list(account_id)
            .await?
            .into_iter()
            .map(|inbox| (inbox.id.get(), inbox))
            .collect();
        let mut found: HashMap<ContactId, Vec<(Inbox, String)>> = HashMap::new();
        for (contact_id, inbox_id, source_id) in rows {
            // Only the account's inboxes: the ids came from its page, but say so here too.
            if let Some(inbox) = inboxes.get(&inbox_id) {
                found
                    .entry(ContactId(contact_id))
                    .or_default()
                    .push((inbox.clone(), source_id));
            }
        }
        Ok(found)
    }

    /// A new contact inbox of the account's contact in the account's inbox (Chatwoot's
    /// `ContactInbox.create!`): `source_id` as given or a fresh one; one already used in that
    /// inbox is `Taken("source_id")`.
    pub async fn add(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
        inbox_id: InboxId,
        source_id: Option<&str>,
    ) -> Result<(Inbox, String), StoreError> {
        self.store.contacts().find(account_id, contact_id).await?;
        let inbox = self.store.inboxes().find(account_id, inbox_id).await?;
        let source = source_id
            .map(str::to_owned)
            .unwrap_or_else(|| domain::password::random_token(32));
        on_pool!(self.store, |pool| sqlx::query(ADD)
            .bind(contact_id.get())
            .bind(inbox.id.get())
            .bind(&source)
            .bind(domain::time::now())
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(crate::error::taken("source_id"))?;
        Ok((inbox, source))
    }
}
