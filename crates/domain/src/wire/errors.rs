//! Error bodies, as Chatwoot's `request_exception_handler.rb` answers them.

use serde::Serialize;

/// 401 and 404 bodies: `{"error": "..."}`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Failure {
    pub error: String,
}

impl Failure {
    pub fn new(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
        }
    }

    pub fn not_found() -> Self {
        Self::new("Resource could not be found")
    }

    pub fn not_authorized() -> Self {
        Self::new("You are not authorized to do this action")
    }
}

/// 422 (and our 400/413) bodies: `{"message": "...", "attributes": [...]}`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Invalid {
    pub message: String,
    pub attributes: Vec<String>,
}

impl From<&crate::DomainError> for Invalid {
    fn from(error: &crate::DomainError) -> Self {
        Self {
            message: error.message.clone(),
            attributes: error.attributes.clone(),
        }
    }
}
