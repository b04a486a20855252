//! The decision: the union over the caller's assignments at the target scope and
//! its ancestors; within each role, actions minus notActions.

use aksemu_core::ResourceId;
use serde_json::{Value, json};

use crate::assignment::Assignment;
use crate::role::{RoleDefinition, role_guid};

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The id of the first assignment that grants the action, if any.
    pub granted_by: Option<String>,
    /// Why each considered assignment did or did not grant it.
    pub explanation: Vec<Value>,
}

impl Decision {
    pub fn allowed(&self) -> bool {
        self.granted_by.is_some()
    }
}

/// `assignments` are the caller's (already filtered to its principal id);
/// `role` resolves a role definition GUID.
pub fn decide<'r>(
    action: &str,
    scope: &ResourceId,
    assignments: &[Assignment],
    role: impl Fn(&str) -> Option<&'r RoleDefinition>,
) -> Decision {
    let mut explanation = Vec::new();
    for a in assignments {
        let guid = role_guid(&a.role_definition_id);
        let role = role(&guid);
        let role_name = role
            .map(|r| r.role_name.as_str())
            .unwrap_or("<unknown role>");
        let (granted, why) = if !scope.is_within(&a.scope) {
            (
                false,
                "assignment scope does not contain the requested scope",
            )
        } else {
            match role {
                None => (false, "role definition not found"),
                Some(r) if r.grants(action) => (true, "role grants the action"),
                Some(_) => (
                    false,
                    "role does not grant the action (no matching action, or excluded by notActions)",
                ),
            }
        };
        if granted {
            return Decision {
                granted_by: Some(a.id.clone()),
                explanation: vec![],
            };
        }
        explanation.push(json!({
            "roleAssignmentId": a.id,
            "scope": a.scope.as_str(),
            "roleDefinitionName": role_name,
            "reason": why,
        }));
    }
    if explanation.is_empty() {
        explanation.push(json!({"reason": "the caller has no role assignments"}));
    }
    Decision {
        granted_by: None,
        explanation,
    }
}
