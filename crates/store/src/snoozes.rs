//! Snoozes that run out: a snoozed conversation whose `snoozed_until` has passed becomes open
//! again, as in Chatwoot (whose job does it once a minute). Run by a sweeper on every instance;
//! the reopening `UPDATE … WHERE status = 'snoozed'` lets exactly one of them win each
//! conversation, so the activity note and the event happen once.

use crate::events::log_events;
use crate::messages::insert;
use crate::{on_pool, on_writer, Conversations, Outcome, StoreError};
use domain::{ConversationId, ConversationView, Event, NewMessage};

/// Conversations whose snooze ended, oldest first; the partial index of migration 0006 makes
/// this a short range scan however many conversations there are.
const DUE: &str = "SELECT id FROM conversations \
     WHERE status = 'snoozed' AND snoozed_until IS NOT NULL AND snoozed_until <= $1 \
     ORDER BY snoozed_until LIMIT $2";
const REOPEN: &str = "UPDATE conversations SET status = 'open', snoozed_until = NULL \
     WHERE id = $1 AND status = 'snoozed'";

/// The most conversations one sweep reopens; the next sweep takes the rest.
pub const SWEEP_LIMIT: i64 = 200;

impl Conversations<'_> {
    /// Reopens every conversation whose snooze ended by `now` (up to [`SWEEP_LIMIT`]), each
    /// with an activity note, and returns them with their `conversation.status_changed` events
    /// (to publish after this returns). A conversation another instance reopened first, or that
    /// someone changed meanwhile, is skipped.
    pub async fn reopen_due_snoozes(
        &self,
        now: i64,
    ) -> Result<Vec<Outcome<ConversationView>>, StoreError> {
        let due: Vec<i64> = on_pool!(self.store, |pool| sqlx::query_scalar(DUE)
            .bind(now)
            .bind(SWEEP_LIMIT)
            .fetch_all(pool)
            .await)?;
        let mut reopened = Vec::new();
        for id in due {
            let view = self.find_by_id(ConversationId(id)).await?;
            let c = &view.conversation;
            let note = NewMessage::activity("Conversation was reopened: its snooze ended".into());
            let events = vec![Event::ConversationStatusChanged {
                account_id: c.account_id,
                inbox_id: c.inbox_id,
                conversation_id: c.id,
            }];
            let won = on_writer!(self.store, |pool| {
                let mut tx = pool.begin().await?;
                let changed = sqlx::query(REOPEN)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if changed == 1 {
                    insert!(tx, c, note, now);
                    log_events!(self.store, tx, &events);
                }
                tx.commit().await?;
                Ok::<_, sqlx::Error>(changed == 1)
            })?;
            if !won {
                continue;
            }
            self.store.observe_all(&events);
            let fresh = self.find_by_id(c.id).await?;
            reopened.push(Outcome::new(fresh, events));
        }
        Ok(reopened)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Pool, Store};

    /// SQLite re-prepares a statement on every execution when a bound parameter is compared
    /// with a partial index's condition (`status = ?` against `WHERE status = 'snoozed'` made
    /// the conversation list re-parse its SQL on each request); so its schema has none.
    #[tokio::test]
    async fn the_sqlite_schema_has_no_partial_index() {
        let store = Store::sqlite_in_temp_dir().await.unwrap();
        let Pool::Sqlite(pool) = &store.pool else {
            unreachable!("sqlite_in_temp_dir is SQLite")
        };
        let partial: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        assert_eq!(partial, Vec::<String>::new(), "partial indexes");
    }
}
