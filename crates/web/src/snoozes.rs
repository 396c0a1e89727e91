//! The snooze sweeper: every few seconds, reopens the conversations whose snooze ran out, each
//! with its `conversation.status_changed` in the event log, so lists, threads, apps and webhooks follow
//! as if an agent had reopened them. Every instance runs one; the store lets exactly one of
//! them reopen each conversation.

use std::time::Duration;
use store::Store;
use tokio::task::JoinHandle;

/// How often `serve` sweeps: a snooze ends within this much of its time.
pub const SWEEP_EVERY: Duration = Duration::from_secs(15);

pub struct SnoozeSweeper {
    task: JoinHandle<()>,
}

impl SnoozeSweeper {
    pub fn spawn(store: Store, every: Duration) -> Self {
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                sweep(&store).await;
            }
        });
        Self { task }
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

async fn sweep(store: &Store) {
    let swept = store
        .conversations()
        .reopen_due_snoozes(domain::time::now())
        .await;
    // The database may be down for a while; the next sweep tries again.
    if let Err(error) = swept {
        tracing::warn!(%error, "snooze sweep failed");
    }
}
