//! Users, their membership of accounts and the role each membership carries.

use crate::{validate, AccountId, DomainError, UserId};
use serde::{Deserialize, Serialize};

/// A person who can sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub display_name: Option<String>,
    pub pubsub_token: String,
}

impl User {
    /// Chatwoot's `available_name`: the display name when set, else the name.
    pub fn available_name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.name)
    }
}

/// What a member may do in an account (Chatwoot's `account_users.role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Administrator,
    Agent,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Agent => "agent",
        }
    }

    pub fn parse(text: &str) -> Result<Role, DomainError> {
        match text {
            "administrator" => Ok(Role::Administrator),
            "agent" => Ok(Role::Agent),
            _ => Err(DomainError::invalid(
                "role",
                "Role must be administrator or agent",
            )),
        }
    }
}

/// A user acting in one account: the result of authenticating a request against its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user: User,
    pub account_id: AccountId,
    pub role: Role,
    /// The conversations they may see, read afresh for each request.
    pub scope: crate::Scope,
}

impl Member {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Administrator
    }
}

/// A member as other members see it (Chatwoot's agent model).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub user: User,
    pub account_id: AccountId,
    pub role: Role,
    pub availability: String,
    /// Chatwoot's `auto_offline`: shown offline once their last dashboard tab closes.
    pub auto_offline: bool,
}

impl Agent {
    /// An existing user invited into an account, as the inviting administrator sees the
    /// answer: the name and e-mail they typed, the role they chose, and a new membership's
    /// defaults (the schema's `account_users` defaults), exactly as a new user's answer reads,
    /// so it does not tell whether the e-mail was known. The user's own profile stays unseen.
    pub fn invited(user_id: crate::UserId, new: &NewAgent) -> Self {
        Agent {
            user: User {
                id: user_id,
                name: new.name.clone(),
                email: new.email.clone(),
                display_name: None,
                pubsub_token: String::new(),
            },
            account_id: new.account_id,
            role: new.role,
            availability: Availability::Online.as_str().to_owned(),
            auto_offline: true,
        }
    }
}

/// Chatwoot's availability statuses for a member of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Online,
    Busy,
    Offline,
}

impl Availability {
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::Online => "online",
            Availability::Busy => "busy",
            Availability::Offline => "offline",
        }
    }

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        match text {
            "online" => Ok(Availability::Online),
            "busy" => Ok(Availability::Busy),
            "offline" => Ok(Availability::Offline),
            _ => Err(DomainError::invalid(
                "availability",
                "Availability must be online, busy or offline",
            )),
        }
    }
}

/// `PATCH /agents/{id}`: what an administrator changes about a member in their account;
/// `None` leaves it. No name: a user's name is their own (their profile).
#[derive(Debug, Clone, Default)]
pub struct AgentChanges {
    pub role: Option<Role>,
    pub availability: Option<Availability>,
    pub auto_offline: Option<bool>,
}

/// `POST /agents`: invite a user (created when the e-mail is new) with a role.
#[derive(Debug, Clone)]
pub struct NewAgent {
    pub account_id: AccountId,
    pub name: String,
    pub email: String,
    pub role: Role,
}

impl NewAgent {
    pub fn validate(
        account_id: AccountId,
        name: Option<&str>,
        email: Option<&str>,
        role: Option<&str>,
    ) -> Result<Self, DomainError> {
        let name = validate::required("name", name, validate::MAX_SHORT_TEXT)?;
        let email = validate::email("email", email)?.ok_or_else(|| DomainError::blank("email"))?;
        let role = Role::parse(role.unwrap_or("agent"))?;
        Ok(Self {
            account_id,
            name,
            email,
            role,
        })
    }
}
