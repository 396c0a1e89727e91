//! `api/v1/models/_team.json.jbuilder`: a team in `GET/POST …/teams`, in a conversation's
//! `meta.team` and in the answer to a team assignment.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub allow_auto_assign: bool,
    pub account_id: i64,
    /// Whether the user asking belongs to the team. Bodies shared by every viewer (a
    /// conversation's `meta.team`, events, webhooks) have no one asking and say `false`.
    pub is_member: bool,
}

impl Team {
    pub fn new(team: &crate::Team, is_member: bool) -> Self {
        Self {
            id: team.id.get(),
            name: team.name.clone(),
            description: team.description.clone(),
            allow_auto_assign: team.allow_auto_assign,
            account_id: team.account_id.get(),
            is_member,
        }
    }
}
