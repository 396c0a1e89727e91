//! A contact's labels (Chatwoot tags contacts with label titles, `contacts/labels_controller.rb`).
//! A write replaces the set and announces `contact.updated`, as saving the contact does there.

use crate::events::log_events;
use crate::{on_pool, on_writer, Outcome, Store, StoreError};
use domain::{AccountId, ContactId};

const SELECT: &str = "SELECT title FROM contact_labels WHERE contact_id = $1 ORDER BY title";
const CLEAR: &str = "DELETE FROM contact_labels WHERE contact_id = $1";
const INSERT: &str =
    "INSERT INTO contact_labels (contact_id, account_id, title) VALUES ($1, $2, $3)";

pub struct ContactLabels<'a> {
    pub(crate) store: &'a Store,
}

impl ContactLabels<'_> {
    /// The labels of the account's contact, by title (`NotFound` for another account's contact).
    pub async fn list(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
    ) -> Result<Vec<String>, StoreError> {
        self.store.contacts().find(account_id, contact_id).await?;
        self.titles(contact_id).await
    }

    async fn titles(&self, contact_id: ContactId) -> Result<Vec<String>, StoreError> {
        let titles: Vec<String> = on_pool!(self.store, |pool| sqlx::query_scalar(SELECT)
            .bind(contact_id.get())
            .fetch_all(pool)
            .await)?;
        Ok(titles)
    }

    /// Replaces the contact's labels with `titles` (already a validated set) in one transaction.
    pub async fn set(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
        titles: &[String],
    ) -> Result<Outcome<Vec<String>>, StoreError> {
        self.store.contacts().find(account_id, contact_id).await?;
        let event = domain::Event::ContactUpdated {
            account_id,
            contact_id,
        };
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(CLEAR)
                .bind(contact_id.get())
                .execute(&mut *tx)
                .await?;
            for title in titles {
                sqlx::query(INSERT)
                    .bind(contact_id.get())
                    .bind(account_id.get())
                    .bind(title)
                    .execute(&mut *tx)
                    .await?;
            }
            log_events!(self.store, tx, std::slice::from_ref(&event));
            tx.commit().await
        })?;
        self.store.observe_all(std::slice::from_ref(&event));
        Ok(Outcome::new(self.titles(contact_id).await?, vec![event]))
    }
}
