//! One scale set per agent pool, carrying the node identities (kubelet and
//! add-ons) so the managed-identity endpoint answers for them on the nodes.

use serde_json::{Map, Value, json};

use super::VMSS_TYPE;
use super::plan::Plan;

/// What every scale set of the cluster shares.
pub(super) struct Nodes<'a> {
    /// The eight digits of the cluster's node-group names.
    pub n: &'a str,
    pub kubelet: Option<&'a Value>,
    /// `userAssignedIdentities` of the scale sets.
    pub identities: &'a Map<String, Value>,
    /// The subnet of pools that bring none.
    pub subnet: Option<&'a str>,
}

fn scale_set_body(plan: &Plan<'_>, nodes: &Nodes<'_>, pool: &Value, unique: String) -> Value {
    let name = pool["name"].as_str().unwrap_or_default();
    let n = nodes.n;
    let vmss_name = format!("aks-{name}-{n}-vmss");
    let id = plan.id("Microsoft.Compute", "virtualMachineScaleSets", &vmss_name);
    let subnet_id = pool["vnetSubnetID"].as_str().or(nodes.subnet);
    let version = pool["currentOrchestratorVersion"]
        .as_str()
        .unwrap_or_default();
    let kubelet_client = nodes.kubelet.map(|k| k["clientId"].clone());
    let mut body = json!({
        "id": id.as_str(),
        "name": vmss_name,
        "type": VMSS_TYPE,
        "location": plan.location,
        "tags": {
            "aks-managed-poolName": name,
            "aks-managed-orchestrator": format!("Kubernetes:{version}"),
            "aks-managed-kubeletIdentityClientID": kubelet_client.unwrap_or(Value::Null),
        },
        "sku": {"name": pool["vmSize"], "tier": "Standard", "capacity": pool["count"]},
        "properties": {
            "provisioningState": "Succeeded",
            "orchestrationMode": "Uniform",
            "singlePlacementGroup": false,
            "uniqueId": unique,
            "upgradePolicy": {"mode": "Manual"},
            "virtualMachineProfile": {
                "osProfile": {"computerNamePrefix": vmss_name, "adminUsername": "azureuser"},
                "networkProfile": {"networkInterfaceConfigurations": [{
                    "name": vmss_name,
                    "properties": {"primary": true, "ipConfigurations": [{
                        "name": "ipconfig1",
                        "properties": {"subnet": {"id": subnet_id}},
                    }]},
                }]},
            },
        },
    });
    if !nodes.identities.is_empty() {
        body["identity"] = json!({
            "type": "UserAssigned",
            "userAssignedIdentities": nodes.identities,
        });
    }
    body
}

/// Plans the scale sets; returns the pools as they are once done.
pub(super) fn scale_sets(plan: &mut Plan<'_>, nodes: &Nodes<'_>, pools: &[Value]) -> Vec<Value> {
    let mut done = Vec::new();
    for pool in pools {
        let name = pool["name"].as_str().unwrap_or_default();
        let vmss_name = format!("aks-{name}-{}-vmss", nodes.n);
        let id = plan.id("Microsoft.Compute", "virtualMachineScaleSets", &vmss_name);
        let unique = plan
            .have
            .get(id.key())
            .and_then(|d| {
                d.body["properties"]["uniqueId"]
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let body = scale_set_body(plan, nodes, pool, unique);
        plan.put(&id, body);
        let mut p = pool.clone();
        p["provisioningState"] = json!("Succeeded");
        done.push(p);
    }
    done
}
