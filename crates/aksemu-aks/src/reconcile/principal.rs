//! The cluster's own principal in its node group: who acts for the cluster,
//! and the Contributor assignment AKS gives it there.

use aksemu_arm::Cloud;
use aksemu_arm::collections::ASSIGNMENT_TRIPLES;
use aksemu_arm::providers::role_assignments;
use aksemu_authz::builtin::CONTRIBUTOR;
use aksemu_core::{ArmError, IdentityBlock, ResourceId};
use aksemu_store::{Write, store_err};
use serde_json::Value;

/// The principal that acts for the cluster: its system- or user-assigned
/// identity, or its service principal.
pub(super) async fn cluster_principal(
    cloud: &Cloud,
    cluster: &Value,
) -> Result<Option<String>, ArmError> {
    if let Some(p) =
        IdentityBlock::of(cluster).and_then(|i| i.acting_principal().map(str::to_string))
    {
        return Ok(Some(p));
    }
    match cluster["properties"]["servicePrincipalProfile"]["clientId"].as_str() {
        Some(app) if !app.eq_ignore_ascii_case("msi") => Ok(cloud
            .entra
            .service_principal_by_app_id(&cloud.entra.tenant_id, app)
            .await?
            .map(|(_, sp)| sp.id)),
        _ => Ok(None),
    }
}

/// Contributor on the node group for the cluster's principal, unless it holds it.
pub(super) async fn contributor(
    cloud: &Cloud,
    group: &ResourceId,
    principal: &str,
) -> Result<Vec<Write>, ArmError> {
    let triple = role_assignments::triple_key(group, CONTRIBUTOR, principal);
    if cloud
        .store()
        .get(ASSIGNMENT_TRIPLES, &triple)
        .await
        .map_err(store_err)?
        .is_some()
    {
        return Ok(Vec::new());
    }
    role_assignments::system_assignment(cloud, group, CONTRIBUTOR, principal)
}
