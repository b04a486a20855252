//! `aksemu bench seed-console`: a subscription the size the console must stay
//! fast for (100 clusters, 1,000 identities, 10,000 role assignments), written
//! into a data dir's store before the server starts (ARM stops at 4,000
//! assignments per subscription, as Azure does). For benches/console_graph.py.

use std::path::PathBuf;

use aksemu_arm::collections::RESOURCES;
use aksemu_arm::providers::role_assignments::writes_for;
use aksemu_arm::rbac::document::{AssignmentProperties, StoredAssignment};
use aksemu_core::ResourceId;
use aksemu_store::{Cond, Write};
use clap::Args;
use serde_json::{Value, json};

#[derive(Args)]
pub struct SeedConsoleArgs {
    #[arg(long, default_value = ".aksemu")]
    data_dir: PathBuf,
    #[arg(long, default_value_t = 100)]
    clusters: usize,
    /// Identities in all: each cluster's system-assigned and kubelet
    /// identities, the rest user-assigned identities in the clusters' groups.
    #[arg(long, default_value_t = 1_000)]
    identities: usize,
    #[arg(long, default_value_t = 10_000)]
    assignments: usize,
}

fn put(id: &ResourceId, body: Value) -> Write {
    Write::Put {
        coll: RESOURCES,
        key: id.key().to_string(),
        id: id.as_str().to_string(),
        body,
        cond: Cond::Any,
    }
}

fn oid(kind: u32, i: usize) -> String {
    format!("{kind:08x}-0000-4000-8000-{i:012}")
}

fn group(id: &ResourceId, name: &str) -> Write {
    put(
        id,
        json!({"id": id.as_str(), "name": name, "type": "Microsoft.Resources/resourceGroups",
               "location": "westus2", "properties": {"provisioningState": "Succeeded"}}),
    )
}

fn identity(id: &ResourceId, name: &str, principal: &str) -> Write {
    put(
        id,
        json!({"id": id.as_str(), "name": name, "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
               "location": "westus2", "properties": {"principalId": principal, "clientId": principal}}),
    )
}

/// One cluster, its groups and identities; returns the identities' object
/// ids and resource ids (scopes for assignments).
fn cluster(sub: &str, c: usize, writes: &mut Vec<Write>) -> (Vec<String>, Vec<ResourceId>) {
    let (rg_name, name) = (format!("rg-{c:03}"), format!("c{c:03}"));
    let rg = ResourceId::resource_group(sub, &rg_name);
    let mc_name = format!("MC_{rg_name}_{name}_westus2");
    let mc = ResourceId::resource_group(sub, &mc_name);
    let id = rg.child(&[
        "providers",
        "Microsoft.ContainerService",
        "managedClusters",
        &name,
    ]);
    let kubelet = mc.child(&[
        "providers",
        "Microsoft.ManagedIdentity",
        "userAssignedIdentities",
        &format!("{name}-agentpool"),
    ]);
    let (system_oid, kubelet_oid) = (oid(1, c), oid(2, c));
    writes.push(group(&rg, &rg_name));
    writes.push(group(&mc, &mc_name));
    writes.push(identity(
        &kubelet,
        &format!("{name}-agentpool"),
        &kubelet_oid,
    ));
    writes.push(put(&id, json!({
        "id": id.as_str(), "name": name, "type": "Microsoft.ContainerService/ManagedClusters",
        "location": "westus2", "identity": {"type": "SystemAssigned", "principalId": system_oid},
        "properties": {"provisioningState": "Succeeded", "nodeResourceGroup": mc_name,
            "identityProfile": {"kubeletidentity": {"resourceId": kubelet.as_str(), "objectId": kubelet_oid, "clientId": kubelet_oid}},
            "agentPoolProfiles": [{"name": "nodepool1", "count": 3, "mode": "System"}]}
    })));
    (vec![system_oid, kubelet_oid], vec![rg, mc, id, kubelet])
}

pub async fn seed(a: SeedConsoleArgs) -> anyhow::Result<()> {
    let (store, boot, path) = crate::bench_seed::seed_store(&a.data_dir).await?;
    let sub = boot.subscription_id.clone();
    let (mut principals, mut scopes, mut writes) = (Vec::new(), Vec::new(), Vec::new());
    for c in 0..a.clusters {
        let (p, s) = cluster(&sub, c, &mut writes);
        principals.extend(p);
        scopes.extend(s);
    }
    for i in principals.len()..a.identities {
        let rg = ResourceId::resource_group(&sub, &format!("rg-{:03}", i % a.clusters.max(1)));
        let name = format!("id-{i:04}");
        let id = rg.child(&[
            "providers",
            "Microsoft.ManagedIdentity",
            "userAssignedIdentities",
            &name,
        ]);
        let principal = oid(3, i);
        writes.push(identity(&id, &name, &principal));
        principals.push(principal);
        scopes.push(id);
    }
    store.apply(std::mem::take(&mut writes)).await?;
    let roles = [
        aksemu_authz::builtin::READER,
        aksemu_authz::builtin::CONTRIBUTOR,
    ];
    for i in 0..a.assignments {
        // Spread deterministically: every principal, every kind of scope.
        let scope = &scopes[(i * 7919) % scopes.len()];
        let properties = AssignmentProperties {
            role_definition_id: format!(
                "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{}",
                roles[i % 2]
            ),
            principal_id: principals[i % principals.len()].clone(),
            principal_type: Some("ServicePrincipal".to_string()),
            scope: scope.as_str().to_string(),
            ..AssignmentProperties::default()
        };
        let name = format!("30000000-0000-4000-8000-{i:012}");
        let assignment = StoredAssignment::new(scope, &name, properties);
        writes.extend(writes_for(&assignment, Cond::Any).map_err(|e| anyhow::anyhow!("{e}"))?);
        if writes.len() >= 3_000 {
            store.apply(std::mem::take(&mut writes)).await?;
        }
    }
    store.apply(writes).await?;
    println!(
        "seeded {} clusters, {} identities, {} role assignments into {}",
        a.clusters,
        principals.len(),
        a.assignments,
        path.display()
    );
    Ok(())
}
