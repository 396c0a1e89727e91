//! Keeps the event log bounded: a background task deletes events older than the retention
//! period or beyond the newest rows kept, both set by the operator.

use std::time::Duration;
use store::Store;

/// How often the log is pruned.
pub const PRUNE_EVERY: Duration = Duration::from_secs(10 * 60);

/// How much of the event log is kept: what `/cable` clients can resume from, and how far
/// behind the webhook recorder may fall before it skips events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// `SWITCHBOARD_EVENTS_RETENTION_DAYS` (default 7).
    pub days: i64,
    /// `SWITCHBOARD_EVENTS_MAX_ROWS` (default 1,000,000).
    pub max_rows: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            days: 7,
            max_rows: 1_000_000,
        }
    }
}

impl Retention {
    /// From the environment; an unset or unreadable variable keeps its default (with a
    /// warning for the latter).
    pub fn from_env() -> Self {
        let default = Self::default();
        Self {
            days: read("SWITCHBOARD_EVENTS_RETENTION_DAYS", default.days),
            max_rows: read("SWITCHBOARD_EVENTS_MAX_ROWS", default.max_rows),
        }
    }

    /// Prunes once: returns how many events went.
    pub async fn prune(&self, store: &Store, now: i64) -> Result<u64, store::StoreError> {
        store
            .events()
            .prune(now - self.days * 86_400, self.max_rows)
            .await
    }
}

fn read(name: &str, default: i64) -> i64 {
    match std::env::var(name) {
        Ok(text) => match text.trim().parse::<i64>() {
            Ok(value) if value >= 0 => value,
            _ => {
                tracing::warn!(name, text, "not a count; keeping the default {default}");
                default
            }
        },
        Err(_) => default,
    }
}

/// Prunes the log every `every` until aborted.
pub fn spawn_pruning(
    store: Store,
    retention: Retention,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            match retention.prune(&store, domain::time::now()).await {
                Ok(0) => {}
                Ok(pruned) => tracing::debug!(pruned, "pruned the event log"),
                Err(error) => tracing::warn!(%error, "could not prune the event log"),
            }
        }
    })
}
