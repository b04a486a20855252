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

/// What kind of operation is decided: a control-plane action (ARM) or a
/// data action (a request inside a resource, such as a Kubernetes API call on
/// an Azure RBAC cluster). Each is granted only by its own lists: `*` in
/// `actions` grants no data action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    Control,
    Data,
}

impl Permission {
    /// (granting patterns, excluding patterns) for `kind`.
    pub fn lists(&self, kind: ActionKind) -> (&[String], &[String]) {
        match kind {
            ActionKind::Control => (&self.actions, &self.not_actions),
            ActionKind::Data => (&self.data_actions, &self.not_data_actions),
        }
    }
}

impl RoleDefinition {
    /// Whether this role alone grants a control-plane `action`.
    pub fn grants(&self, action: &str) -> bool {
        self.grants_kind(action, ActionKind::Control)
    }

    /// Whether this role alone grants `action` of `kind`: some permission
    /// block lists it and does not exclude it.
    pub fn grants_kind(&self, action: &str, kind: ActionKind) -> bool {
        self.permissions.iter().any(|p| {
            let (allow, deny) = p.lists(kind);
            allow.iter().any(|a| action_matches(a, action))
                && !deny.iter().any(|a| action_matches(a, action))
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
