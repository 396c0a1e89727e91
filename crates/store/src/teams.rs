//! An account's teams and who belongs to each (Chatwoot's `teams` and `team_members`).
//! Membership rows reference the account membership, so an agent removed from the account
//! leaves its teams with it.

use crate::error::{found, taken, touched};
use crate::{on_pool, on_writer, Store, StoreError};
use domain::{AccountId, Agent, DomainError, NewTeam, Team, TeamChanges, TeamId, UserId};

const INSERT: &str =
    "INSERT INTO teams (account_id, name, description, allow_auto_assign, created_at) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id, account_id, name, description, allow_auto_assign";
const SELECT_ALL: &str = "SELECT id, account_id, name, description, allow_auto_assign \
     FROM teams WHERE account_id = $1 ORDER BY name, id";
const SELECT_ONE: &str = "SELECT id, account_id, name, description, allow_auto_assign \
     FROM teams WHERE account_id = $1 AND id = $2";
const UPDATE: &str = "UPDATE teams SET name = $1, description = $2, allow_auto_assign = $3 \
     WHERE account_id = $4 AND id = $5";
const DELETE: &str = "DELETE FROM teams WHERE account_id = $1 AND id = $2";
const MEMBER_IDS: &str = "SELECT user_id FROM team_members WHERE team_id = $1";
const ADD_MEMBER: &str = "INSERT INTO team_members (team_id, account_id, user_id, created_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
const REMOVE_MEMBER: &str = "DELETE FROM team_members WHERE team_id = $1 AND user_id = $2";
const CLEAR_MEMBERS: &str = "DELETE FROM team_members WHERE team_id = $1";
const MEMBERSHIPS: &str =
    "SELECT team_id, user_id FROM team_members WHERE account_id = $1 ORDER BY team_id, user_id";
const HAS_MEMBER: &str = "SELECT 1 FROM team_members WHERE team_id = $1 AND user_id = $2";
const TEAMS_OF: &str =
    "SELECT team_id FROM team_members WHERE account_id = $1 AND user_id = $2 ORDER BY team_id";

#[derive(sqlx::FromRow)]
struct TeamRow {
    id: i64,
    account_id: i64,
    name: String,
    description: Option<String>,
    allow_auto_assign: bool,
}

impl From<TeamRow> for Team {
    fn from(row: TeamRow) -> Self {
        Team {
            id: TeamId(row.id),
            account_id: AccountId(row.account_id),
            name: row.name,
            description: row.description,
            allow_auto_assign: row.allow_auto_assign,
        }
    }
}

pub struct Teams<'a> {
    pub(crate) store: &'a Store,
}

impl Teams<'_> {
    pub async fn create(&self, new: &NewTeam) -> Result<Team, StoreError> {
        let row: TeamRow = on_pool!(self.store, |pool| sqlx::query_as(INSERT)
            .bind(new.account_id.get())
            .bind(&new.name)
            .bind(&new.description)
            .bind(new.allow_auto_assign)
            .bind(domain::time::now())
            .fetch_one(pool)
            .await)
        .map_err(taken("name"))?;
        Ok(row.into())
    }

    /// The account's teams by name.
    pub async fn list(&self, account_id: AccountId) -> Result<Vec<Team>, StoreError> {
        let rows: Vec<TeamRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ALL)
            .bind(account_id.get())
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Team::from).collect())
    }

    pub async fn find(&self, account_id: AccountId, id: TeamId) -> Result<Team, StoreError> {
        let row: Option<TeamRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_ONE)
            .bind(account_id.get())
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        found(row).map(Team::from)
    }

    pub async fn update(
        &self,
        account_id: AccountId,
        id: TeamId,
        changes: &TeamChanges,
    ) -> Result<Team, StoreError> {
        let mut team = self.find(account_id, id).await?;
        if let Some(name) = &changes.name {
            team.name = name.clone();
        }
        if let Some(description) = &changes.description {
            team.description = description.clone();
        }
        if let Some(allow) = changes.allow_auto_assign {
            team.allow_auto_assign = allow;
        }
        on_pool!(self.store, |pool| sqlx::query(UPDATE)
            .bind(&team.name)
            .bind(&team.description)
            .bind(team.allow_auto_assign)
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(taken("name"))?;
        // The list's rows carry the team's name; no event says it changed.
        self.store.forget_account(account_id);
        Ok(team)
    }

    /// Deletes the team; its conversations keep their agent and lose the team (Chatwoot's
    /// `dependent: :nullify`).
    pub async fn delete(&self, account_id: AccountId, id: TeamId) -> Result<(), StoreError> {
        let done = on_pool!(self.store, |pool| sqlx::query(DELETE)
            .bind(account_id.get())
            .bind(id.get())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        touched(done)?;
        // Conversations left the team without an event: the team filter's counts changed.
        self.store.forget_account(account_id);
        Ok(())
    }

    /// The team's members, as agents of the account, by name.
    pub async fn members(
        &self,
        account_id: AccountId,
        id: TeamId,
    ) -> Result<Vec<Agent>, StoreError> {
        self.find(account_id, id).await?;
        let ids = self.member_ids(id).await?;
        let agents = self.store.users().agents(account_id).await?;
        Ok(agents
            .into_iter()
            .filter(|a| ids.contains(&a.user.id))
            .collect())
    }

    async fn member_ids(&self, id: TeamId) -> Result<Vec<UserId>, StoreError> {
        let ids: Vec<i64> = on_pool!(self.store, |pool| sqlx::query_scalar(MEMBER_IDS)
            .bind(id.get())
            .fetch_all(pool)
            .await)?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    /// Adds `user_ids` (agents of the account; anyone else is a 422 naming `user_ids` and
    /// nothing is written) and returns them as agents, as Chatwoot's `team_members#create`.
    pub async fn add_members(
        &self,
        account_id: AccountId,
        id: TeamId,
        user_ids: &[UserId],
    ) -> Result<Vec<Agent>, StoreError> {
        self.write_members(account_id, id, user_ids, false).await
    }

    /// Makes `user_ids` the whole membership (Chatwoot's `team_members#update`).
    pub async fn replace_members(
        &self,
        account_id: AccountId,
        id: TeamId,
        user_ids: &[UserId],
    ) -> Result<Vec<Agent>, StoreError> {
        self.write_members(account_id, id, user_ids, true).await
    }

    async fn write_members(
        &self,
        account_id: AccountId,
        id: TeamId,
        user_ids: &[UserId],
        replace: bool,
    ) -> Result<Vec<Agent>, StoreError> {
        self.find(account_id, id).await?;
        let agents = agents_among(self.store, account_id, user_ids).await?;
        let now = domain::time::now();
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            if replace {
                sqlx::query(CLEAR_MEMBERS)
                    .bind(id.get())
                    .execute(&mut *tx)
                    .await?;
            }
            for user in user_ids {
                sqlx::query(ADD_MEMBER)
                    .bind(id.get())
                    .bind(account_id.get())
                    .bind(user.get())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })?;
        Ok(agents)
    }

    /// Removes `user_ids` from the team; ids that are not members are passed over.
    pub async fn remove_members(
        &self,
        account_id: AccountId,
        id: TeamId,
        user_ids: &[UserId],
    ) -> Result<(), StoreError> {
        self.find(account_id, id).await?;
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            for user in user_ids {
                sqlx::query(REMOVE_MEMBER)
                    .bind(id.get())
                    .bind(user.get())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })?;
        Ok(())
    }

    /// Every (team, member) pair of the account, for a page listing each team's members.
    pub async fn memberships(
        &self,
        account_id: AccountId,
    ) -> Result<Vec<(TeamId, UserId)>, StoreError> {
        let rows: Vec<(i64, i64)> = on_pool!(self.store, |pool| sqlx::query_as(MEMBERSHIPS)
            .bind(account_id.get())
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(|(team, user)| (TeamId(team), UserId(user)))
            .collect())
    }

    /// Whether `user` belongs to the team.
    pub async fn has_member(&self, id: TeamId, user: UserId) -> Result<bool, StoreError> {
        let row: Option<i32> = on_pool!(self.store, |pool| sqlx::query_scalar(HAS_MEMBER)
            .bind(id.get())
            .bind(user.get())
            .fetch_optional(pool)
            .await)?;
        Ok(row.is_some())
    }

    /// The teams `user` belongs to in the account (for `is_member`, and for access rules).
    pub async fn team_ids_of(
        &self,
        account_id: AccountId,
        user: UserId,
    ) -> Result<Vec<TeamId>, StoreError> {
        let ids: Vec<i64> = on_pool!(self.store, |pool| sqlx::query_scalar(TEAMS_OF)
            .bind(account_id.get())
            .bind(user.get())
            .fetch_all(pool)
            .await)?;
        Ok(ids.into_iter().map(TeamId).collect())
    }
}

/// The agents `user_ids` name, in the given order; a 422 naming `user_ids` when one of them is
/// not a member of the account.
pub(crate) async fn agents_among(
    store: &Store,
    account_id: AccountId,
    user_ids: &[UserId],
) -> Result<Vec<Agent>, StoreError> {
    let agents = store.users().agents(account_id).await?;
    user_ids
        .iter()
        .map(|id| {
            agents
                .iter()
                .find(|a| a.user.id == *id)
                .cloned()
                .ok_or_else(|| {
                    DomainError::invalid("user_ids", "User ids must be ids of the account's agents")
                        .into()
                })
        })
        .collect()
}
