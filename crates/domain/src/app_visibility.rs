//! Who sees a dashboard app (issue 14, item 6): besides the inboxes whose conversations show
//! it, an app may be limited to roles (administrator, agent) and to teams. An app limited in
//! both ways is seen by a member who has one of its roles *and* belongs to one of its teams.
//! Where an app is shown, and which tokens and contexts are issued for it, ask
//! [`Visibility::admits`] through `DashboardApp::visible_to`.

use crate::{DomainError, Role, TeamId};

/// The most teams one app may be limited to.
pub const MAX_TEAM_IDS: usize = 100;

/// The roles and teams an app is limited to; empty lists limit nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Visibility {
    /// Sorted, without repeats.
    pub roles: Vec<Role>,
    /// Sorted, without repeats.
    pub team_ids: Vec<TeamId>,
}

/// Who is looking: a member's role and the teams they belong to in the app's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub role: Role,
    pub team_ids: Vec<TeamId>,
}

impl Visibility {
    pub fn admits(&self, viewer: &Viewer) -> bool {
        (self.roles.is_empty() || self.roles.contains(&viewer.role))
            && (self.team_ids.is_empty()
                || self.team_ids.iter().any(|t| viewer.team_ids.contains(t)))
    }
}

/// Sorts and deduplicates a role list.
pub fn roles_of(mut roles: Vec<Role>) -> Vec<Role> {
    roles.sort_unstable_by_key(|role| role.as_str());
    roles.dedup();
    roles
}

/// Checks and normalises a team list; whether the teams are the account's is the store's to
/// check.
pub fn team_ids_of(mut ids: Vec<TeamId>) -> Result<Vec<TeamId>, DomainError> {
    if ids.iter().any(|id| id.get() <= 0) {
        return Err(DomainError::invalid(
            "team_ids",
            "Team ids must be positive integers",
        ));
    }
    ids.sort_unstable_by_key(|id| id.get());
    ids.dedup();
    if ids.len() > MAX_TEAM_IDS {
        return Err(DomainError::invalid(
            "team_ids",
            format!("An app may be limited to at most {MAX_TEAM_IDS} teams"),
        ));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(role: Role, teams: &[i64]) -> Viewer {
        Viewer {
            role,
            team_ids: teams.iter().copied().map(TeamId).collect(),
        }
    }

    #[test]
    fn an_app_is_seen_by_its_roles_and_teams_only() {
        let everyone = Visibility::default();
        assert!(everyone.admits(&viewer(Role::Agent, &[])));
        let agents_of_team_2 = Visibility {
            roles: vec![Role::Agent],
            team_ids: vec![TeamId(2)],
        };
        assert!(agents_of_team_2.admits(&viewer(Role::Agent, &[1, 2])));
        assert!(!agents_of_team_2.admits(&viewer(Role::Agent, &[1])));
        assert!(!agents_of_team_2.admits(&viewer(Role::Administrator, &[2])));
        let admins = Visibility {
            roles: vec![Role::Administrator],
            team_ids: vec![],
        };
        assert!(admins.admits(&viewer(Role::Administrator, &[])));
        assert!(!admins.admits(&viewer(Role::Agent, &[3])));
    }

    #[test]
    fn team_lists_are_checked_and_normalised() {
        assert_eq!(
            team_ids_of(vec![TeamId(3), TeamId(1), TeamId(3)]).unwrap(),
            [TeamId(1), TeamId(3)]
        );
        assert_eq!(
            team_ids_of(vec![TeamId(0)]).unwrap_err().attributes,
            ["team_ids"]
        );
        assert_eq!(
            roles_of(vec![Role::Agent, Role::Administrator, Role::Agent]),
            [Role::Administrator, Role::Agent]
        );
    }
}
