//! Outgoing webhooks: an account's subscriptions, and the durable outbox the delivery worker
//! drains (`webhook_deliveries`, one row per event and destination, with every attempt in
//! `webhook_attempts`). Rows are claimed with a lease, so two workers (two instances on one
//! PostgreSQL database) never send the same attempt, and a crashed worker's claim expires.
//! Recording is one instance's job at a time ([`RecorderLease`]): on PostgreSQL every instance
//! hears every instance's events, and each event must become one set of rows.

use crate::error::{found, taken};
use crate::{json, on_pool, on_writer, Pool, Store, StoreError};
use domain::webhook::{Delivery, DeliveryAttempt, DeliveryState};
use domain::{AccountId, InboxId, NewWebhook, Webhook, WebhookChanges, WebhookId};
use sqlx::QueryBuilder;

macro_rules! webhook_select {
    () => {
        "SELECT id, account_id, inbox_id, name, url, subscriptions_json, created_at FROM webhooks "
    };
}

const INSERT: &str = "INSERT INTO webhooks (account_id, inbox_id, name, url, subscriptions_json, \
     secret, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
     RETURNING id, account_id, inbox_id, name, url, subscriptions_json, created_at";
const SELECT_ALL: &str = concat!(webhook_select!(), "WHERE account_id = $1 ORDER BY id");
const SELECT_ONE: &str = concat!(webhook_select!(), "WHERE account_id = $1 AND id = $2");
const UPDATE: &str = "UPDATE webhooks SET name = $1, url = $2, subscriptions_json = $3 \
     WHERE account_id = $4 AND id = $5";
const DELETE: &str = "DELETE FROM webhooks WHERE account_id = $1 AND id = $2";
const ENQUEUE: &str = "INSERT INTO webhook_deliveries (account_id, webhook_id, inbox_id, event, \
     body, state, attempts, next_attempt_ms, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7)";
/// Claims up to `$3` due rows until `$1`. The outer conditions repeat the inner ones so that on
/// PostgreSQL a row claimed by a concurrent worker meanwhile is re-checked and skipped.
const CLAIM: &str = "UPDATE webhook_deliveries SET locked_until_ms = $1 WHERE id IN \
     (SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_ms <= $2 \
      AND (locked_until_ms IS NULL OR locked_until_ms <= $2) ORDER BY next_attempt_ms, id LIMIT $3) \
     AND state = 'pending' AND (locked_until_ms IS NULL OR locked_until_ms <= $2) RETURNING id";
const DUE_SELECT: &str = "SELECT d.id, d.event, d.body, d.attempts, \
     COALESCE(w.url, i.webhook_url) AS url, COALESCE(w.secret, i.hmac_token) AS secret \
     FROM webhook_deliveries d LEFT JOIN webhooks w ON w.id = d.webhook_id \
     LEFT JOIN inboxes i ON i.id = d.inbox_id WHERE d.id IN (";
const INSERT_ATTEMPT: &str = "INSERT INTO webhook_attempts (delivery_id, attempt, url, \
     response_status, error, duration_ms, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
const FINISH: &str = "UPDATE webhook_deliveries SET attempts = $1, state = $2, \
     next_attempt_ms = $3, locked_until_ms = NULL, finished_at = $4 WHERE id = $5";
const LOG: &str = "SELECT id, event, state, next_attempt_ms, created_at, finished_at \
     FROM webhook_deliveries WHERE account_id = $1 AND webhook_id = $2 ORDER BY id DESC LIMIT $3 OFFSET $4";
const LOG_ATTEMPTS: &str =
    "SELECT delivery_id, attempt, url, response_status, error, duration_ms, \
     created_at FROM webhook_attempts WHERE delivery_id IN (";

/// One advisory lock per schema, so tests on fresh schemas of one database do not contend.
const TRY_LEAD: &str =
    "SELECT pg_try_advisory_lock(hashtext(current_schema() || '.switchboard_webhook_recorder'))";
const UNLEAD: &str =
    "SELECT pg_advisory_unlock(hashtext(current_schema() || '.switchboard_webhook_recorder'))";

/// The webhook recorder's name in `event_cursors`.
pub const WEBHOOK_CURSOR: &str = "webhooks";

/// Deliveries a page of the log shows.
pub const LOG_PAGE_SIZE: i64 = 25;

#[derive(sqlx::FromRow)]
struct WebhookRow {
    id: i64,
    account_id: i64,
    inbox_id: Option<i64>,
    name: Option<String>,
    url: String,
    subscriptions_json: String,
    created_at: i64,
}

impl From<WebhookRow> for Webhook {
    fn from(row: WebhookRow) -> Self {
        Webhook {
            id: WebhookId(row.id),
            account_id: AccountId(row.account_id),
            inbox_id: row.inbox_id.map(InboxId),
            name: row.name,
            url: row.url,
            subscriptions: json::strings(&row.subscriptions_json),
            created_at: row.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct DueRow {
    id: i64,
    event: String,
    body: String,
    attempts: i64,
    url: Option<String>,
    secret: Option<String>,
}

#[derive(sqlx::FromRow)]
struct LogRow {
    id: i64,
    event: String,
    state: String,
    next_attempt_ms: i64,
    created_at: i64,
    finished_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    delivery_id: i64,
    attempt: i64,
    url: String,
    response_status: Option<i64>,
    error: Option<String>,
    duration_ms: i64,
    created_at: i64,
}

/// Where a delivery goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// An account webhook (its URL and secret).
    Webhook(WebhookId),
    /// The inbox's `webhook_url`, signed with the inbox's HMAC token.
    Inbox(InboxId),
}

/// A claimed delivery, ready to send. `url` and `secret` are read at claim time, so a fixed URL
/// applies to the retries still pending; `None` when the destination lost its URL meanwhile.
#[derive(Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub id: i64,
    pub event: String,
    pub body: String,
    /// Attempts made before this one.
    pub attempts: i64,
    pub url: Option<String>,
    pub secret: Option<String>,
}

/// Keeps the secret out of logs.
impl std::fmt::Debug for DueDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DueDelivery")
            .field("id", &self.id)
            .field("event", &self.event)
            .field("attempts", &self.attempts)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// What one attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptResult {
    pub url: String,
    pub response_status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// What becomes of a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    Delivered,
    /// Try again at this epoch-millisecond time.
    RetryAt(i64),
    GiveUp,
}

/// The right to turn events into outbox rows. SQLite serves one instance, which always has
/// it; on PostgreSQL it is a session advisory lock held on a connection of its own, released
/// when that connection ends (a crashed instance's lease ends with it).
pub struct RecorderLease {
    inner: Lease,
}

enum Lease {
    Sole,
    Shared {
        pool: sqlx::PgPool,
        conn: Option<sqlx::PgConnection>,
        held: bool,
    },
}

impl RecorderLease {
    /// Whether this worker holds the lease now: taken when free, checked when held (a lost
    /// connection loses it).
    pub async fn ensure(&mut self) -> Result<bool, StoreError> {
        let Lease::Shared { pool, conn, held } = &mut self.inner else {
            return Ok(true);
        };
        if conn.is_none() {
            *conn = Some(pool.acquire().await?.detach());
            *held = false;
        }
        let Some(connection) = conn.as_mut() else {
            return Ok(false);
        };
        let answer = if *held {
            sqlx::query("SELECT 1")
                .execute(&mut *connection)
                .await
                .map(|_| true)
        } else {
            sqlx::query_scalar(TRY_LEAD)
                .fetch_one(&mut *connection)
                .await
        };
        match answer {
            Ok(holding) => {
                *held = holding;
                Ok(holding)
            }
            Err(error) => {
                *conn = None;
                *held = false;
                Err(error.into())
            }
        }
    }

    /// Gives the lease up at once, so another worker can take it without waiting for the
    /// server to notice a closed connection.
    pub async fn release(self) {
        if let Lease::Shared {
            conn: Some(mut conn),
            held,
            ..
        } = self.inner
        {
            if held {
                let _ = sqlx::query(UNLEAD).execute(&mut conn).await;
            }
            let _ = sqlx::Connection::close(conn).await;
        }
    }
}

pub struct Webhooks<'a> {
    pub(crate) store: &'a Store,
}

impl Webhooks<'_> {
    /// Creates the webhook with a fresh signing secret, returned beside it (shown once).
    pub async fn create(&self, new: &NewWebhook) -> Result<(Webhook, String), StoreError> {
        if let Some(inbox_id) = new.inbox_id {
            self.store
                .contacts()
                .require_inbox(new.account_id, inbox_id)
                .await?;
        }
        let secret = format!("whsec_{}", domain::password::random_token(32));
        let now = domain::time::now();
        let row: WebhookRow = on_pool!(self.store, |pool| sqlx::query_as(INSERT)
            .bind(new.account_id.get())
            .bind(new.inbox_id.map(InboxId::get))
            .bind(&new.name)
            .bind(&new.url)
            .bind(json::strings_text(&new.subscriptions))
            .bind(&secret)
            .bind(now)
            .fetch_one(pool)
            .await)
        .map_err(taken("url"))?;
        Ok((row.into(), secret))
    }

    pub async fn list(&self, account_id: AccountId) -> Result<Vec<Webhook>, StoreError> {
        let rows: Vec<WebhookRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ALL)
            .bind(account_id.get())
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Webhook::from).collect())
    }

    pub async fn find(&self, account_id: AccountId, id: WebhookId) -> Result<Webhook, StoreError> {
        let row: Option<WebhookRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ONE)
            .bind(account_id.get())
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        found(row).map(Webhook::from)
    }

    pub async fn update(
        &self,
        account_id: AccountId,
        id: WebhookId,
        changes: &WebhookChanges,
    ) -> Result<Webhook, StoreError> {
        let mut webhook = self.find(account_id, id).await?;
        changes.apply(&mut webhook);
        on_pool!(self.store, |pool| sqlx::query(UPDATE)
            .bind(&webhook.name)
            .bind(&webhook.url)
            .bind(json::strings_text(&webhook.subscriptions))
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(taken("url"))?;
        Ok(webhook)
    }

    /// Deletes the webhook with its pending deliveries and its log.
    pub async fn delete(&self, account_id: AccountId, id: WebhookId) -> Result<(), StoreError> {
        let done = on_pool!(self.store, |pool| sqlx::query(DELETE)
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        crate::error::touched(done)
    }

    /// The recorder's lease, not taken yet ([`RecorderLease::ensure`] takes it).
    pub fn recorder_lease(&self) -> RecorderLease {
        let inner = match &self.store.pool {
            Pool::Sqlite(_) => Lease::Sole,
            Pool::Postgres(pool) => Lease::Shared {
                pool: pool.clone(),
                conn: None,
                held: false,
            },
        };
        RecorderLease { inner }
    }

    /// Writes one pending delivery of `body` per destination, in one transaction, due at
    /// `now_ms`.
    pub async fn enqueue(
        &self,
        account_id: AccountId,
        event: &str,
        body: &str,
        destinations: &[Destination],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.enqueue_logged(account_id, event, body, destinations, now_ms, None)
            .await
            .map(|_| ())
    }

    /// [`Webhooks::enqueue`] for the log's event `logged`: the recorder's cursor
    /// ([`WEBHOOK_CURSOR`]) moves past it in the same transaction, so each logged event
    /// becomes its rows exactly once, even across a crash. `false` (and nothing written) when
    /// the cursor is already past it: another recorder took it.
    pub async fn enqueue_logged(
        &self,
        account_id: AccountId,
        event: &str,
        body: &str,
        destinations: &[Destination],
        now_ms: i64,
        logged: Option<i64>,
    ) -> Result<bool, StoreError> {
        if destinations.is_empty() {
            return Ok(true);
        }
        let now = domain::time::now();
        let written = on_writer!(self.store, |pool| async {
            let mut tx = pool.begin().await?;
            if let Some(id) = logged {
                let moved = sqlx::query(crate::events::ADVANCE)
                    .bind(id)
                    .bind(WEBHOOK_CURSOR)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if moved == 0 {
                    return Ok::<_, sqlx::Error>(false);
                }
            }
            for destination in destinations {
                let (webhook_id, inbox_id) = match destination {
                    Destination::Webhook(id) => (Some(id.get()), None),
                    Destination::Inbox(id) => (None, Some(id.get())),
                };
                sqlx::query(ENQUEUE)
                    .bind(account_id.get())
                    .bind(webhook_id)
                    .bind(inbox_id)
                    .bind(event)
                    .bind(body)
                    .bind(now_ms)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(true)
        }
        .await)?;
        Ok(written)
    }

    /// Claims up to `limit` deliveries due at `now_ms` for this worker until `lease_until_ms`.
    pub async fn claim_due(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
        limit: i64,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let ids: Vec<i64> = on_pool!(self.store, |pool| sqlx::query_scalar(CLAIM)
            .bind(lease_until_ms)
            .bind(now_ms)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut rows: Vec<DueRow> = on_pool!(self.store, |pool| {
            let mut qb = QueryBuilder::new(DUE_SELECT);
            let mut list = qb.separated(", ");
            for id in &ids {
                list.push_bind(*id);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(pool).await
        })?;
        rows.sort_by_key(|row| row.id);
        Ok(rows
            .into_iter()
            .map(|row| DueDelivery {
                id: row.id,
                event: row.event,
                body: row.body,
                attempts: row.attempts,
                url: row.url,
                secret: row.secret,
            })
            .collect())
    }

    /// Logs an attempt of a claimed delivery and releases it in its next state.
    pub async fn finish_attempt(
        &self,
        delivery: &DueDelivery,
        result: &AttemptResult,
        next: NextStep,
    ) -> Result<(), StoreError> {
        let now = domain::time::now();
        let attempt = delivery.attempts + 1;
        let (state, next_ms, finished) = match next {
            NextStep::Delivered => (DeliveryState::Delivered, 0, Some(now)),
            NextStep::RetryAt(ms) => (DeliveryState::Pending, ms, None),
            NextStep::GiveUp => (DeliveryState::Failed, 0, Some(now)),
        };
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(INSERT_ATTEMPT)
                .bind(delivery.id)
                .bind(attempt)
                .bind(&result.url)
                .bind(result.response_status)
                .bind(&result.error)
                .bind(result.duration_ms)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(FINISH)
                .bind(attempt)
                .bind(state.as_str())
                .bind(next_ms)
                .bind(finished)
                .bind(delivery.id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })?;
        Ok(())
    }

    /// A page of a webhook's delivery log, newest first, each with its attempts in order.
    pub async fn deliveries(
        &self,
        account_id: AccountId,
        id: WebhookId,
        page: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        let offset = (page - 1) * LOG_PAGE_SIZE;
        let rows: Vec<LogRow> = on_pool!(self.store, |pool| sqlx::query_as(LOG)
            .bind(account_id.get())
            .bind(id.get())
            .bind(LOG_PAGE_SIZE)
            .bind(offset)
            .fetch_all(pool)
            .await)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let attempts: Vec<AttemptRow> = on_pool!(self.store, |pool| {
            let mut qb = QueryBuilder::new(LOG_ATTEMPTS);
            let mut list = qb.separated(", ");
            for row in &rows {
                list.push_bind(row.id);
            }
            qb.push(") ORDER BY delivery_id, attempt");
            qb.build_query_as().fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|row| Delivery {
                id: row.id,
                event: row.event,
                state: DeliveryState::from_stored(&row.state),
                attempts: attempts
                    .iter()
                    .filter(|a| a.delivery_id == row.id)
                    .map(|a| DeliveryAttempt {
                        attempt: a.attempt,
                        url: a.url.clone(),
                        response_status: a.response_status,
                        error: a.error.clone(),
                        duration_ms: a.duration_ms,
                        created_at: a.created_at,
                    })
                    .collect(),
                next_attempt_ms: Some(row.next_attempt_ms),
                created_at: row.created_at,
                finished_at: row.finished_at,
            })
            .collect())
    }
}
