//! The event log: writes insert the events they cause into `events` inside their own
//! transaction ([`log_events!`]), and everything that announces a change reads it back by id
//! (the bus's relay, the webhook recorder, `/cable` resume). On PostgreSQL the same transaction
//! sends a `NOTIFY`, delivered at commit and only then; an advisory lock held from the insert
//! to the commit makes ids commit in order, so a reader past id N never misses a later N-1.

use crate::{on_pool, Store, StoreError};
use domain::{Event, UserId};

pub(crate) const INSERT: &str = "INSERT INTO events (account_id, kind, event_json, performer_id, \
     created_at) VALUES ($1, $2, $3, $4, $5)";
/// PostgreSQL: the log's lock, the events and the `NOTIFY` in one statement, so the section in
/// which writers queue on the lock (from it to the commit) is two round trips, not four or
/// more. The lock is one per schema, so tests on fresh schemas of one database do not contend;
/// it is taken before any row is formed, so before any id is drawn.
pub(crate) const LOCKED_INSERT_NOTIFY: &str = "WITH logged AS (\
     INSERT INTO events (account_id, kind, event_json, performer_id, created_at) \
     SELECT e.account_id, e.kind, e.event_json, $4, $5 \
     FROM (SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.switchboard_events'))) \
     AS locked, unnest($1::bigint[], $2::text[], $3::text[]) \
     WITH ORDINALITY AS e(account_id, kind, event_json, n) ORDER BY e.n RETURNING id) \
     SELECT pg_notify($6, '') FROM (SELECT count(*) FROM logged) AS written";
const SINCE: &str = "SELECT id, event_json, performer_id FROM events WHERE id > $1 \
     ORDER BY id LIMIT $2";
const LAST_ID: &str = "SELECT COALESCE(MAX(id), 0) FROM events";
const FIRST_ID: &str = "SELECT MIN(id) FROM events";
const CURSOR: &str = "SELECT last_id FROM event_cursors WHERE consumer = $1";
const START_CURSOR: &str = "INSERT INTO event_cursors (consumer, last_id) VALUES ($1, $2) \
     ON CONFLICT (consumer) DO NOTHING";
/// Moves a cursor forward only: a consumer that lost its lease to another cannot move it back.
pub(crate) const ADVANCE: &str =
    "UPDATE event_cursors SET last_id = $1 WHERE consumer = $2 AND last_id < $1";
const PRUNE_OLDER: &str = "DELETE FROM events WHERE created_at < $1";
const PRUNE_BELOW: &str = "DELETE FROM events WHERE id <= $1";

/// Inserts `$events` (a `&[Event]`) into the log inside transaction `$tx`, with the store's
/// performer; on PostgreSQL, takes the log's lock first and queues a `NOTIFY` for the commit.
/// Expands inside an `on_pool!` body whose error type is `sqlx::Error`.
macro_rules! log_events {
    ($store:expr, $tx:ident, $events:expr) => {{
        let events: &[domain::Event] = $events;
        if !events.is_empty() {
            let performer = $store.performer.map(domain::UserId::get);
            $crate::events::Append::append(&mut *$tx, events, performer, domain::time::now())
                .await?;
        }
    }};
}
pub(crate) use log_events;

/// Appends events to the log on a connection inside a writing transaction, as each backend
/// does it best.
pub(crate) trait Append {
    async fn append(
        &mut self,
        events: &[Event],
        performer: Option<i64>,
        now: i64,
    ) -> Result<(), sqlx::Error>;
}

fn event_json(event: &Event) -> String {
    serde_json::to_string(event).expect("events always serialize")
}

impl Append for sqlx::SqliteConnection {
    async fn append(
        &mut self,
        events: &[Event],
        performer: Option<i64>,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        for event in events {
            sqlx::query(INSERT)
                .bind(event.account_id().get())
                .bind(event.name())
                .bind(event_json(event))
                .bind(performer)
                .bind(now)
                .execute(&mut *self)
                .await?;
        }
        Ok(())
    }
}

impl Append for sqlx::PgConnection {
    async fn append(
        &mut self,
        events: &[Event],
        performer: Option<i64>,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(LOCKED_INSERT_NOTIFY)
            .bind(
                events
                    .iter()
                    .map(|e| e.account_id().get())
                    .collect::<Vec<_>>(),
            )
            .bind(events.iter().map(Event::name).collect::<Vec<_>>())
            .bind(events.iter().map(event_json).collect::<Vec<_>>())
            .bind(performer)
            .bind(now)
            .bind(crate::NOTIFY_CHANNEL)
            .execute(&mut *self)
            .await?;
        Ok(())
    }
}

/// An event as the log holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedEvent {
    /// Its place in the log: later events have greater ids.
    pub id: i64,
    pub event: Event,
    /// The agent whose request caused it (`None`: a contact, or the server itself).
    pub performer: Option<UserId>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    event_json: String,
    performer_id: Option<i64>,
}

pub struct Events<'a> {
    pub(crate) store: &'a Store,
}

impl Events<'_> {
    /// Up to `limit` events after id `after`, oldest first. A row this version cannot read
    /// (written by a newer one) is skipped with a warning rather than stopping the log.
    pub async fn since(&self, after: i64, limit: i64) -> Result<Vec<LoggedEvent>, StoreError> {
        let rows: Vec<EventRow> = on_pool!(self.store, |pool| sqlx::query_as(SINCE)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .filter_map(|row| match serde_json::from_str(&row.event_json) {
                Ok(event) => Some(LoggedEvent {
                    id: row.id,
                    event,
                    performer: row.performer_id.map(UserId),
                }),
                Err(error) => {
                    tracing::warn!(%error, id = row.id, "skipping an unreadable logged event");
                    None
                }
            })
            .collect())
    }

    /// The id of the newest event (0 when the log is empty).
    pub async fn last_id(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self.store, |pool| sqlx::query_scalar(LAST_ID)
            .fetch_one(pool)
            .await)?)
    }

    /// Whether every event after `after` is still in the log (none was pruned): a reader
    /// resuming from `after` then misses nothing.
    pub async fn holds_everything_after(&self, after: i64) -> Result<bool, StoreError> {
        let first: Option<i64> = on_pool!(self.store, |pool| sqlx::query_scalar(FIRST_ID)
            .fetch_one(pool)
            .await)?;
        Ok(match first {
            Some(first) => first <= after + 1,
            // Empty: nothing after `after` unless the log moved past it and was pruned.
            None => self.last_id().await? <= after,
        })
    }

    /// Where `consumer` stopped reading; a new consumer starts at the log's end. One read
    /// once the cursor exists (the recorder asks at every wake-up; a write there would contend
    /// with the writes it follows on SQLite).
    pub async fn cursor(&self, consumer: &str) -> Result<i64, StoreError> {
        let read = || async {
            Ok::<Option<i64>, StoreError>(on_pool!(self.store, |pool| sqlx::query_scalar(CURSOR)
                .bind(consumer)
                .fetch_optional(pool)
                .await)?)
        };
        if let Some(at) = read().await? {
            return Ok(at);
        }
        let last = self.last_id().await?;
        on_pool!(self.store, |pool| sqlx::query(START_CURSOR)
            .bind(consumer)
            .bind(last)
            .execute(pool)
            .await
            .map(|_| ()))?;
        // Another instance may have started it first: its value stands.
        read().await?.ok_or(StoreError::NotFound)
    }

    /// Moves `consumer`'s cursor forward to `to` (never back).
    pub async fn advance(&self, consumer: &str, to: i64) -> Result<(), StoreError> {
        on_pool!(self.store, |pool| sqlx::query(ADVANCE)
            .bind(to)
            .bind(consumer)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Deletes events older than `older_than` (epoch seconds) and all but the newest
    /// `keep_rows`; returns how many went.
    pub async fn prune(&self, older_than: i64, keep_rows: i64) -> Result<u64, StoreError> {
        let by_age = on_pool!(self.store, |pool| sqlx::query(PRUNE_OLDER)
            .bind(older_than)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        let below = self.last_id().await? - keep_rows;
        let by_count = if below > 0 {
            on_pool!(self.store, |pool| sqlx::query(PRUNE_BELOW)
                .bind(below)
                .execute(pool)
                .await
                .map(|done| done.rows_affected()))?
        } else {
            0
        };
        Ok(by_age + by_count)
    }
}
