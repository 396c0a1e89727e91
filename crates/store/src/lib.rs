//! The one storage facade: `Store` over an SQLite or a PostgreSQL pool. Each resource has a
//! handle (`store.conversations()`) with its SQL written once as `const`s and run on either pool
//! through `on_pool!`. Writes run in one transaction and return the events they caused.
#![forbid(unsafe_code)]

mod accounts;
mod attachments;
mod canned_responses;
mod contact_inboxes;
mod contact_labels;
mod contact_notes;
mod contacts;
mod conversations;
mod counts_cache;
mod credentials;
mod custom_attribute_definitions;
mod dashboard_app_requests;
mod dashboard_app_secrets;
mod dashboard_apps;
mod error;
mod event_rows;
mod events;
mod filters;
mod inbox_members;
mod inboxes;
mod invitations;
mod json;
mod labels;
mod messages;
mod notify;
pub mod seed;
mod signing_keys;
mod snoozes;
mod teams;
mod throttles;
mod users;
mod webhooks;

pub use accounts::{Accounts, CreatedAccount};
pub use attachments::{Attachments, StoredFile};
pub use canned_responses::CannedResponses;
pub use contact_inboxes::{ContactInbox, ContactInboxes, PublicContact};
pub use contact_labels::ContactLabels;
pub use contact_notes::ContactNotes;
pub use contacts::{ContactPage, Contacts, CreatedContact, PAGE_SIZE as CONTACTS_PAGE_SIZE};
pub use conversations::{ConversationPage, Conversations};
pub use credentials::{PasswordChange, ProfileChanges, Session};
pub use custom_attribute_definitions::CustomAttributeDefinitions;
pub use dashboard_app_requests::{AppRequestRecord, DashboardAppRequests, NewAppRequest};
pub use dashboard_app_secrets::DashboardAppSecrets;
pub use dashboard_apps::DashboardApps;
pub use error::StoreError;
pub use event_rows::{Bodies, EventRows};
pub use events::{Events, LoggedEvent};
pub use inbox_members::InboxMembers;
pub use inboxes::Inboxes;
pub use invitations::{Invitation, Invitations};
pub use labels::Labels;
pub use messages::Messages;
pub use notify::CHANNEL as NOTIFY_CHANNEL;
pub use signing_keys::SigningKeys;
pub use sqlx::postgres::PgListener;
pub use teams::Teams;
pub use throttles::{Throttles, Window};
pub use users::{AddExisting, Users};
pub use webhooks::{
    AttemptResult, Destination, DueDelivery, NextStep, RecorderLease, Webhooks, WEBHOOK_CURSOR,
};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Expands one body into a `match` arm per backend: written once, type-checked per driver.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// [`on_pool!`] for a write transaction. On SQLite it runs on the one writer connection: SQLite
/// admits one writer at a time, and writers that find the lock taken sleep in its busy handler
/// (1, 2, 5, … 100 ms) — the lock then idles while they sleep and the unlucky wait longest;
/// through one connection they queue in the pool's fair order and start as the last commits.
/// (Another process on the same file still meets the busy handler.) On PostgreSQL, the pool.
macro_rules! on_writer {
    ($store:expr, |$pool:ident| $body:expr) => {
        match (&$store.pool, &$store.sqlite_writer) {
            (_, Some($pool)) => $body,
            ($crate::Pool::Sqlite($pool), None) => $body,
            ($crate::Pool::Postgres($pool), _) => $body,
        }
    };
}
pub(crate) use on_writer;

/// A value written and the events its write caused; publish the events only after commit.
#[derive(Debug, Clone)]
pub struct Outcome<T> {
    pub value: T,
    pub events: Vec<domain::Event>,
}

impl<T> Outcome<T> {
    pub fn new(value: T, events: Vec<domain::Event>) -> Self {
        Self { value, events }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Which database a `Store` talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    /// Shared by every clone of this store (one per instance).
    pub(crate) counts: Arc<counts_cache::CountsCache>,
    /// The key that signs file links, read from the database once.
    pub(crate) file_key: Arc<tokio::sync::OnceCell<String>>,
    /// The public URL file links start with (see [`Store::set_public_url`]).
    pub(crate) file_base: Arc<std::sync::OnceLock<String>>,
    /// The conversation list's pages, forgotten with the counts and by every other event.
    pub(crate) pages: Arc<counts_cache::PageCache>,
    /// The agent whose request the writes through this handle serve (see [`Store::by`]); the
    /// event log keeps it with each event, and `/cable` sends it as `performer`.
    pub(crate) performer: Option<domain::UserId>,
    /// Bumped after each commit that logged events: this instance's log readers wake at once
    /// rather than at their next poll.
    pub(crate) appended: Arc<tokio::sync::watch::Sender<u64>>,
    /// The log's last id when this store migrated: where this instance's relay starts.
    pub(crate) log_start: Arc<std::sync::atomic::AtomicI64>,
    /// On SQLite, the connection write transactions take (see [`on_writer!`]).
    pub(crate) sqlite_writer: Option<SqlitePool>,
    /// The folder of a [`Store::sqlite_in_temp_dir`] database, removed with the last clone
    /// (last, so the pool is dropped first).
    pub(crate) scratch: Option<Arc<tempfile::TempDir>>,
}

impl Store {
    /// Connects to `url` (`sqlite://path`, `sqlite::memory:` or `postgres://…`), creating an
    /// SQLite file and its folder when missing. Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)?;
            Self::postgres(options).await
        } else {
            Self::sqlite(url).await
        }
    }

    async fn sqlite(url: &str) -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL: a commit is in the log before it is acknowledged, so it survives a
            // killed process; only an OS crash may lose the last transactions.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(parent) = options.get_filename().parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| StoreError::Database(e.into()))?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.clone())
            .await?;
        // Writers queue here for as long as the busy handler would let them wait.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Store {
            pool: Pool::Sqlite(pool),
            counts: Arc::default(),
            file_key: Arc::default(),
            file_base: Arc::default(),
            pages: Arc::default(),
            performer: None,
            appended: Arc::new(tokio::sync::watch::Sender::new(0)),
            log_start: Arc::default(),
            sqlite_writer: Some(writer),
            scratch: None,
        })
    }

    async fn postgres(options: PgConnectOptions) -> Result<Store, StoreError> {
        // Generic plans for our prepared statements: once a table has statistics, PostgreSQL
        // re-plans the list's many-join query at every execution (a custom plan, 3.5 ms of
        // planning for 0.4 ms of execution: list page 1 fell from ~1,140 to ~570 req/s after
        // ANALYZE). Every statement here is a fixed OLTP shape served by its index either way.
        let options = options.options([("plan_cache_mode", "force_generic_plan")]);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        Ok(Store {
            pool: Pool::Postgres(pool),
            counts: Arc::default(),
            file_key: Arc::default(),
            file_base: Arc::default(),
            pages: Arc::default(),
            performer: None,
            appended: Arc::new(tokio::sync::watch::Sender::new(0)),
            log_start: Arc::default(),
            sqlite_writer: None,
            scratch: None,
        })
    }

    /// A PostgreSQL store confined to a new, empty schema: tests never see each other's rows.
    pub async fn postgres_fresh_schema(url: &str) -> Result<Store, StoreError> {
        let admin = PgPool::connect(url).await?;
        let schema = format!("t_{}", domain::password::random_token(16).to_lowercase());
        // The name is ours (alphanumeric), never user input.
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin)
            .await?;
        admin.close().await;
        let options = PgConnectOptions::from_str(url)?.options([("search_path", schema.as_str())]);
        let store = Self::postgres(options).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// A migrated SQLite store in a fresh temporary folder, which goes (with the database,
    /// its `-wal` and `-shm`) when the last clone of the store is dropped.
    pub async fn sqlite_in_temp_dir() -> Result<Store, StoreError> {
        let dir = tempfile::Builder::new()
            .prefix("switchboard-test-")
            .tempdir()
            .map_err(|e| StoreError::Database(e.into()))?;
        let path = dir.path().join("switchboard.db");
        let mut store = Self::connect(&format!("sqlite://{}", path.display())).await?;
        store.scratch = Some(Arc::new(dir));
        store.migrate().await?;
        Ok(store)
    }

    /// The same database as another instance sees it: the same pool, but caches of its own
    /// (tests of several instances in one process).
    pub fn another_instance(&self) -> Store {
        Store {
            pool: self.pool.clone(),
            counts: Arc::default(),
            file_key: Arc::default(),
            file_base: Arc::clone(&self.file_base),
            pages: Arc::default(),
            performer: None,
            appended: Arc::new(tokio::sync::watch::Sender::new(0)),
            log_start: self.log_start.clone(),
            sqlite_writer: self.sqlite_writer.clone(),
            scratch: self.scratch.clone(),
        }
    }

    /// Applies the embedded migrations of this backend, then digests any token or session id
    /// still kept in plaintext (idempotent).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Pool::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        credentials::hash_plaintext_secrets(self).await?;
        self.start_log_here().await
    }

    /// Moves [`Store::log_start`] to the log's end: relays started later begin here (a test
    /// fixture's seed is not news).
    pub async fn start_log_here(&self) -> Result<(), StoreError> {
        let last = self.events().last_id().await?;
        self.log_start
            .store(last, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// The log's last id when this store migrated (0 before): a relay reading from there hears
    /// every event written since.
    pub fn log_start(&self) -> i64 {
        self.log_start.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// After a bulk load: fresh planner statistics and, on PostgreSQL, the visibility map that
    /// lets index-only scans skip the table. Right after `seed --conversations 100000`,
    /// PostgreSQL had no statistics and planned the list's page seek as a sort of every open
    /// conversation (issue 6: page 400 at 100 req/s; 23 ms → 3 ms per seek after `VACUUM
    /// ANALYZE`). SQLite already picks the list's indexes without statistics, and `ANALYZE`
    /// there could change plans this has not measured, so it is left alone.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        if let Pool::Postgres(pool) = &self.pool {
            sqlx::query("VACUUM ANALYZE").execute(pool).await?;
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Whether the database answers (used by `/health`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Lets the store's caches follow a committed event, this instance's or another's: the
    /// event bus calls it for everything it hears (see `counts_cache`).
    pub fn observe(&self, event: &domain::Event) {
        use domain::Event::*;
        // A page shows each conversation's last message, read state, contact and assignee:
        // everything but someone typing changes what it holds.
        if !matches!(event, Typing { .. }) {
            self.pages.forget(event.account_id());
        }
        match event {
            ConversationCreated { account_id, .. }
            | ConversationStatusChanged { account_id, .. }
            | AssigneeChanged { account_id, .. }
            | TeamChanged { account_id, .. }
            // Labels: the counts of a label filter.
            | ConversationUpdated { account_id, .. }
            | ConversationContactChanged { account_id, .. }
            // Unassigned conversations, or an inbox's conversations gone.
            | AgentRemoved { account_id, .. }
            | InboxDeleted { account_id, .. } => self.counts.forget(*account_id),
            MessageCreated { .. }
            | MessageUpdated { .. }
            | ConversationRead { .. }
            | ContactUpdated { .. }
            | CustomAttributeDefinitionsChanged { .. }
            | Typing { .. } => {}
        }
    }

    /// Forgets every cached value: events may have been missed (the bus lost its listener).
    pub fn forget_caches(&self) {
        self.counts.forget_all();
        self.pages.forget_all();
    }

    /// Forgets what is cached of `account_id` after a write that announces no event (a renamed
    /// agent or team shows in the list's rows); other instances learn of it when
    /// [`counts_cache::TTL`] runs out.
    pub(crate) fn forget_account(&self, account_id: domain::AccountId) {
        self.counts.forget(account_id);
        self.pages.forget(account_id);
    }

    /// What this instance's own writes do right after commit, before answering: caches
    /// follow, and this instance's log readers wake.
    pub(crate) fn observe_all(&self, events: &[domain::Event]) {
        for event in events {
            self.observe(event);
        }
        if !events.is_empty() {
            self.appended.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    /// The same store, writing on behalf of agent `performer`: the events its writes log
    /// carry the agent (Chatwoot's `Current.user`).
    pub fn by(&self, performer: domain::UserId) -> Store {
        Store {
            performer: Some(performer),
            ..self.clone()
        }
    }

    /// Changes whenever this instance commits events (see [`Store::events`]).
    pub fn appended(&self) -> tokio::sync::watch::Receiver<u64> {
        self.appended.subscribe()
    }

    pub fn events(&self) -> Events<'_> {
        Events { store: self }
    }

    pub async fn close(&self) {
        if let Some(writer) = &self.sqlite_writer {
            writer.close().await;
        }
        on_pool!(self, |pool| pool.close().await)
    }

    pub fn accounts(&self) -> Accounts<'_> {
        Accounts { store: self }
    }
    pub fn users(&self) -> Users<'_> {
        Users { store: self }
    }
    pub fn invitations(&self) -> Invitations<'_> {
        Invitations { store: self }
    }
    pub fn inboxes(&self) -> Inboxes<'_> {
        Inboxes { store: self }
    }
    pub fn contacts(&self) -> Contacts<'_> {
        Contacts { store: self }
    }
    pub fn conversations(&self) -> Conversations<'_> {
        Conversations { store: self }
    }
    pub fn messages(&self) -> Messages<'_> {
        Messages { store: self }
    }
    pub fn attachments(&self) -> Attachments<'_> {
        Attachments { store: self }
    }

    /// Makes file links absolute under the operator's public URL (set once, at start-up; links
    /// stay origin-relative without it).
    pub fn set_public_url(&self, url: &str) {
        let _ = self.file_base.set(url.trim_end_matches('/').to_owned());
    }
    pub fn labels(&self) -> Labels<'_> {
        Labels { store: self }
    }
    pub fn dashboard_apps(&self) -> DashboardApps<'_> {
        DashboardApps { store: self }
    }
    pub fn dashboard_app_secrets(&self) -> DashboardAppSecrets<'_> {
        DashboardAppSecrets { store: self }
    }
    pub fn dashboard_app_requests(&self) -> DashboardAppRequests<'_> {
        DashboardAppRequests { store: self }
    }
    pub fn contact_inboxes(&self) -> ContactInboxes<'_> {
        ContactInboxes { store: self }
    }
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks { store: self }
    }
    pub fn teams(&self) -> Teams<'_> {
        Teams { store: self }
    }
    pub fn inbox_members(&self) -> InboxMembers<'_> {
        InboxMembers { store: self }
    }
    pub fn throttles(&self) -> Throttles<'_> {
        Throttles { store: self }
    }
    pub fn contact_labels(&self) -> ContactLabels<'_> {
        ContactLabels { store: self }
    }
    pub fn contact_notes(&self) -> ContactNotes<'_> {
        ContactNotes { store: self }
    }
    pub fn canned_responses(&self) -> CannedResponses<'_> {
        CannedResponses { store: self }
    }
    pub fn signing_keys(&self) -> SigningKeys<'_> {
        SigningKeys { store: self }
    }
    pub fn custom_attribute_definitions(&self) -> CustomAttributeDefinitions<'_> {
        CustomAttributeDefinitions { store: self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_temporary_sqlite_database_goes_with_the_last_clone_of_its_store() {
        let store = Store::sqlite_in_temp_dir().await.unwrap();
        let dir = store.scratch.as_ref().unwrap().path().to_path_buf();
        assert!(dir.join("switchboard.db").is_file());
        let clone = store.by(domain::UserId(1));
        drop(store);
        clone.ping().await.unwrap();
        assert!(dir.exists(), "a clone still uses it");
        drop(clone);
        assert!(!dir.exists(), "{} is left behind", dir.display());
    }
}
