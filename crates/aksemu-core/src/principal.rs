//! The authenticated caller, as read from a verified access token.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrincipalKind {
    /// A service principal of an application (client credentials).
    Application,
    /// A service principal that backs a managed identity.
    ManagedIdentity,
    User,
}

impl PrincipalKind {
    /// The `createdByType` value ARM writes into `systemData`.
    pub fn created_by_type(self) -> &'static str {
        match self {
            PrincipalKind::Application => "Application",
            PrincipalKind::ManagedIdentity => "ManagedIdentity",
            PrincipalKind::User => "User",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Object id (`oid`), the id role assignments name.
    pub object_id: String,
    /// Application (client) id (`appid`).
    pub app_id: String,
    pub tenant_id: String,
    pub kind: PrincipalKind,
    /// The groups the token says the principal is in (a user's `groups`
    /// claim): role assignments to them grant it too.
    pub groups: Vec<String>,
}
