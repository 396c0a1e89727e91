//! An account: one support organization, the boundary of every authorization check.

use crate::AccountId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
}
