//! Contacts and their contact inboxes (the `source_id` a channel knows them by).

use crate::error::{found, taken};
use crate::events::log_events;
use crate::filters::{push_filter, Table};
use crate::{json, on_pool, on_writer, Store, StoreError};
use domain::filter::Filter;
use domain::{
    AccountId, Contact, ContactChanges, ContactId, ContactInboxId, DomainError, InboxId, NewContact,
};
use sqlx::QueryBuilder;

/// Contacts a page of the contact list shows (Chatwoot's `RESULTS_PER_PAGE`).
pub const PAGE_SIZE: i64 = 15;

macro_rules! contact_select {
    () => {
        "SELECT id, account_id, name, email, phone_number, identifier, additional_attributes_json, \
         custom_attributes_json, last_activity_at, created_at FROM contacts "
    };
}

const INSERT: &str = "INSERT INTO contacts (account_id, name, email, phone_number, identifier, \
     additional_attributes_json, custom_attributes_json, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     RETURNING id, account_id, name, email, phone_number, identifier, additional_attributes_json, \
     custom_attributes_json, last_activity_at, created_at";
const SELECT_ONE: &str = concat!(contact_select!(), "WHERE account_id = $1 AND id = $2");
/// A contact's name, e-mail, phone number or identifier contains `$2` (lowercased, `LIKE`-escaped).
macro_rules! search_where {
    () => {
        "WHERE account_id = $1 AND (LOWER(COALESCE(name, '')) LIKE $2 ESCAPE '\\' \
         OR LOWER(COALESCE(email, '')) LIKE $2 ESCAPE '\\' OR COALESCE(phone_number, '') LIKE $2 ESCAPE '\\' \
         OR LOWER(COALESCE(identifier, '')) LIKE $2 ESCAPE '\\')"
    };
}
const COUNT: &str = "SELECT COUNT(*) FROM contacts WHERE account_id = $1";
const SEARCH_COUNT: &str = concat!("SELECT COUNT(*) FROM contacts ", search_where!());
const UPDATE: &str = "UPDATE contacts SET name = $1, email = $2, phone_number = $3, identifier = $4, \
     additional_attributes_json = $5, custom_attributes_json = $6 WHERE account_id = $7 AND id = $8";
const DELETE: &str = "DELETE FROM contacts WHERE account_id = $1 AND id = $2";
const INBOX_IN_ACCOUNT: &str = "SELECT id FROM inboxes WHERE account_id = $1 AND id = $2";
const INSERT_CONTACT_INBOX: &str =
    "INSERT INTO contact_inboxes (contact_id, inbox_id, source_id, created_at) \
     VALUES ($1, $2, $3, $4) RETURNING id";
const SELECT_CONTACT_INBOX: &str =
    "SELECT id, source_id FROM contact_inboxes WHERE contact_id = $1 AND inbox_id = $2 ORDER BY id LIMIT 1";
const SELECT_BY_SOURCE: &str =
    "SELECT id, source_id FROM contact_inboxes WHERE contact_id = $1 AND inbox_id = $2 AND source_id = $3";

/// The orders the contact list and search may be sorted in (Chatwoot's `sort`, `-` for
/// descending), as `ORDER BY` clauses. Contacts never active go last either way, on both
/// databases (Chatwoot's `order_on_last_activity_at` says `NULLS LAST`).
const ORDERS: [(&str, &str); 8] = [
    ("name", "name ASC, id ASC"),
    ("-name", "name DESC, id DESC"),
    ("email", "email ASC, id ASC"),
    ("-email", "email DESC, id DESC"),
    (
        "last_activity_at",
        "last_activity_at ASC NULLS LAST, id ASC",
    ),
    (
        "-last_activity_at",
        "last_activity_at DESC NULLS LAST, id DESC",
    ),
    ("created_at", "id ASC"),
    ("-created_at", "id DESC"),
];

/// The `ORDER BY` clause `sort` names (newest first when none), or a 422 naming `sort`.
fn order_by(sort: Option<&str>) -> Result<&'static str, DomainError> {
    match sort.filter(|s| !s.is_empty()) {
        None => Ok("id DESC"),
        Some(sort) => ORDERS
            .iter()
            .find(|(name, _)| *name == sort)
            .map(|(_, clause)| *clause)
            .ok_or_else(|| {
                DomainError::invalid(
                    "sort",
                    "Sort must be one of name, email, last_activity_at, created_at (- for descending)",
                )
            }),
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    pub(crate) id: i64,
    pub(crate) account_id: i64,
    pub(crate) name: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) phone_number: Option<String>,
    pub(crate) identifier: Option<String>,
    pub(crate) additional_attributes_json: String,
    pub(crate) custom_attributes_json: String,
    pub(crate) last_activity_at: Option<i64>,
    pub(crate) created_at: i64,
}

impl From<ContactRow> for Contact {
    fn from(row: ContactRow) -> Self {
        Contact {
            id: ContactId(row.id),
            account_id: AccountId(row.account_id),
            name: row.name,
            email: row.email,
            phone_number: row.phone_number,
            identifier: row.identifier,
            additional_attributes: json::object(&row.additional_attributes_json),
            custom_attributes: json::object(&row.custom_attributes_json),
            last_activity_at: row.last_activity_at,
            created_at: row.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ContactInboxRow {
    id: i64,
    source_id: String,
}

/// A created contact and, when an inbox was given, its contact inbox.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedContact {
    pub contact: Contact,
    pub contact_inbox: Option<(InboxId, String)>,
}

/// One page of contacts and the total they were taken from.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactPage {
    pub contacts: Vec<Contact>,
    pub count: i64,
}

pub struct Contacts<'a> {
    pub(crate) store: &'a Store,
}

impl Contacts<'_> {
    pub async fn create(&self, new: &NewContact) -> Result<CreatedContact, StoreError> {
        if let Some(inbox_id) = new.inbox_id {
            self.require_inbox(new.account_id, inbox_id).await?;
        }
        let now = domain::time::now();
        let source_id = new.inbox_id.map(|_| domain::password::random_token(32));
        let row: ContactRow = on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let row: ContactRow = sqlx::query_as(INSERT)
                .bind(new.account_id.get())
                .bind(&new.name)
                .bind(&new.email)
                .bind(&new.phone_number)
                .bind(&new.identifier)
                .bind(json::text(&new.additional_attributes))
                .bind(json::text(&new.custom_attributes))
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(taken_contact(new.email.is_some()))?;
            if let (Some(inbox_id), Some(source_id)) = (new.inbox_id, &source_id) {
                sqlx::query(INSERT_CONTACT_INBOX)
                    .bind(row.id)
                    .bind(inbox_id.get())
                    .bind(source_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, StoreError>(row)
        })?;
        Ok(CreatedContact {
            contact: row.into(),
            contact_inbox: new.inbox_id.zip(source_id),
        })
    }

    pub async fn find(&self, account_id: AccountId, id: ContactId) -> Result<Contact, StoreError> {
        let row: Option<ContactRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ONE)
            .bind(account_id.get())
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        found(row).map(Contact::from)
    }

    /// The contacts `ids` names that still exist, in one query.
    pub(crate) async fn find_many(&self, ids: &[ContactId]) -> Result<Vec<Contact>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<ContactRow> = on_pool!(self.store, |pool| {
            let mut qb = QueryBuilder::new(contact_select!());
            qb.push("WHERE id IN (");
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(id.get());
            }
            qb.push(")");
            qb.build_query_as().fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(Contact::from).collect())
    }

    /// A page of contacts in the order `sort` names (default: newest first).
    pub async fn list(
        &self,
        account_id: AccountId,
        sort: Option<&str>,
        page: i64,
    ) -> Result<ContactPage, StoreError> {
        self.search(account_id, "", sort, page).await
    }

    /// A page of the contacts whose name, e-mail, phone number or identifier contains `query`
    /// (all of them for an empty one), in the order `sort` names (default: newest first), and
    /// how many match in all.
    pub async fn search(
        &self,
        account_id: AccountId,
        query: &str,
        sort: Option<&str>,
        page: i64,
    ) -> Result<ContactPage, StoreError> {
        let order = order_by(sort)?;
        let query = query.trim().to_lowercase();
        let offset = (page - 1) * PAGE_SIZE;
        // `order` is one of ORDERS' fixed clauses, never request text. Without a query, the
        // plain list (no `LIKE` on every row, and the count from the account's index alone).
        let (rows, count): (Vec<ContactRow>, i64) = if query.is_empty() {
            let sql = format!(
                "{}WHERE account_id = $1 ORDER BY {order} LIMIT $2 OFFSET $3",
                contact_select!()
            );
            on_pool!(self.store, |pool| {
                let rows = sqlx::query_as(&sql)
                    .bind(account_id.get())
                    .bind(PAGE_SIZE)
                    .bind(offset)
                    .fetch_all(pool)
                    .await?;
                let count = sqlx::query_scalar(COUNT)
                    .bind(account_id.get())
                    .fetch_one(pool)
                    .await?;
                Ok::<_, sqlx::Error>((rows, count))
            })?
        } else {
            let pattern = format!("%{}%", escape_like(&query));
            let sql = format!(
                "{}{} ORDER BY {order} LIMIT $3 OFFSET $4",
                contact_select!(),
                search_where!()
            );
            on_pool!(self.store, |pool| {
                let rows = sqlx::query_as(&sql)
                    .bind(account_id.get())
                    .bind(&pattern)
                    .bind(PAGE_SIZE)
                    .bind(offset)
                    .fetch_all(pool)
                    .await?;
                let count = sqlx::query_scalar(SEARCH_COUNT)
                    .bind(account_id.get())
                    .bind(&pattern)
                    .fetch_one(pool)
                    .await?;
                Ok::<_, sqlx::Error>((rows, count))
            })?
        };
        Ok(ContactPage {
            contacts: rows.into_iter().map(Contact::from).collect(),
            count,
        })
    }

    /// A page of the contacts `filter` (Chatwoot's contact filter) matches, newest first, and
    /// how many match in all.
    pub async fn filter(
        &self,
        account_id: AccountId,
        filter: &Filter,
        page: i64,
    ) -> Result<ContactPage, StoreError> {
        let dialect = self.store.dialect();
        let offset = (page - 1) * PAGE_SIZE;
        let (rows, count): (Vec<ContactRow>, i64) = on_pool!(self.store, |pool| {
            let mut qb = QueryBuilder::new(contact_select!());
            qb.push("WHERE account_id = ").push_bind(account_id.get());
            push_filter(&mut qb, filter, Table::Contacts, dialect);
            qb.push(" ORDER BY id DESC LIMIT ")
                .push_bind(PAGE_SIZE)
                .push(" OFFSET ")
                .push_bind(offset);
            let rows = qb.build_query_as().fetch_all(pool).await?;
            let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM contacts WHERE account_id = ");
            qb.push_bind(account_id.get());
            push_filter(&mut qb, filter, Table::Contacts, dialect);
            let count = qb.build_query_scalar().fetch_one(pool).await?;
            Ok::<_, sqlx::Error>((rows, count))
        })?;
        Ok(ContactPage {
            contacts: rows.into_iter().map(Contact::from).collect(),
            count,
        })
    }

    pub async fn update(
        &self,
        account_id: AccountId,
        id: ContactId,
        changes: &ContactChanges,
    ) -> Result<crate::Outcome<Contact>, StoreError> {
        let mut contact = self.find(account_id, id).await?;
        changes.apply(&mut contact);
        let event = domain::Event::ContactUpdated {
            account_id,
            contact_id: id,
        };
        // An async block, so its `?`s end there and the unique violation reaches `map_err`.
        on_writer!(self.store, |pool| async {
            let mut tx = pool.begin().await?;
            sqlx::query(UPDATE)
                .bind(&contact.name)
                .bind(&contact.email)
                .bind(&contact.phone_number)
                .bind(&contact.identifier)
                .bind(json::text(&contact.additional_attributes))
                .bind(json::text(&contact.custom_attributes))
                .bind(account_id.get())
                .bind(id.get())
                .execute(&mut *tx)
                .await?;
            log_events!(self.store, tx, std::slice::from_ref(&event));
            tx.commit().await
        }
        .await)
        .map_err(taken_contact(changes.email.is_some()))?;
        self.store.observe_all(std::slice::from_ref(&event));
        Ok(crate::Outcome::new(contact, vec![event]))
    }

    pub async fn delete(&self, account_id: AccountId, id: ContactId) -> Result<(), StoreError> {
        let done = on_pool!(self.store, |pool| sqlx::query(DELETE)
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        crate::error::touched(done)?;
        // The contact's conversations went with it, and no event says so.
        self.store.forget_account(account_id);
        Ok(())
    }

    /// The contact's contact inbox in `inbox_id` — the one with `source_id` when given — created
    /// when missing.
    pub async fn contact_inbox(
        &self,
        contact_id: ContactId,
        inbox_id: InboxId,
        source_id: Option<&str>,
    ) -> Result<(ContactInboxId, String), StoreError> {
        let existing: Option<ContactInboxRow> = on_pool!(self.store, |pool| match source_id {
            Some(source) =>
                sqlx::query_as(SELECT_BY_SOURCE)
                    .bind(contact_id.get())
                    .bind(inbox_id.get())
                    .bind(source)
                    .fetch_optional(pool)
                    .await,
            None =>
                sqlx::query_as(SELECT_CONTACT_INBOX)
                    .bind(contact_id.get())
                    .bind(inbox_id.get())
                    .fetch_optional(pool)
                    .await,
        })?;
        if let Some(row) = existing {
            return Ok((ContactInboxId(row.id), row.source_id));
        }
        let source = source_id
            .map(str::to_owned)
            .unwrap_or_else(|| domain::password::random_token(32));
        let now = domain::time::now();
        let id: i64 = on_pool!(self.store, |pool| sqlx::query_scalar(INSERT_CONTACT_INBOX)
            .bind(contact_id.get())
            .bind(inbox_id.get())
            .bind(&source)
            .bind(now)
            .fetch_one(pool)
            .await)
        .map_err(taken("source_id"))?;
        Ok((ContactInboxId(id), source))
    }

    pub(crate) async fn require_inbox(
        &self,
        account_id: AccountId,
        inbox_id: InboxId,
    ) -> Result<(), StoreError> {
        let id: Option<i64> = on_pool!(self.store, |pool| sqlx::query_scalar(INBOX_IN_ACCOUNT)
            .bind(account_id.get())
            .bind(inbox_id.get())
            .fetch_optional(pool)
            .await)?;
        match id {
            Some(_) => Ok(()),
            None => Err(DomainError::invalid("inbox_id", "Inbox does not exist").into()),
        }
    }
}

const MOVED_CONVERSATIONS: &str =
    "SELECT id, inbox_id FROM conversations WHERE account_id = $1 AND contact_id = $2";
const MOVE_CONVERSATIONS: &str =
    "UPDATE conversations SET contact_id = $1 WHERE account_id = $2 AND contact_id = $3";
const MOVE_CONTACT_INBOXES: &str =
    "UPDATE contact_inboxes SET contact_id = $1 WHERE contact_id = $2";
const MOVE_NOTES: &str =
    "UPDATE contact_notes SET contact_id = $1 WHERE account_id = $2 AND contact_id = $3";
const MOVE_MESSAGES: &str = "UPDATE messages SET sender_id = $1 \
     WHERE account_id = $2 AND sender_type = 'contact' AND sender_id = $3";

impl Contacts<'_> {
    /// Merges `mergee` into `base` (Chatwoot's contact merge): the mergee's conversations,
    /// contact inboxes, messages and notes move to the base, attributes the base lacks are taken from
    /// the mergee, and the mergee is deleted. Announces `conversation.contact_changed` for
    /// every moved conversation and `contact.updated` for the base.
    pub async fn merge(
        &self,
        account_id: AccountId,
        base: ContactId,
        mergee: ContactId,
    ) -> Result<crate::Outcome<Contact>, StoreError> {
        if base == mergee {
            return Err(DomainError::invalid(
                "mergee_contact_id",
                "A contact cannot be merged into itself",
            )
            .into());
        }
        let mut merged = self.find(account_id, base).await?;
        let other = self.find(account_id, mergee).await?;
        merged.name = merged.name.or(other.name);
        merged.email = merged.email.or(other.email);
        merged.phone_number = merged.phone_number.or(other.phone_number);
        merged.identifier = merged.identifier.or(other.identifier);
        for (key, value) in other.additional_attributes {
            merged.additional_attributes.entry(key).or_insert(value);
        }
        for (key, value) in other.custom_attributes {
            merged.custom_attributes.entry(key).or_insert(value);
        }
        let events: Vec<domain::Event> = on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let moved: Vec<(i64, i64)> = sqlx::query_as(MOVED_CONVERSATIONS)
                .bind(account_id.get())
                .bind(mergee.get())
                .fetch_all(&mut *tx)
                .await?;
            sqlx::query(MOVE_CONVERSATIONS)
                .bind(base.get())
                .bind(account_id.get())
                .bind(mergee.get())
                .execute(&mut *tx)
                .await?;
            sqlx::query(MOVE_CONTACT_INBOXES)
                .bind(base.get())
                .bind(mergee.get())
                .execute(&mut *tx)
                .await?;
            sqlx::query(MOVE_MESSAGES)
                .bind(base.get())
                .bind(account_id.get())
                .bind(mergee.get())
                .execute(&mut *tx)
                .await?;
            sqlx::query(MOVE_NOTES)
                .bind(base.get())
                .bind(account_id.get())
                .bind(mergee.get())
                .execute(&mut *tx)
                .await?;
            // The mergee goes first, so its unique e-mail or identifier can move to the base.
            sqlx::query(DELETE)
                .bind(account_id.get())
                .bind(mergee.get())
                .execute(&mut *tx)
                .await?;
            sqlx::query(UPDATE)
                .bind(&merged.name)
                .bind(&merged.email)
                .bind(&merged.phone_number)
                .bind(&merged.identifier)
                .bind(json::text(&merged.additional_attributes))
                .bind(json::text(&merged.custom_attributes))
                .bind(account_id.get())
                .bind(base.get())
                .execute(&mut *tx)
                .await?;
            let mut events: Vec<domain::Event> = moved
                .into_iter()
                .map(
                    |(conversation, inbox)| domain::Event::ConversationContactChanged {
                        account_id,
                        inbox_id: InboxId(inbox),
                        conversation_id: domain::ConversationId(conversation),
                    },
                )
                .collect();
            events.push(domain::Event::ContactUpdated {
                account_id,
                contact_id: base,
            });
            log_events!(self.store, tx, &events);
            tx.commit().await?;
            Ok::<_, sqlx::Error>(events)
        })?;
        self.store.observe_all(&events);
        Ok(crate::Outcome::new(merged, events))
    }
}

/// A unique violation on contacts names the constraint's column (e-mail or identifier); when
/// the database does not say, it is the e-mail if one was given, else the identifier.
fn taken_contact(has_email: bool) -> impl Fn(sqlx::Error) -> StoreError {
    move |error| {
        let named = match &error {
            sqlx::Error::Database(db) => {
                let text = format!("{} {}", db.constraint().unwrap_or_default(), db.message());
                if text.contains("identifier") {
                    Some("identifier")
                } else if text.contains("email") {
                    Some("email")
                } else {
                    None
                }
            }
            _ => None,
        };
        let fallback = if has_email { "email" } else { "identifier" };
        taken(named.unwrap_or(fallback))(error)
    }
}

/// Escapes `%`, `_` and `\` so user text matches literally in `LIKE … ESCAPE '\'`.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
