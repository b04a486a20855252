//! The `Authorized` capability. Its fields are private and it is built only here,
//! after a positive decision, so a provider function that takes `&Authorized`
//! cannot be reached without the check.

use aksemu_core::{ArmError, Principal, ResourceId};

use crate::index::AssignmentIndex;

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

/// Checks `action` at `scope` for `principal` against the assignment index.
pub fn check(
    principal: &Principal,
    action: &str,
    scope: &ResourceId,
    index: &AssignmentIndex,
    now: i64,
) -> Result<Authorized, ArmError> {
    if index.allows(&principal.object_id, action, scope.key(), now) {
        Ok(Authorized {
            principal: principal.clone(),
            action: action.to_string(),
            scope: scope.clone(),
        })
    } else {
        Err(ArmError::AuthorizationFailed {
            client_id: principal.app_id.clone(),
            object_id: principal.object_id.clone(),
            action: action.to_string(),
            scope: scope.as_str().to_string(),
            explanation: index.explain(&principal.object_id, action, scope.key(), now),
        })
    }
}

/// Tenant-level reads that every authenticated member of the tenant may make
/// (listing subscriptions or tenants); their results are filtered per item.
pub fn check_tenant_member(
    principal: &Principal,
    tenant_id: &str,
    action: &str,
) -> Result<Authorized, ArmError> {
    if principal.tenant_id.eq_ignore_ascii_case(tenant_id) {
        Ok(Authorized {
            principal: principal.clone(),
            action: action.to_string(),
            scope: ResourceId::root(),
        })
    } else {
        Err(ArmError::InvalidAuthenticationTokenTenant(
            principal.tenant_id.clone(),
            tenant_id.to_string(),
        ))
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
        assert!(check(&p(), write, &rg, &a, 0).is_ok());
        assert!(
            check(
                &p(),
                write,
                &rg.child(&["providers", "X.Y", "t", "n"]),
                &a,
                0
            )
            .is_ok()
        );
        let err = check(
            &p(),
            write,
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
                "Microsoft.Authorization/roleAssignments/write",
                &rg,
                &a,
                0
            )
            .is_err()
        );
    }
}
