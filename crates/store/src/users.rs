//! Users and memberships (agents). Their tokens, sessions and passwords: `credentials`;
//! invitations into another account: `invitations`.

use crate::error::{found, taken};
use crate::events::log_events;
use crate::{on_pool, on_writer, Store, StoreError};
use domain::user::{AgentChanges, NewAgent};
use domain::{password, Account, AccountId, Agent, DomainError, Member, Role, User, UserId};

const INSERT_USER: &str =
    "INSERT INTO users (name, email, password_hash, pubsub_token, created_at) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id, name, display_name, email, pubsub_token";
const INSERT_MEMBERSHIP: &str =
    "INSERT INTO account_users (account_id, user_id, role, created_at) \
     VALUES ($1, $2, $3, $4)";
const SELECT_BY_EMAIL: &str = "SELECT u.id, u.name, u.display_name, u.email, u.pubsub_token, \
     u.password_hash FROM users u WHERE u.email = $1";
const SELECT_BY_ID: &str =
    "SELECT u.id, u.name, u.display_name, u.email, u.pubsub_token FROM users u WHERE u.id = $1";
const SELECT_BY_PUBSUB: &str =
    "SELECT u.id, u.name, u.display_name, u.email, u.pubsub_token FROM users u WHERE u.pubsub_token = $1";
const SELECT_ROLE: &str = "SELECT role FROM account_users WHERE account_id = $1 AND user_id = $2";
const SELECT_MEMBERSHIPS: &str = "SELECT a.id, a.name, au.role FROM account_users au \
     JOIN accounts a ON a.id = au.account_id WHERE au.user_id = $1 ORDER BY a.id";
const SELECT_AGENTS: &str = "SELECT u.id, u.name, u.display_name, u.email, u.pubsub_token, \
     au.account_id, au.role, au.availability, au.auto_offline FROM account_users au JOIN users u ON u.id = au.user_id \
     WHERE au.account_id = $1 ORDER BY u.name, u.id";
const SELECT_AGENT: &str = "SELECT u.id, u.name, u.display_name, u.email, u.pubsub_token, \
     au.account_id, au.role, au.availability, au.auto_offline FROM account_users au JOIN users u ON u.id = au.user_id \
     WHERE au.account_id = $1 AND au.user_id = $2";
const SELECT_AS_AGENT_EVERYWHERE: &str = "SELECT u.id, u.name, u.display_name, u.email, u.pubsub_token, \
     au.account_id, au.role, au.availability, au.auto_offline FROM account_users au JOIN users u ON u.id = au.user_id \
     WHERE au.user_id = $1 ORDER BY au.account_id";
const UPDATE_ROLE: &str =
    "UPDATE account_users SET role = $1 WHERE account_id = $2 AND user_id = $3";
const UPDATE_AVAILABILITY: &str =
    "UPDATE account_users SET availability = $1 WHERE account_id = $2 AND user_id = $3";
const UPDATE_AUTO_OFFLINE: &str =
    "UPDATE account_users SET auto_offline = $1 WHERE account_id = $2 AND user_id = $3";
const COUNT_ADMINS: &str =
    "SELECT COUNT(*) FROM account_users WHERE account_id = $1 AND role = 'administrator'";
const DELETE_MEMBERSHIP: &str = "DELETE FROM account_users WHERE account_id = $1 AND user_id = $2";
const UNASSIGN: &str =
    "UPDATE conversations SET assignee_id = NULL WHERE account_id = $1 AND assignee_id = $2";

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    name: String,
    display_name: Option<String>,
    email: String,
    pubsub_token: String,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: UserId(row.id),
            name: row.name,
            display_name: row.display_name,
            email: row.email,
            pubsub_token: row.pubsub_token,
        }
    }
}

/// What `add_agent` does with an e-mail that already has a user.
#[derive(Debug, Clone, Copy)]
pub enum AddExisting {
    /// An administrator's `POST …/agents`: the user is invited, no member until they accept.
    Invite { inviter: UserId },
    /// The operator's `switchboard accounts create`: a member at once.
    Join,
}

#[derive(sqlx::FromRow)]
struct CredentialRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
}

#[derive(sqlx::FromRow)]
struct AgentRow {
    #[sqlx(flatten)]
    user: UserRow,
    account_id: i64,
    role: String,
    availability: String,
    auto_offline: bool,
}

impl From<AgentRow> for Agent {
    fn from(row: AgentRow) -> Self {
        Agent {
            user: row.user.into(),
            account_id: AccountId(row.account_id),
            role: Role::parse(&row.role).unwrap_or(Role::Agent),
            availability: row.availability,
            auto_offline: row.auto_offline,
        }
    }
}

#[derive(sqlx::FromRow)]
struct MembershipRow {
    id: i64,
    name: String,
    role: String,
}

pub struct Users<'a> {
    pub(crate) store: &'a Store,
}

impl Users<'_> {
    /// Creates a user with an access token and, when given, a membership. A short or common
    /// password is refused (`password::require_strong`), whoever sets it.
    pub async fn create(
        &self,
        name: &str,
        email: &str,
        password: &str,
        membership: Option<(AccountId, Role)>,
    ) -> Result<User, StoreError> {
        password::require_strong(password, &[name, email])?;
        let hash = password::hash(password);
        let now = domain::time::now();
        let token = password::random_token(24);
        let pubsub = password::random_token(24);
        let row: UserRow = on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let row: UserRow = sqlx::query_as(INSERT_USER)
                .bind(name)
                .bind(email.to_lowercase())
                .bind(&hash)
                .bind(&pubsub)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(taken("email"))?;
            sqlx::query(crate::credentials::INSERT_TOKEN)
                .bind(password::digest(&token))
                .bind(row.id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            if let Some((account_id, role)) = membership {
                sqlx::query(INSERT_MEMBERSHIP)
                    .bind(account_id.get())
                    .bind(row.id)
                    .bind(role.as_str())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, StoreError>(row)
        })?;
        Ok(row.into())
    }

    /// The user whose e-mail and password match, if any.
    pub async fn authenticate(&self, email: &str, password: &str) -> Result<User, StoreError> {
        let row: Option<CredentialRow> =
            on_pool!(self.store, |pool| sqlx::query_as(SELECT_BY_EMAIL)
                .bind(email.trim().to_lowercase())
                .fetch_optional(pool)
                .await)?;
        match row {
            Some(row) if password::verify(password, &row.password_hash) => Ok(row.user.into()),
            Some(_) => Err(StoreError::NotFound),
            None => {
                // Spend the same time as a real check, so timing does not reveal which e-mails exist.
                password::verify(password, DUMMY_HASH);
                Err(StoreError::NotFound)
            }
        }
    }

    pub async fn find(&self, id: UserId) -> Result<User, StoreError> {
        let row: Option<UserRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_BY_ID)
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        found(row).map(User::from)
    }

    /// The users `ids` names that still exist, in one query.
    pub(crate) async fn find_many(&self, ids: &[UserId]) -> Result<Vec<User>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<UserRow> = on_pool!(self.store, |pool| {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT u.id, u.name, u.display_name, u.email, u.pubsub_token FROM users u WHERE u.id IN (",
            );
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(id.get());
            }
            qb.push(")");
            qb.build_query_as().fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    /// The user a `/cable` subscription names by its `pubsub_token`.
    pub async fn by_pubsub_token(&self, token: &str) -> Result<User, StoreError> {
        let row: Option<UserRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_BY_PUBSUB)
            .bind(token)
            .fetch_optional(pool)
            .await)?;
        found(row).map(User::from)
    }

    /// `user` acting in `account_id`, or `NotFound` when they are not a member.
    pub async fn member(&self, user: User, account_id: AccountId) -> Result<Member, StoreError> {
        let role: Option<String> = on_pool!(self.store, |pool| sqlx::query_scalar(SELECT_ROLE)
            .bind(account_id.get())
            .bind(user.id.get())
            .fetch_optional(pool)
            .await)?;
        let role = Role::parse(&found(role)?).unwrap_or(Role::Agent);
        self.acting(user, account_id, role).await
    }

    /// `user` acting in `account_id` with `role`, with the inboxes they may see read now: the
    /// one place a [`Member`] is made, so none lacks its scope.
    pub async fn acting(
        &self,
        user: User,
        account_id: AccountId,
        role: Role,
    ) -> Result<Member, StoreError> {
        let scope = self
            .store
            .inbox_members()
            .scope(account_id, user.id, role)
            .await?;
        Ok(Member {
            user,
            account_id,
            role,
            scope,
        })
    }

    /// Every account the user belongs to, with their role there.
    pub async fn memberships(&self, id: UserId) -> Result<Vec<(Account, Role)>, StoreError> {
        let rows: Vec<MembershipRow> =
            on_pool!(self.store, |pool| sqlx::query_as(SELECT_MEMBERSHIPS)
                .bind(id.get())
                .fetch_all(pool)
                .await)?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let account = Account {
                    id: AccountId(row.id),
                    name: row.name,
                };
                (account, Role::parse(&row.role).unwrap_or(Role::Agent))
            })
            .collect())
    }

    pub async fn agents(&self, account_id: AccountId) -> Result<Vec<Agent>, StoreError> {
        let rows: Vec<AgentRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_AGENTS)
            .bind(account_id.get())
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Agent::from).collect())
    }

    /// The user as each of their accounts sees them (role, availability), by account id.
    pub async fn as_agent_everywhere(&self, id: UserId) -> Result<Vec<Agent>, StoreError> {
        let rows: Vec<AgentRow> = on_pool!(self.store, |pool| sqlx::query_as(
            SELECT_AS_AGENT_EVERYWHERE
        )
        .bind(id.get())
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(Agent::from).collect())
    }

    pub async fn agent(&self, account_id: AccountId, id: UserId) -> Result<Agent, StoreError> {
        let row: Option<AgentRow> = on_pool!(self.store, |pool| sqlx::query_as(SELECT_AGENT)
            .bind(account_id.get())
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        found(row).map(Agent::from)
    }

    /// Adds a member: a new user when the e-mail is unknown (with `password`, or a random one).
    /// A user who already exists is invited (`AddExisting::Invite`: they accept or decline
    /// after signing in, and their profile is not touched) or, by the operator's CLI, made a
    /// member at once (`AddExisting::Join`). Either way the answer is the agent as the
    /// administrator typed them (name, e-mail, role), so it tells nothing of the user.
    pub async fn add_agent(
        &self,
        new: &NewAgent,
        password: Option<&str>,
        existing: AddExisting,
    ) -> Result<Agent, StoreError> {
        let row: Option<CredentialRow> =
            on_pool!(self.store, |pool| sqlx::query_as(SELECT_BY_EMAIL)
                .bind(&new.email)
                .fetch_optional(pool)
                .await)?;
        let Some(row) = row else {
            let random = password::random_token(20);
            let password = password.unwrap_or(&random);
            let membership = Some((new.account_id, new.role));
            let user = self
                .create(&new.name, &new.email, password, membership)
                .await?;
            return self.agent(new.account_id, user.id).await;
        };
        let user_id = UserId(row.user.id);
        if self.agent(new.account_id, user_id).await.is_ok() {
            return Err(StoreError::Taken("email"));
        }
        match existing {
            AddExisting::Join => {
                let now = domain::time::now();
                on_pool!(self.store, |pool| sqlx::query(INSERT_MEMBERSHIP)
                    .bind(new.account_id.get())
                    .bind(user_id.get())
                    .bind(new.role.as_str())
                    .bind(now)
                    .execute(pool)
                    .await
                    .map(|_| ()))
                .map_err(taken("email"))?;
                self.agent(new.account_id, user_id).await
            }
            AddExisting::Invite { inviter } => {
                self.store
                    .invitations()
                    .invite(new, user_id, inviter)
                    .await?;
                Ok(Agent::invited(user_id, new))
            }
        }
    }

    /// Changes a member's role, availability or auto-offline in this account (never their
    /// name: that is their own profile's); the last administrator keeps the role.
    pub async fn update_agent(
        &self,
        account_id: AccountId,
        id: UserId,
        changes: &AgentChanges,
    ) -> Result<Agent, StoreError> {
        let agent = self.agent(account_id, id).await?;
        if changes.role == Some(Role::Agent) && agent.role == Role::Administrator {
            self.require_another_admin(account_id).await?;
        }
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let membership = [
                (UPDATE_ROLE, changes.role.map(|r| r.as_str())),
                (
                    UPDATE_AVAILABILITY,
                    changes.availability.map(|a| a.as_str()),
                ),
            ];
            for (statement, value) in membership {
                if let Some(value) = value {
                    sqlx::query(statement)
                        .bind(value)
                        .bind(account_id.get())
                        .bind(id.get())
                        .execute(&mut *tx)
                        .await?;
                }
            }
            if let Some(auto_offline) = changes.auto_offline {
                sqlx::query(UPDATE_AUTO_OFFLINE)
                    .bind(auto_offline)
                    .bind(account_id.get())
                    .bind(id.get())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })?;
        // The list's rows carry the assignee's role and availability; no event says they changed.
        self.store.forget_account(account_id);
        self.agent(account_id, id).await
    }

    /// Removes a member from the account and unassigns their conversations there; for a user
    /// only invited so far, withdraws the invitation.
    pub async fn remove_agent(&self, account_id: AccountId, id: UserId) -> Result<(), StoreError> {
        let agent = match self.agent(account_id, id).await {
            Err(StoreError::NotFound) => {
                let withdrawn = self.store.invitations().withdraw(account_id, id).await?;
                return if withdrawn {
                    Ok(())
                } else {
                    Err(StoreError::NotFound)
                };
            }
            other => other?,
        };
        if agent.role == Role::Administrator {
            self.require_another_admin(account_id).await?;
        }
        let event = domain::Event::AgentRemoved {
            account_id,
            user_id: id,
        };
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(UNASSIGN)
                .bind(account_id.get())
                .bind(id.get())
                .execute(&mut *tx)
                .await?;
            sqlx::query(DELETE_MEMBERSHIP)
                .bind(account_id.get())
                .bind(id.get())
                .execute(&mut *tx)
                .await?;
            log_events!(self.store, tx, std::slice::from_ref(&event));
            tx.commit().await
        })?;
        self.store.observe_all(std::slice::from_ref(&event));
        Ok(())
    }

    async fn require_another_admin(&self, account_id: AccountId) -> Result<(), StoreError> {
        let admins: i64 = on_pool!(self.store, |pool| sqlx::query_scalar(COUNT_ADMINS)
            .bind(account_id.get())
            .fetch_one(pool)
            .await)?;
        if admins <= 1 {
            return Err(DomainError::invalid(
                "role",
                "An account needs at least one administrator",
            )
            .into());
        }
        Ok(())
    }
}

/// A valid argon2id hash of a random password, verified against when an e-mail is unknown.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0/lUcwPEfNmy5ZfgDpJ2KH0cBAqORbz+nY4fQUa4xGM";
