//! The `Authorized` capability. Its fields are private and it is built only here,
//! after a positive decision, so a provider function that takes `&Authorized`
//! cannot be reached without the check.

use aksemu_core::{ArmError, Principal, ResourceId};

use crate::index::AssignmentIndex;
use crate::role::ActionKind::{self, Control, Data};

#[derive(Debug)]
pub struct Authorized {
    principal: Principal,
    action: String,
    scope: ResourceId,
}

impl Authorized {
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    pub fn action(&self) -> &str {
        &self.action
    }

    pub fn scope(&self) -> &ResourceId {
        &self.scope
    }
}

/// What a request needs from its caller. Every surface's gate reduces its
/// endpoint to one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement<'a> {
    /// Any authenticated principal of the tenant; results are filtered per item.
    TenantMember { action: &'a str },
    /// The cloud's administrator only (the directory's writer, aksemu's admin API).
    Administrator { action: &'a str },
    /// `action` at `scope`, granted by role assignments.
    Scope {
        action: &'a str,
        scope: &'a ResourceId,
    },
    /// The data action `action` at `scope` (inside a resource: a Kubernetes
    /// request on an Azure RBAC cluster), granted by roles' `dataActions`.
    DataAction {
        action: &'a str,
        scope: &'a ResourceId,
    },
}

/// What a decision is made against.
pub struct Decider<'a> {
    pub tenant_id: &'a str,
    /// The administrator's object id.
    pub administrator: &'a str,
    /// Role assignments; a surface without any (Graph) passes `None`, and then
    /// no scope requirement is met.
    pub index: Option<&'a AssignmentIndex>,
    /// The cloud clock, in seconds (propagation windows).
    pub now: i64,
}

/// The one decision: a capability for `principal` meeting `req`, or the denial.
/// `Authorized` is made nowhere else.
pub fn authorize(
    principal: &Principal,
    req: Requirement<'_>,
    d: &Decider<'_>,
) -> Result<Authorized, ArmError> {
    match req {
        Requirement::TenantMember { action } => tenant_member(principal, d.tenant_id, action),
        Requirement::Administrator { action } => administrator(principal, d, action),
        Requirement::Scope { action, scope } => scoped(principal, (action, Control), scope, d),
        Requirement::DataAction { action, scope } => scoped(principal, (action, Data), scope, d),
    }
}

fn scoped(
    principal: &Principal,
    (action, kind): (&str, ActionKind),
    scope: &ResourceId,
    d: &Decider<'_>,
) -> Result<Authorized, ArmError> {
    match d.index {
        Some(index) => check(principal, (action, kind), scope, index, d.now),
        None => Err(denied(principal, action, scope, Vec::new())),
    }
}

fn granted(principal: &Principal, action: &str, scope: ResourceId) -> Authorized {
    Authorized {
        principal: principal.clone(),
        action: action.to_string(),
        scope,
    }
}

fn denied(
    principal: &Principal,
    action: &str,
    scope: &ResourceId,
    explanation: Vec<serde_json::Value>,
) -> ArmError {
    ArmError::AuthorizationFailed {
        client_id: principal.app_id.clone(),
        object_id: principal.object_id.clone(),
        action: action.to_string(),
        scope: scope.as_str().to_string(),
        explanation,
    }
}

/// Checks `action` of `kind` at `scope` for `principal` against the assignment index.
fn check(
    principal: &Principal,
    (action, kind): (&str, ActionKind),
    scope: &ResourceId,
    index: &AssignmentIndex,
    now: i64,
) -> Result<Authorized, ArmError> {
    // The principal's own assignments, then those of its groups.
    let mut ids = std::iter::once(&principal.object_id).chain(&principal.groups);
    if ids.any(|id| index.allows_kind(id, action, scope.key(), now, kind)) {
        Ok(granted(principal, action, scope.clone()))
    } else {
        let why = explanation(principal, (action, kind), scope, index, now);
        Err(denied(principal, action, scope, why))
    }
}

/// Why `principal` is or is not granted `action` of `kind` at `scope`: its own
/// assignments considered, then its groups' (a denial's `additionalInfo`).
pub fn explanation(
    principal: &Principal,
    (action, kind): (&str, ActionKind),
    scope: &ResourceId,
    index: &AssignmentIndex,
    now: i64,
) -> Vec<serde_json::Value> {
    let mut out = index.explain_kind(&principal.object_id, action, scope.key(), now, kind);
    for g in &principal.groups {
        let theirs = index.explain_kind(g, action, scope.key(), now, kind);
        out.extend(
            theirs
                .into_iter()
                .filter(|e| e.get("roleAssignmentId").is_some()),
        );
    }
    out
}

/// Tenant-level reads that every authenticated member of the tenant may make
/// (listing subscriptions or tenants); their results are filtered per item.
fn tenant_member(
    principal: &Principal,
    tenant_id: &str,
    action: &str,
) -> Result<Authorized, ArmError> {
    if principal.tenant_id.eq_ignore_ascii_case(tenant_id) {
        Ok(granted(principal, action, ResourceId::root()))
    } else {
        Err(ArmError::InvalidAuthenticationTokenTenant(
            principal.tenant_id.clone(),
            tenant_id.to_string(),
        ))
    }
}

fn administrator(
    principal: &Principal,
    d: &Decider<'_>,
    action: &str,
) -> Result<Authorized, ArmError> {
    if principal.tenant_id.eq_ignore_ascii_case(d.tenant_id)
        && principal.object_id.eq_ignore_ascii_case(d.administrator)
    {
        Ok(granted(principal, action, ResourceId::root()))
    } else {
        let reason = serde_json::json!({"reason": "only the cloud's administrator (the bootstrap service principal) may do this"});
        Err(denied(principal, action, &ResourceId::root(), vec![reason]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assignment::Assignment;
    use crate::builtin::{CONTRIBUTOR, builtin_role};
    use aksemu_core::PrincipalKind;

    fn p() -> Principal {
        Principal {
            object_id: "oid".into(),
            app_id: "app".into(),
            tenant_id: "t".into(),
            kind: PrincipalKind::Application,
            groups: Vec::new(),
        }
    }

    fn contributor_on(scope: &ResourceId) -> Assignment {
        Assignment {
            id: format!("{scope}/providers/Microsoft.Authorization/roleAssignments/1"),
            scope: scope.clone(),
            role_definition_id: format!(
                "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}"
            ),
            principal_id: "oid".into(),
            window: None,
        }
    }

    #[test]
    fn inherited_down_not_up_and_not_actions_subtract() {
        let rg = ResourceId::resource_group("s", "rg");
        let mut a = AssignmentIndex::from_assignments([contributor_on(&rg)]);
        a.resolve_roles(|g| builtin_role(g).cloned());
        let write = "Microsoft.Resources/subscriptions/resourceGroups/write";
        assert!(check(&p(), (write, Control), &rg, &a, 0).is_ok());
        assert!(
            check(
                &p(),
                (write, Control),
                &rg.child(&["providers", "X.Y", "t", "n"]),
                &a,
                0
            )
            .is_ok()
        );
        let err = check(
            &p(),
            (write, Control),
            &ResourceId::resource_group("s", "other"),
            &a,
            0,
        )
        .err()
        .map(|e| e.code());
        assert_eq!(err, Some("AuthorizationFailed"));
        assert!(
            check(
                &p(),
                ("Microsoft.Authorization/roleAssignments/write", Control),
                &rg,
                &a,
                0
            )
            .is_err()
        );
    }
}
