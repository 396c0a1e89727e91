//! Teams: groups of an account's agents that conversations can be assigned to, beside or
//! instead of an agent (Chatwoot's `Team`, `team.rb`: names are lowercased and unique per
//! account). Who belongs to a team is the store's (`team_members`).

use crate::{validate, AccountId, DomainError, TeamId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: TeamId,
    pub account_id: AccountId,
    pub name: String,
    pub description: Option<String>,
    pub allow_auto_assign: bool,
}

/// `POST /teams`.
#[derive(Debug, Clone)]
pub struct NewTeam {
    pub account_id: AccountId,
    pub name: String,
    pub description: Option<String>,
    pub allow_auto_assign: bool,
}

impl NewTeam {
    pub fn validate(
        account_id: AccountId,
        name: Option<&str>,
        description: Option<&str>,
        allow_auto_assign: Option<bool>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            account_id,
            name: name_of(name)?,
            description: validate::optional("description", description, validate::MAX_SHORT_TEXT)?,
            // Chatwoot's column default.
            allow_auto_assign: allow_auto_assign.unwrap_or(true),
        })
    }
}

/// `PATCH /teams/{id}`: `None` leaves the attribute alone.
#[derive(Debug, Clone, Default)]
pub struct TeamChanges {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub allow_auto_assign: Option<bool>,
}

impl TeamChanges {
    pub fn validate(
        name: Option<&str>,
        description: Option<&str>,
        allow_auto_assign: Option<bool>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            name: name.map(|n| name_of(Some(n))).transpose()?,
            description: description
                .map(|d| validate::optional("description", Some(d), validate::MAX_SHORT_TEXT))
                .transpose()?,
            allow_auto_assign,
        })
    }
}

/// Chatwoot's `slack_mention_code` (whom its Slack integration mentions for the team):
/// Switchboard has no Slack integration, so only none or an empty one is accepted; anything
/// else is a 422 naming it rather than a value silently dropped.
pub fn refuse_slack_mention_code(code: Option<&str>) -> Result<(), DomainError> {
    match code {
        Some(code) if !code.trim().is_empty() => Err(DomainError::invalid(
            "slack_mention_code",
            "Slack mention code is not supported: Switchboard has no Slack integration",
        )),
        _ => Ok(()),
    }
}

/// Required, trimmed and lowercased (`before_validation { self.name = name.downcase }`).
fn name_of(name: Option<&str>) -> Result<String, DomainError> {
    Ok(validate::required("name", name, validate::MAX_SHORT_TEXT)?.to_lowercase())
}

/// A list of user ids as `user_ids` arrives (`team_members`, `inbox_members`): required, each
/// a positive number, duplicates dropped, in given order.
pub fn user_ids(ids: Option<&[i64]>) -> Result<Vec<crate::UserId>, DomainError> {
    let ids = ids.ok_or_else(|| DomainError::blank("user_ids"))?;
    if ids.len() > 1000 {
        return Err(DomainError::invalid("user_ids", "Too many user ids"));
    }
    let mut set: Vec<crate::UserId> = Vec::new();
    for &id in ids {
        if id <= 0 {
            return Err(DomainError::invalid(
                "user_ids",
                "User ids must be ids of the account's agents",
            ));
        }
        if !set.contains(&crate::UserId(id)) {
            set.push(crate::UserId(id));
        }
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_names_are_required_and_lowercased() {
        let team = NewTeam::validate(AccountId(1), Some(" Billing "), None, None).unwrap();
        assert_eq!(team.name, "billing");
        assert!(team.allow_auto_assign);
        let err = NewTeam::validate(AccountId(1), Some("  "), None, None).unwrap_err();
        assert_eq!(err.attributes, ["name"]);
        let changes = TeamChanges::validate(None, Some(""), Some(false)).unwrap();
        assert_eq!(changes.description, Some(None));
        assert_eq!(changes.name, None);
    }

    #[test]
    fn a_slack_mention_code_is_refused_unless_empty() {
        assert!(refuse_slack_mention_code(None).is_ok());
        assert!(refuse_slack_mention_code(Some(" ")).is_ok());
        let err = refuse_slack_mention_code(Some("@billing")).unwrap_err();
        assert_eq!(err.attributes, ["slack_mention_code"]);
    }

    #[test]
    fn user_ids_are_required_positive_and_deduplicated() {
        assert_eq!(
            user_ids(Some(&[3, 2, 3])).unwrap(),
            [crate::UserId(3), crate::UserId(2)]
        );
        assert_eq!(user_ids(None).unwrap_err().attributes, ["user_ids"]);
        assert_eq!(user_ids(Some(&[0])).unwrap_err().attributes, ["user_ids"]);
        assert!(user_ids(Some(&[])).unwrap().is_empty());
    }
}
