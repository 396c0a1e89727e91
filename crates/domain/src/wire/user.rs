//! Agents (`api/v1/models/_agent.json.jbuilder`) and the signed-in user's profile
//! (`api/v1/models/_user.json.jbuilder`, also the `data` of `POST /auth/sign_in`).

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Agent {
    pub id: i64,
    pub account_id: i64,
    pub availability_status: String,
    pub auto_offline: bool,
    pub confirmed: bool,
    pub email: String,
    pub available_name: String,
    pub name: String,
    pub role: &'static str,
    pub thumbnail: String,
}

impl From<&crate::Agent> for Agent {
    fn from(agent: &crate::Agent) -> Self {
        Self {
            id: agent.user.id.get(),
            account_id: agent.account_id.get(),
            availability_status: agent.availability.clone(),
            auto_offline: agent.auto_offline,
            confirmed: true,
            email: agent.user.email.clone(),
            available_name: agent.user.available_name().to_owned(),
            name: agent.user.name.clone(),
            role: agent.role.as_str(),
            thumbnail: String::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ProfileAccount {
    pub id: i64,
    pub name: String,
    pub role: &'static str,
    pub status: &'static str,
    pub availability: String,
    pub availability_status: String,
    pub auto_offline: bool,
}

impl ProfileAccount {
    /// The user's membership of `account`, as `agent` (the same membership) describes it.
    pub fn new(account: &crate::Account, agent: &crate::Agent) -> Self {
        Self {
            id: account.id.get(),
            name: account.name.clone(),
            role: agent.role.as_str(),
            status: "active",
            availability: agent.availability.clone(),
            availability_status: agent.availability.clone(),
            auto_offline: agent.auto_offline,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Profile {
    pub id: i64,
    pub provider: &'static str,
    pub uid: String,
    pub name: String,
    pub display_name: Option<String>,
    pub available_name: String,
    pub email: String,
    /// The first account's id, as Chatwoot reports it.
    pub account_id: Option<i64>,
    pub role: Option<&'static str>,
    pub confirmed: bool,
    pub avatar_url: String,
    pub thumbnail: String,
    /// The API token, when this answer is the one that knows it: the token a request was
    /// made with, or one just issued (sign-in, `reset_access_token`). Tokens are stored
    /// hashed, so a cookie-authenticated request gets `null`.
    pub access_token: Option<String>,
    pub pubsub_token: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub ui_settings: serde_json::Map<String, serde_json::Value>,
    pub message_signature: Option<String>,
    pub accounts: Vec<ProfileAccount>,
}

impl Profile {
    pub fn new(
        user: &crate::User,
        access_token: Option<&str>,
        accounts: Vec<ProfileAccount>,
    ) -> Self {
        Self {
            id: user.id.get(),
            provider: "email",
            uid: user.email.clone(),
            name: user.name.clone(),
            display_name: user.display_name.clone(),
            available_name: user.available_name().to_owned(),
            email: user.email.clone(),
            account_id: accounts.first().map(|a| a.id),
            role: accounts.first().map(|a| a.role),
            confirmed: true,
            avatar_url: String::new(),
            thumbnail: String::new(),
            access_token: access_token.map(str::to_owned),
            pubsub_token: user.pubsub_token.clone(),
            kind: "user",
            ui_settings: serde_json::Map::new(),
            message_signature: None,
            accounts,
        }
    }
}
