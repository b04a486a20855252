//! What AKS builds for a cluster, as one batch: the node resource group
//! (`managedBy` = the cluster) with the kubelet identity `<cluster>-agentpool`
//! (unless brought), one identity per add-on that has one, one scale set per
//! agent pool carrying those identities, the `kubernetes` load balancer with its
//! outbound public IP, an NSG and (without a brought subnet) a virtual network;
//! and Contributor on the node group for the cluster identity. Run after every
//! change to the cluster document, it adds what is missing, updates scale sets,
//! and removes the scale sets and add-on identities no longer wanted.

use std::collections::{BTreeMap, BTreeSet};

use aksemu_authz::builtin::CONTRIBUTOR;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, Doc, Write};
use serde_json::{Value, json};

use crate::identity::identity_ref;
use crate::{acting, addons};
use aksemu_arm::Cloud;
use aksemu_arm::collections::{ASSIGNMENT_TRIPLES, RESOURCES};
use aksemu_arm::providers::cascade::{Effects, resource_removal};
use aksemu_arm::providers::managed_identities;
use aksemu_arm::providers::role_assignments;
use aksemu_store::store_err;

const UAMI_TYPE: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";
const VMSS_TYPE: &str = "Microsoft.Compute/virtualMachineScaleSets";

/// Eight digits derived from the cluster id: AKS's names for node-group
/// resources carry such a number (`aks-nodepool1-12345678-vmss`).
fn digits(key: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, key.as_bytes());
    let b = d.as_ref();
    let n = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) % 100_000_000;
    format!("{n:08}")
}

struct Plan<'a> {
    cloud: &'a Cloud,
    group: ResourceId,
    location: String,
    have: BTreeMap<String, Doc>,
    want: BTreeSet<String>,
    writes: Vec<Write>,
    reload: BTreeSet<String>,
}

impl Plan<'_> {
    fn id(&self, ns: &str, t: &str, name: &str) -> ResourceId {
        self.group.child(&["providers", ns, t, name])
    }

    /// Writes `body` at `id` unless the stored document already says the same.
    fn put(&mut self, id: &ResourceId, body: Value) {
        self.want.insert(id.key().to_string());
        let (cond, same) = match self.have.get(id.key()) {
            Some(d) => (Cond::Etag(d.etag.clone()), d.body == body),
            None => (Cond::Absent, false),
        };
        if !same {
            self.writes.push(Write::Put {
                coll: RESOURCES,
                key: id.key().to_string(),
                id: id.as_str().to_string(),
                body,
                cond,
            });
        }
    }

    /// A tracked resource of the node group, created once and then left alone.
    fn ensure(&mut self, id: &ResourceId, t: &str, extra: Value) -> Value {
        if let Some(d) = self.have.get(id.key()) {
            self.want.insert(id.key().to_string());
            return d.body.clone();
        }
        let mut body = json!({
            "id": id.as_str(),
            "name": id.segments().last(),
            "type": t,
            "location": self.location,
            "tags": {},
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.put(id, body.clone());
        body
    }

    /// A user-assigned identity of the node group (kubelet or add-on), with its
    /// principal; kept as long as it is wanted.
    fn identity(&mut self, name: &str) -> Value {
        let id = self.id("Microsoft.ManagedIdentity", "userAssignedIdentities", name);
        if let Some(d) = self.have.get(id.key()) {
            self.want.insert(id.key().to_string());
            return d.body.clone();
        }
        let (body, principal) =
            managed_identities::create(self.cloud, &id, &self.location, json!({}), None);
        self.writes.extend(principal);
        self.put(&id, body.clone());
        body
    }
}

/// The principal that acts for the cluster: its system- or user-assigned
/// identity, or its service principal.
async fn cluster_principal(cloud: &Cloud, cluster: &Value) -> Result<Option<String>, ArmError> {
    let identity = &cluster["identity"];
    if let Some(p) = identity["principalId"].as_str() {
        return Ok(Some(p.to_string()));
    }
    if let Some(p) = identity["userAssignedIdentities"]
        .as_object()
        .and_then(|m| m.values().next())
        .and_then(|v| v["principalId"].as_str())
    {
        return Ok(Some(p.to_string()));
    }
    match cluster["properties"]["servicePrincipalProfile"]["clientId"].as_str() {
        Some(app) if !app.eq_ignore_ascii_case("msi") => Ok(cloud
            .service_principal_by_app_id(&cloud.tenant_id, app)
            .await?
            .map(|(_, sp)| sp.id)),
        _ => Ok(None),
    }
}

/// Contributor on the node group for the cluster's principal, unless it holds it.
async fn contributor(
    cloud: &Cloud,
    group: &ResourceId,
    principal: &str,
) -> Result<Vec<Write>, ArmError> {
    let triple = role_assignments::triple_key(group, CONTRIBUTOR, principal);
    if cloud
        .store
        .get(ASSIGNMENT_TRIPLES, &triple)
        .await
        .map_err(store_err)?
        .is_some()
    {
        return Ok(Vec::new());
    }
    Ok(role_assignments::system_assignment(
        cloud,
        group,
        CONTRIBUTOR,
        principal,
    ))
}

/// The batch that brings the node group in line with the cluster `key`.
pub async fn run(cloud: &Cloud, key: &str, as_cluster: bool) -> Result<Effects, ArmError> {
    let Some(doc) = cloud.store.get(RESOURCES, key).await.map_err(store_err)? else {
        return Ok(Effects::default());
    };
    let cluster = &doc.body;
    let cluster_id = ResourceId::parse(&doc.id)?;
    let sub = cluster_id
        .subscription_id()
        .ok_or(ArmError::InternalServerError)?
        .to_string();
    let name = cluster["name"].as_str().unwrap_or_default().to_string();
    let cluster_rg = cluster_id
        .resource_group_name()
        .unwrap_or_default()
        .to_string();
    let props = &cluster["properties"];
    let nrg_name = props["nodeResourceGroup"]
        .as_str()
        .ok_or(ArmError::InternalServerError)?;
    let group = ResourceId::resource_group(&sub, nrg_name);
    let location = cluster["location"]
        .as_str()
        .unwrap_or("westus2")
        .to_string();
    let n = digits(key);

    let mut writes = Vec::new();
    match cloud
        .store
        .get(RESOURCES, group.key())
        .await
        .map_err(store_err)?
    {
        Some(g)
            if !g.body["managedBy"]
                .as_str()
                .is_some_and(|m| m.eq_ignore_ascii_case(&doc.id)) =>
        {
            return Err(ArmError::NodeResourceGroupAlreadyExists(format!(
                "The node resource group '{nrg_name}' already exists and is not managed by this cluster."
            )));
        }
        Some(_) => {}
        None => writes.push(Write::Put {
            coll: RESOURCES,
            key: group.key().to_string(),
            id: group.as_str().to_string(),
            body: json!({
                "id": group.as_str(),
                "name": nrg_name,
                "type": "Microsoft.Resources/resourceGroups",
                "location": location,
                "managedBy": doc.id,
                "tags": {
                    "aks-managed-cluster-name": name,
                    "aks-managed-cluster-rg": cluster_rg,
                },
                "properties": {"provisioningState": "Succeeded"},
            }),
            cond: Cond::Absent,
        }),
    }
    let have: BTreeMap<String, Doc> = cloud
        .store
        .list(RESOURCES, &group.descendant_prefix())
        .await
        .map_err(store_err)?
        .into_iter()
        .map(|d| (d.key.clone(), d))
        .collect();
    let mut plan = Plan {
        cloud,
        group: group.clone(),
        location,
        have,
        want: BTreeSet::new(),
        writes,
        reload: BTreeSet::new(),
    };
    let mut updated = cluster.clone();
    let msi = !cluster["identity"].is_null();

    // Identities the nodes carry.
    let mut node_identities = serde_json::Map::new();
    let brought = &props["identityProfile"]["kubeletidentity"];
    let kubelet = match (brought.is_object(), msi) {
        (true, _) => Some(brought.clone()),
        (false, true) => {
            let uami = plan.identity(&format!("{name}-agentpool"));
            Some(identity_ref(&uami))
        }
        (false, false) => None,
    };
    if let Some(k) = &kubelet {
        updated["properties"]["identityProfile"] = json!({ "kubeletidentity": k });
        node_identities.insert(
            k["resourceId"].as_str().unwrap_or_default().to_string(),
            json!({"principalId": k["objectId"], "clientId": k["clientId"]}),
        );
    }
    if let Some(addons_in) = props["addonProfiles"].as_object() {
        for (key, profile) in addons_in {
            let enabled = profile["enabled"] == true;
            match addons::identity_name(key, &name).filter(|_| enabled && msi) {
                Some(identity_name) => {
                    let uami = plan.identity(&identity_name);
                    let r = identity_ref(&uami);
                    node_identities.insert(
                        r["resourceId"].as_str().unwrap_or_default().to_string(),
                        json!({"principalId": r["objectId"], "clientId": r["clientId"]}),
                    );
                    updated["properties"]["addonProfiles"][key]["identity"] = r;
                }
                None => {
                    if let Some(o) = updated["properties"]["addonProfiles"][key].as_object_mut() {
                        o.remove("identity");
                    }
                }
            }
        }
    }

    // Network.
    let pip_name = plan
        .have
        .values()
        .find(|d| {
            d.body["type"] == "Microsoft.Network/publicIPAddresses"
                && d.body["tags"]["aks-managed-type"] == "aks-slb-managed-outbound-ip"
        })
        .and_then(|d| d.body["name"].as_str().map(str::to_string))
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let pip = plan.id("Microsoft.Network", "publicIPAddresses", &pip_name);
    let octets = n.as_bytes();
    plan.ensure(
        &pip,
        "Microsoft.Network/publicIPAddresses",
        json!({
            "tags": {"aks-managed-type": "aks-slb-managed-outbound-ip"},
            "sku": {"name": "Standard", "tier": "Regional"},
            "properties": {
                "provisioningState": "Succeeded",
                "publicIPAllocationMethod": "Static",
                "publicIPAddressVersion": "IPv4",
                "ipAddress": format!("20.{}.{}.{}", octets[0], 100 + octets[1] as u32, 10 + octets[2] as u32),
                "idleTimeoutInMinutes": 4,
            },
        }),
    );
    let lb = plan.id("Microsoft.Network", "loadBalancers", "kubernetes");
    plan.ensure(
        &lb,
        "Microsoft.Network/loadBalancers",
        json!({
            "sku": {"name": "Standard", "tier": "Regional"},
            "properties": {
                "provisioningState": "Succeeded",
                "frontendIPConfigurations": [{
                    "name": pip_name,
                    "id": format!("{}/frontendIPConfigurations/{pip_name}", lb.as_str()),
                    "properties": {"publicIPAddress": {"id": pip.as_str()}},
                }],
                "backendAddressPools": [
                    {"name": "kubernetes", "id": format!("{}/backendAddressPools/kubernetes", lb.as_str())},
                    {"name": "aksOutboundBackendPool", "id": format!("{}/backendAddressPools/aksOutboundBackendPool", lb.as_str())},
                ],
                "outboundRules": [{"name": "aksOutboundRule", "id": format!("{}/outboundRules/aksOutboundRule", lb.as_str())}],
            },
        }),
    );
    updated["properties"]["networkProfile"]["loadBalancerProfile"]["effectiveOutboundIPs"] =
        json!([{ "id": pip.as_str(), "resourceGroup": nrg_name }]);
    let nsg = plan.id(
        "Microsoft.Network",
        "networkSecurityGroups",
        &format!("aks-agentpool-{n}-nsg"),
    );
    plan.ensure(
        &nsg,
        "Microsoft.Network/networkSecurityGroups",
        json!({"properties": {"provisioningState": "Succeeded", "securityRules": []}}),
    );
    let pools: Vec<Value> = props["agentPoolProfiles"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let needs_vnet = pools.iter().any(|p| p["vnetSubnetID"].as_str().is_none());
    let subnet = if needs_vnet {
        let vnet = plan.id(
            "Microsoft.Network",
            "virtualNetworks",
            &format!("aks-vnet-{n}"),
        );
        let subnet = format!("{}/subnets/aks-subnet", vnet.as_str());
        plan.ensure(
            &vnet,
            "Microsoft.Network/virtualNetworks",
            json!({"properties": {
                "provisioningState": "Succeeded",
                "addressSpace": {"addressPrefixes": ["10.224.0.0/12"]},
                "subnets": [{
                    "name": "aks-subnet",
                    "id": subnet,
                    "type": "Microsoft.Network/virtualNetworks/subnets",
                    "properties": {
                        "provisioningState": "Succeeded",
                        "addressPrefix": "10.224.0.0/16",
                        "networkSecurityGroup": {"id": nsg.as_str()},
                    },
                }],
            }}),
        );
        Some(subnet)
    } else {
        None
    };

    // One scale set per pool.
    let mut pools_out = Vec::new();
    for p in &pools {
        let pool = p["name"].as_str().unwrap_or_default();
        let vmss_name = format!("aks-{pool}-{n}-vmss");
        let id = plan.id("Microsoft.Compute", "virtualMachineScaleSets", &vmss_name);
        let prior = plan.have.get(id.key()).map(|d| d.body.clone());
        let unique = prior
            .as_ref()
            .and_then(|b| b["properties"]["uniqueId"].as_str().map(str::to_string))
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let subnet_id = p["vnetSubnetID"]
            .as_str()
            .map(str::to_string)
            .or_else(|| subnet.clone());
        let mut body = json!({
            "id": id.as_str(),
            "name": vmss_name,
            "type": VMSS_TYPE,
            "location": plan.location,
            "tags": {
                "aks-managed-poolName": pool,
                "aks-managed-orchestrator": format!("Kubernetes:{}", p["currentOrchestratorVersion"].as_str().unwrap_or_default()),
                "aks-managed-kubeletIdentityClientID": kubelet.as_ref().map(|k| k["clientId"].clone()).unwrap_or(Value::Null),
            },
            "sku": {"name": p["vmSize"], "tier": "Standard", "capacity": p["count"]},
            "properties": {
                "provisioningState": "Succeeded",
                "orchestrationMode": "Uniform",
                "singlePlacementGroup": false,
                "uniqueId": unique,
                "upgradePolicy": {"mode": "Manual"},
                "virtualMachineProfile": {
                    "osProfile": {"computerNamePrefix": format!("aks-{pool}-{n}-vmss"), "adminUsername": "azureuser"},
                    "networkProfile": {"networkInterfaceConfigurations": [{
                        "name": format!("aks-{pool}-{n}-vmss"),
                        "properties": {"primary": true, "ipConfigurations": [{
                            "name": "ipconfig1",
                            "properties": {"subnet": {"id": subnet_id}},
                        }]},
                    }]},
                },
            },
        });
        if !node_identities.is_empty() {
            body["identity"] = json!({
                "type": "UserAssigned",
                "userAssignedIdentities": node_identities,
            });
        }
        plan.put(&id, body);
        let mut done = p.clone();
        done["provisioningState"] = json!("Succeeded");
        pools_out.push(done);
    }
    updated["properties"]["agentPoolProfiles"] = Value::Array(pools_out);

    // What is no longer wanted: scale sets of deleted pools, identities of
    // disabled add-ons (with their principals and hosts).
    let stale: Vec<Doc> = plan
        .have
        .values()
        .filter(|d| !plan.want.contains(&d.key))
        .filter(|d| {
            let t = d.body["type"].as_str().unwrap_or_default();
            let n = d.body["name"].as_str().unwrap_or_default();
            (t == VMSS_TYPE && n.starts_with("aks-") && n.ends_with("-vmss"))
                || (t == UAMI_TYPE && addons::is_addon_identity(n, &name))
        })
        .cloned()
        .collect();
    for d in &stale {
        let r = resource_removal(cloud, d).await?;
        plan.writes.push(Write::Delete {
            coll: RESOURCES,
            key: d.key.clone(),
            cond: Cond::Etag(d.etag.clone()),
        });
        plan.writes.extend(r.writes);
        plan.reload.extend(r.reload);
    }

    if let Some(principal) = cluster_principal(cloud, cluster).await? {
        plan.writes
            .extend(contributor(cloud, &group, &principal).await?);
        plan.reload.insert(principal);
    }

    if as_cluster {
        let principal = acting::sign_in(cloud, &doc).await?;
        acting::authorize_writes(cloud, &principal, &group, &plan.writes).await?;
    }

    updated["properties"]["provisioningState"] = json!("Succeeded");
    plan.writes.push(Write::Put {
        coll: RESOURCES,
        key: doc.key.clone(),
        id: doc.id.clone(),
        body: updated,
        cond: Cond::Etag(doc.etag.clone()),
    });
    Ok(Effects {
        writes: plan.writes,
        reload: plan.reload,
    })
}

/// A failed reconcile leaves the cluster `Failed`, with the document it had
/// before the update (so a scale that failed keeps the old count).
pub async fn failed(
    cloud: &Cloud,
    key: &str,
    previous: Option<&Value>,
) -> Result<Effects, ArmError> {
    let Some(doc) = cloud.store.get(RESOURCES, key).await.map_err(store_err)? else {
        return Ok(Effects::default());
    };
    let mut body = previous.cloned().unwrap_or_else(|| doc.body.clone());
    body["properties"]["provisioningState"] = json!("Failed");
    Ok(Effects {
        writes: vec![Write::Put {
            coll: RESOURCES,
            key: doc.key.clone(),
            id: doc.id.clone(),
            body,
            cond: Cond::Etag(doc.etag.clone()),
        }],
        reload: BTreeSet::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_stable() {
        assert_eq!(digits("/a"), digits("/a"));
        assert_eq!(digits("/a").len(), 8);
    }
}
