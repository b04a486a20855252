//! Role definitions: permissions are actions minus notActions, per role.

use serde::{Deserialize, Serialize};

use crate::action::action_matches;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub data_actions: Vec<String>,
    pub not_data_actions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDefinition {
    /// The GUID that is the role definition's name.
    pub name: String,
    pub role_name: String,
    pub description: String,
    pub built_in: bool,
    pub permissions: Vec<Permission>,
    pub assignable_scopes: Vec<String>,
}

impl RoleDefinition {
    /// Whether this role alone grants a control-plane `action`.
    pub fn grants(&self, action: &str) -> bool {
        self.permissions.iter().any(|p| {
            p.actions.iter().any(|a| action_matches(a, action))
                && !p.not_actions.iter().any(|a| action_matches(a, action))
        })
    }
}

/// The GUID at the end of a role definition id, in lower case.
pub fn role_guid(role_definition_id: &str) -> String {
    role_definition_id
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}
