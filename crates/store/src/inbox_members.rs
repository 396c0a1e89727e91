//! Which agents belong to which inboxes (Chatwoot's `inbox_members`). This module only keeps
//! the data; what membership allows (who sees which conversations) is decided where access is
//! enforced, through [`InboxMembers::inbox_ids_of`] and [`InboxMembers::is_member`].

use crate::teams::agents_among;
use crate::{on_pool, on_writer, Store, StoreError};
use domain::{AccountId, Agent, InboxId, Role, Scope, UserId};
use std::collections::HashSet;

const MEMBER_IDS: &str = "SELECT user_id FROM inbox_members WHERE inbox_id = $1";
const ADD: &str = "INSERT INTO inbox_members (inbox_id, account_id, user_id, created_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
const REMOVE: &str = "DELETE FROM inbox_members WHERE inbox_id = $1 AND user_id = $2";
const INBOXES_OF: &str =
    "SELECT inbox_id FROM inbox_members WHERE account_id = $1 AND user_id = $2 ORDER BY inbox_id";
const MEMBERSHIPS: &str =
    "SELECT inbox_id, user_id FROM inbox_members WHERE account_id = $1 ORDER BY inbox_id, user_id";
const ACCOUNT_AUDIENCE: &str = "SELECT user_id FROM account_users WHERE account_id = $1";
const INBOX_AUDIENCE: &str = "SELECT au.user_id FROM account_users au WHERE au.account_id = $1 \
     AND (au.role = 'administrator' OR EXISTS (SELECT 1 FROM inbox_members im \
     WHERE im.inbox_id = $2 AND im.user_id = au.user_id))";
const IS_MEMBER: &str =
    "SELECT 1 FROM inbox_members WHERE account_id = $1 AND inbox_id = $2 AND user_id = $3";

pub struct InboxMembers<'a> {
    pub(crate) store: &'a Store,
}

impl InboxMembers<'_> {
    /// The inbox's members as agents, by name (`NotFound` for another account's inbox).
    pub async fn agents(
        &self,
        account_id: AccountId,
        inbox_id: InboxId,
    ) -> Result<Vec<Agent>, StoreError> {
        self.store.inboxes().find(account_id, inbox_id).await?;
        let ids = self.member_ids(inbox_id).await?;
        let agents = self.store.users().agents(account_id).await?;
        Ok(agents
            .into_iter()
            .filter(|a| ids.contains(&a.user.id))
            .collect())
    }

    async fn member_ids(&self, inbox_id: InboxId) -> Result<Vec<UserId>, StoreError> {
        let ids: Vec<i64> = on_pool!(self.store, |pool| sqlx::query_scalar(MEMBER_IDS)
            .bind(inbox_id.get())
            .fetch_all(pool)
            .await)?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    /// Adds `user_ids` (agents of the account, else a 422 naming `user_ids` and nothing
    /// written); returns every member after the change.
    pub async fn add(
        &self,
        account_id: AccountId,
        inbox_id: InboxId,
        user_ids: &[UserId],
    ) -> Result<Vec<Agent>, StoreError> {
        self.change(account_id, inbox_id, user_ids, &[]).await
    }

    /// Makes `user_ids` the inbox's whole membership; returns the members.
    pub async fn replace(
        &self,
        account_id: AccountId,
        inbox_id: InboxId,
        user_ids: &[UserId],
    ) -> Result<Vec<Agent>, StoreError> {
        self.store.inboxes().find(account_id, inbox_id).await?;
        let current = self.member_ids(inbox_id).await?;
        let leaving: Vec<UserId> = current
            .into_iter()
            .filter(|id| !user_ids.contains(id))
            .collect();
        self.change(account_id, inbox_id, user_ids, &leaving).await
    }

    /// Removes `user_ids` from the inbox; ids that are not members are passed over.
    pub async fn remove(
        &self,
        account_id: AccountId,
        inbox_id: InboxId,
        user_ids: &[UserId],
    ) -> Result<(), StoreError> {
        self.change(account_id, inbox_id, &[], user_ids).await?;
        Ok(())
    }

    /// One transaction: `adding` joins, `leaving` leaves.
    async fn change(
        &self,
        account_id: AccountId,
        inbox_id: InboxId,
        adding: &[UserId],
        leaving: &[UserId],
    ) -> Result<Vec<Agent>, StoreError> {
        self.store.inboxes().find(account_id, inbox_id).await?;
        agents_among(self.store, account_id, adding).await?;
        let now = domain::time::now();
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            for user in leaving {
                sqlx::query(REMOVE)
                    .bind(inbox_id.get())
                    .bind(user.get())
                    .execute(&mut *tx)
                    .await?;
            }
            for user in adding {
                sqlx::query(ADD)
                    .bind(inbox_id.get())
                    .bind(account_id.get())
                    .bind(user.get())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })?;
        self.agents(account_id, inbox_id).await
    }

    /// The inboxes `user` is a member of in the account (administrators see every inbox
    /// whatever this says; that rule is the caller's).
    pub async fn inbox_ids_of(
        &self,
        account_id: AccountId,
        user: UserId,
    ) -> Result<Vec<InboxId>, StoreError> {
        let ids: Vec<i64> = on_pool!(self.store, |pool| sqlx::query_scalar(INBOXES_OF)
            .bind(account_id.get())
            .bind(user.get())
            .fetch_all(pool)
            .await)?;
        Ok(ids.into_iter().map(InboxId).collect())
    }

    /// What `user`, with `role` in the account, may see: every inbox for an administrator,
    /// the inboxes they are members of for an agent (Chatwoot's permission filter).
    pub async fn scope(
        &self,
        account_id: AccountId,
        user: UserId,
        role: Role,
    ) -> Result<Scope, StoreError> {
        Ok(match role {
            Role::Administrator => Scope::All,
            Role::Agent => Scope::inboxes(self.inbox_ids_of(account_id, user).await?),
        })
    }

    /// Who may hear of an event of `inbox` (`None`: of the whole account) as it is now: the
    /// account's administrators and the inbox's members (every member of the account for an
    /// account-wide event). Asked once per event at broadcast, so a membership change reaches
    /// open sockets at the next event.
    pub async fn audience(
        &self,
        account_id: AccountId,
        inbox: Option<InboxId>,
    ) -> Result<HashSet<UserId>, StoreError> {
        let ids: Vec<i64> = on_pool!(self.store, |pool| match inbox {
            Some(inbox) => {
                sqlx::query_scalar(INBOX_AUDIENCE)
                    .bind(account_id.get())
                    .bind(inbox.get())
                    .fetch_all(pool)
                    .await
            }
            None => {
                sqlx::query_scalar(ACCOUNT_AUDIENCE)
                    .bind(account_id.get())
                    .fetch_all(pool)
                    .await
            }
        })?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    /// Every (inbox, member) pair of the account, for a page listing each inbox's agents.
    pub async fn memberships(
        &self,
        account_id: AccountId,
    ) -> Result<Vec<(InboxId, UserId)>, StoreError> {
        let rows: Vec<(i64, i64)> = on_pool!(self.store, |pool| sqlx::query_as(MEMBERSHIPS)
            .bind(account_id.get())
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(|(inbox, user)| (InboxId(inbox), UserId(user)))
            .collect())
    }

    pub async fn is_member(
        &self,
        account_id: AccountId,
        inbox_id: InboxId,
        user: UserId,
    ) -> Result<bool, StoreError> {
        let row: Option<i32> = on_pool!(self.store, |pool| sqlx::query_scalar(IS_MEMBER)
            .bind(account_id.get())
            .bind(inbox_id.get())
            .bind(user.get())
            .fetch_optional(pool)
            .await)?;
        Ok(row.is_some())
    }
}
