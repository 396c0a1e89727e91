//! Outgoing webhooks: the recorder turns each event of the store's log into outbox rows
//! (one per destination, body built once from `domain::wire`), and the deliverer drains the
//! outbox: signed POSTs, exponential backoff, every attempt logged. Both run in one [`Worker`],
//! started by `web::serve` and by tests; tests may also drive [`record`] and [`deliver_due`]
//! directly.
//!
//! The recorder reads the log past its cursor (`event_cursors`), which moves in the same
//! transaction as the rows an event causes: a crash at any point records each committed event
//! exactly once, after restart if need be. The outbox is the database, so a restart loses
//! nothing that was recorded: pending rows are picked up by the next worker, and a claim left
//! by a crashed one expires after its lease.
#![forbid(unsafe_code)]

mod deliver;
mod record;
pub mod sign;

pub use deliver::{client, deliver_due};
pub use record::{record, record_logged};

use domain::ContactPresence;
use realtime::{BusMessage, EventBus};
use std::sync::Arc;
use std::time::Duration;
use store::{RecorderLease, Store};
use tokio::sync::{broadcast, watch, Mutex, Notify};
use tokio::task::JoinHandle;

/// How the worker paces itself. `Default` is production's: retries after 1 s, 2 s, 4 s … capped
/// at a minute, 8 attempts in all.
#[derive(Debug, Clone)]
pub struct Config {
    /// How often the outbox is checked for due retries when nothing new was recorded.
    pub poll_interval: Duration,
    /// The wait after the first failed attempt; doubled after each further failure.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Attempts before a delivery is given up (`failed`).
    pub max_attempts: u32,
    /// The whole request, connect included.
    pub timeout: Duration,
    /// Deliveries claimed (and sent concurrently) per step.
    pub batch: i64,
    /// How long a claim holds a delivery: past it, another worker may take it over. Longer than
    /// `timeout`.
    pub lease: Duration,
    /// Which targets may be reached: public addresses only unless the operator set
    /// `SWITCHBOARD_EGRESS_ALLOW_PRIVATE=1` (tests with loopback receivers allow them here).
    pub egress: egress::Policy,
    /// Which contacts a body shows online (`meta.sender.availability_status`), as they stand
    /// when the event is recorded: `web::serve` passes its `/cable` presence; by default nobody.
    pub presence: Arc<dyn ContactPresence>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(1),
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            max_attempts: 8,
            timeout: Duration::from_secs(10),
            batch: 32,
            lease: Duration::from_secs(60),
            egress: egress::Policy::default(),
            presence: Arc::new(domain::NobodyOnline),
        }
    }
}

impl Config {
    /// The wait after failed attempt number `attempt` (1-based): `base · 2^(attempt-1)`, capped.
    pub fn backoff(&self, attempt: i64) -> Duration {
        let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        self.base_delay
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.max_delay)
    }
}

/// The running recorder and deliverer. Stop it with [`Worker::stop`], which lets an attempt in
/// flight finish and log itself.
pub struct Worker {
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Worker {
    /// Spawns the recorder of the store's event log, the recorder of what `bus` carries
    /// unlogged (typing; subscribed at once, so nothing published after this call is missed),
    /// and the deliverer.
    pub fn spawn(store: Store, bus: &EventBus, config: Config) -> Worker {
        let (shutdown, stopped) = watch::channel(false);
        let wake = Arc::new(Notify::new());
        // One lease for both recorders: on PostgreSQL it is a session lock, one per instance.
        let lease = Arc::new(Mutex::new(store.webhooks().recorder_lease()));
        let recorder = tokio::spawn(run_recorder(
            store.clone(),
            config.presence.clone(),
            lease.clone(),
            config.poll_interval,
            wake.clone(),
            stopped.clone(),
        ));
        let unlogged = tokio::spawn(run_unlogged_recorder(
            store.clone(),
            config.presence.clone(),
            lease,
            bus.subscribe(),
            wake.clone(),
            stopped.clone(),
        ));
        let deliverer = tokio::spawn(run_deliverer(store, config, wake, stopped));
        Worker {
            shutdown,
            tasks: vec![recorder, unlogged, deliverer],
        }
    }

    /// Stops both tasks and waits for them.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            if let Err(error) = task.await {
                tracing::error!(%error, "a webhook task ended abnormally");
            }
        }
    }
}

/// Events recorded per read of the log.
const RECORD_BATCH: i64 = 256;

async fn run_recorder(
    store: Store,
    presence: Arc<dyn ContactPresence>,
    lease: Arc<Mutex<RecorderLease>>,
    poll: Duration,
    wake: Arc<Notify>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut appended = store.appended();
    loop {
        if *stopped.borrow() {
            break;
        }
        // On PostgreSQL one instance records at a time; the others wait for the lease.
        let held = lease.lock().await.ensure().await;
        match held {
            Ok(true) => {
                if let Err(error) = record_pending(&store, &*presence, &wake).await {
                    tracing::error!(%error, "could not record webhook deliveries; retrying");
                }
            }
            Ok(false) => {}
            Err(error) => tracing::error!(%error, "could not take the webhook recorder lease"),
        }
        tokio::select! {
            _ = stopped.changed() => break,
            _ = appended.changed() => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
    release_if_last(lease).await;
}

/// Releases the shared lease when the caller holds its last reference (the other recorder
/// has stopped).
async fn release_if_last(lease: Arc<Mutex<RecorderLease>>) {
    if let Ok(lease) = Arc::try_unwrap(lease) {
        lease.into_inner().release().await;
    }
}

/// Records every event past the recorder's cursor, in order; stops at the first failure (the
/// cursor stays before it, so the next round retries it).
async fn record_pending(
    store: &Store,
    presence: &dyn ContactPresence,
    wake: &Notify,
) -> Result<(), store::StoreError> {
    let mut cursor = store.events().cursor(store::WEBHOOK_CURSOR).await?;
    loop {
        let batch = store.events().since(cursor, RECORD_BATCH).await?;
        let Some(last) = batch.last().map(|logged| logged.id) else {
            return Ok(());
        };
        if record_logged(store, presence, &batch, now_ms()).await? > 0 {
            wake.notify_one();
        }
        cursor = last;
    }
}

/// Records the bus's unlogged events (typing: fleeting, so at most once) on the instance that
/// holds the recorder lease; logged events are [`run_recorder`]'s.
async fn run_unlogged_recorder(
    store: Store,
    presence: Arc<dyn ContactPresence>,
    lease: Arc<Mutex<RecorderLease>>,
    mut events: broadcast::Receiver<BusMessage>,
    wake: Arc<Notify>,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        let message = tokio::select! {
            _ = stopped.changed() => break,
            message = events.recv() => message,
        };
        let event = match message {
            Ok(BusMessage::Event(published)) if published.id.is_none() => published.event,
            Ok(_) => continue,
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "the webhook recorder missed typing events");
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => break,
        };
        let held = lease.lock().await.ensure().await;
        if !matches!(held, Ok(true)) {
            continue;
        }
        match record(&store, &*presence, &event, now_ms()).await {
            Ok(0) => {}
            Ok(_) => wake.notify_one(),
            Err(error) => {
                tracing::error!(%error, event = event.name(), "could not record webhook deliveries")
            }
        }
    }
    release_if_last(lease).await;
}

async fn run_deliverer(
    store: Store,
    config: Config,
    wake: Arc<Notify>,
    mut stopped: watch::Receiver<bool>,
) {
    let client = client(&config);
    loop {
        if *stopped.borrow() {
            return;
        }
        let worked = match deliver_due(&store, &client, &config).await {
            Ok(count) => count > 0,
            Err(error) => {
                tracing::error!(%error, "could not read the webhook outbox");
                false
            }
        };
        if worked {
            continue;
        }
        tokio::select! {
            _ = stopped.changed() => return,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(config.poll_interval) => {}
        }
    }
}

/// Epoch milliseconds, the outbox's clock.
pub fn now_ms() -> i64 {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_and_stops_at_the_cap() {
        let config = Config::default();
        let waits: Vec<u64> = (1..=8).map(|n| config.backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(config.backoff(1_000), Duration::from_secs(60));
    }
}
