//! "Can principal P do action A at scope S?": the gate's own evaluator, asked
//! without a request (nothing is recorded), with the explanation and, when
//! the answer is no, the least built-in role that would grant it and the az
//! command that assigns it.

use aksemu_authz::builtin::builtin_roles;
use aksemu_authz::{ActionKind, Requirement, RoleDefinition, authorize, explanation};
use aksemu_core::{ArmError, Principal, PrincipalKind, ResourceId};
use serde_json::{Value, json};

use crate::cloud::Cloud;

/// A question for the evaluator.
pub struct Question<'a> {
    pub principal: &'a Principal,
    pub action: &'a str,
    pub scope: &'a ResourceId,
    /// A data action (inside a resource) rather than a control-plane action.
    pub data: bool,
}

/// The evaluator's answer, with every assignment considered.
pub fn answer(cloud: &Cloud, q: &Question<'_>) -> Value {
    let index = cloud.rbac.index();
    let now = cloud.clock.now().unix_timestamp();
    let decider = cloud.decider(Some(&index), now);
    let (action, scope) = (q.action, q.scope);
    let (req, kind) = if q.data {
        (Requirement::DataAction { action, scope }, ActionKind::Data)
    } else {
        (Requirement::Scope { action, scope }, ActionKind::Control)
    };
    let allowed = authorize(q.principal, req, &decider).is_ok();
    let considered = explanation(q.principal, (action, kind), scope, &index, now);
    let mut out = json!({
        "allowed": allowed,
        "principalId": q.principal.object_id,
        "action": action,
        "dataAction": q.data,
        "scope": scope.as_str(),
        "explanation": considered,
    });
    if !allowed && let Some(fix) = grant(q.principal, action, kind, scope.as_str()) {
        out["grant"] = fix;
    }
    out
}

/// The least built-in role that grants `action` (the narrowest permissions,
/// then by name), and the az command assigning it to `principal` at `scope`.
pub fn grant(principal: &Principal, action: &str, kind: ActionKind, scope: &str) -> Option<Value> {
    let role = least_role(action, kind)?;
    Some(json!({
        "roleDefinitionName": role.role_name,
        "command": grant_command(principal, &role.role_name, scope),
    }))
}

/// How much a role grants, roughly: `*` everything, a wildcard a family of
/// actions, a plain action one. Reader (`*/read`) is narrower than
/// Contributor (`*`), though each lists one pattern.
fn breadth(r: &RoleDefinition) -> u64 {
    let one = |p: &String| -> u64 {
        match p.matches('*').count() {
            _ if p == "*" => 1_000_000,
            0 => 1,
            n => 1_000 * n as u64,
        }
    };
    r.permissions
        .iter()
        .flat_map(|p| p.actions.iter().chain(&p.data_actions))
        .map(one)
        .sum()
}

fn least_role(action: &str, kind: ActionKind) -> Option<&'static RoleDefinition> {
    builtin_roles()
        .iter()
        .filter(|r| r.grants_kind(action, kind))
        .min_by(|a, b| {
            breadth(a)
                .cmp(&breadth(b))
                .then_with(|| a.role_name.cmp(&b.role_name))
        })
}

pub fn grant_command(principal: &Principal, role: &str, scope: &str) -> String {
    let kind = match principal.kind {
        PrincipalKind::User => "User",
        _ => "ServicePrincipal",
    };
    format!(
        "az role assignment create --assignee-object-id {} --assignee-principal-type {kind} --role \"{role}\" --scope {scope}",
        principal.object_id
    )
}

/// `POST /aksemu/admin/explain {"principal", "action", "scope", "dataAction"}`:
/// the administrator asks about anyone (`aksemu explain`).
pub async fn admin_explain(
    cloud: &Cloud,
    caller: &Principal,
    body: &[u8],
) -> Result<Value, ArmError> {
    crate::admin::admin_only(cloud, caller, "aksemu/admin/explain/action")?;
    let body: Value =
        serde_json::from_slice(body).map_err(|e| ArmError::InvalidRequestContent(e.to_string()))?;
    let field = |k: &str| -> Result<&str, ArmError> {
        body[k]
            .as_str()
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| ArmError::InvalidRequestContent(format!("'{k}' is required")))
    };
    let named = cloud.entra.find_principal(field("principal")?).await?;
    let scope = ResourceId::parse(field("scope")?)?;
    let q = Question {
        principal: &named.principal,
        action: field("action")?,
        scope: &scope,
        data: body["dataAction"].as_bool().unwrap_or(false),
    };
    let mut out = answer(cloud, &q);
    out["principalName"] = json!(named.display_name);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_role_is_the_narrowest_that_grants() {
        use ActionKind::{Control, Data};
        for (action, kind, role) in [
            (
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                Control,
                "Reader",
            ),
            (
                "Microsoft.Network/loadBalancers/write",
                Control,
                "Network Contributor",
            ),
            (
                "Microsoft.ContainerRegistry/registries/pull/read",
                Control,
                "AcrPull",
            ),
            (
                "Microsoft.Compute/disks/write",
                Control,
                "Virtual Machine Contributor",
            ),
            (
                "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action",
                Control,
                "Managed Identity Operator",
            ),
            (
                "Microsoft.ContainerService/managedClusters/pods/read",
                Data,
                "Azure Kubernetes Service RBAC Reader",
            ),
        ] {
            let least = least_role(action, kind).map(|r| r.role_name.as_str());
            assert_eq!(least, Some(role), "{action}");
        }
        assert!(least_role("No.Such/data/thing", Data).is_none());
    }
}
