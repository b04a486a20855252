//! What AKS builds for a cluster, as one batch: the node resource group
//! (`managedBy` = the cluster) with the kubelet identity `<cluster>-agentpool`
//! (unless brought), one identity per add-on that has one, one scale set per
//! agent pool carrying those identities, the `kubernetes` load balancer with its
//! outbound public IP, an NSG and (without a brought subnet) a virtual network;
//! and Contributor on the node group for the cluster identity. Run after every
//! change to the cluster document, it adds what is missing, updates scale sets,
//! and removes the scale sets and add-on identities no longer wanted.

mod identities;
mod network;
mod plan;
mod principal;
mod scale_sets;

use std::collections::{BTreeMap, BTreeSet};

use aksemu_arm::Cloud;
use aksemu_arm::collections::RESOURCES;
use aksemu_arm::providers::cascade::Effects;
use aksemu_arm::providers::group_doc::GroupDoc;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, Doc, Write, store_err};
use serde_json::{Value, json};

use crate::{acting, addons};
use plan::Plan;
use scale_sets::Nodes;

const UAMI_TYPE: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";
const VMSS_TYPE: &str = "Microsoft.Compute/virtualMachineScaleSets";

/// Eight digits derived from the cluster id: AKS's names for node-group
/// resources carry such a number (`aks-nodepool1-12345678-vmss`).
pub(crate) fn digits(key: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, key.as_bytes());
    let b = d.as_ref();
    let n = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) % 100_000_000;
    format!("{n:08}")
}

/// The cluster a reconcile is for, and the names it derives.
struct Target {
    doc: Doc,
    /// The cluster's name and resource group.
    name: String,
    rg: String,
    node_group_name: String,
    node_group: ResourceId,
}

impl Target {
    fn new(doc: Doc) -> Result<Self, ArmError> {
        let cluster_id = ResourceId::parse(&doc.id)?;
        let sub = cluster_id
            .subscription_id()
            .ok_or(ArmError::InternalServerError)?;
        let node_group_name = doc.body["properties"]["nodeResourceGroup"]
            .as_str()
            .ok_or(ArmError::InternalServerError)?
            .to_string();
        Ok(Self {
            node_group: ResourceId::resource_group(sub, &node_group_name),
            name: doc.body["name"].as_str().unwrap_or_default().to_string(),
            rg: cluster_id
                .resource_group_name()
                .unwrap_or_default()
                .to_string(),
            node_group_name,
            doc,
        })
    }
}

/// The node resource group's write, if it is missing; an existing group that
/// another cluster (or nobody) manages is an error.
async fn node_group(cloud: &Cloud, t: &Target, location: &str) -> Result<Option<Write>, ArmError> {
    let group = &t.node_group;
    let stored = cloud.store().get(RESOURCES, group.key()).await;
    if let Some(g) = stored.map_err(store_err)? {
        if GroupDoc::parse(&g.body)?.managed_by_is(&t.doc.id) {
            return Ok(None);
        }
        return Err(ArmError::NodeResourceGroupAlreadyExists(format!(
            "The node resource group '{}' already exists and is not managed by this cluster.",
            t.node_group_name
        )));
    }
    let mut doc = GroupDoc::new(group, location);
    doc.managed_by = Some(t.doc.id.clone());
    doc.tags = Some(json!({
        "aks-managed-cluster-name": t.name,
        "aks-managed-cluster-rg": t.rg,
    }));
    Ok(Some(Write::Put {
        coll: RESOURCES,
        key: group.key().to_string(),
        id: group.as_str().to_string(),
        body: doc.to_value(),
        cond: Cond::Absent,
    }))
}

/// A plan over what the node group holds now.
async fn plan_for<'a>(cloud: &'a Cloud, t: &Target) -> Result<Plan<'a>, ArmError> {
    let location = t.doc.body["location"]
        .as_str()
        .unwrap_or("westus2")
        .to_string();
    let writes: Vec<Write> = node_group(cloud, t, &location).await?.into_iter().collect();
    let listed = cloud
        .store()
        .list(RESOURCES, &t.node_group.descendant_prefix())
        .await;
    let have: BTreeMap<String, Doc> = listed
        .map_err(store_err)?
        .into_iter()
        .map(|d| (d.key.clone(), d))
        .collect();
    Ok(Plan {
        cloud,
        group: t.node_group.clone(),
        location,
        have,
        want: BTreeSet::new(),
        writes,
    })
}

/// The batch that brings the node group in line with the cluster `key`.
pub async fn run(cloud: &Cloud, key: &str, as_cluster: bool) -> Result<Effects, ArmError> {
    let Some(doc) = cloud.store().get(RESOURCES, key).await.map_err(store_err)? else {
        return Ok(Effects::default());
    };
    let t = Target::new(doc)?;
    let mut plan = plan_for(cloud, &t).await?;
    let cluster = &t.doc.body;
    let mut updated = cluster.clone();
    let n = digits(key);
    let ids = identities::node_identities(&mut plan, cluster, &t.name, &mut updated);
    let pools: Vec<Value> = cluster["properties"]["agentPoolProfiles"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let (outbound, subnet) = network::network(&mut plan, &n, &pools, &t.node_group_name);
    updated["properties"]["networkProfile"]["loadBalancerProfile"]["effectiveOutboundIPs"] =
        outbound;
    let nodes = Nodes {
        n: &n,
        kubelet: ids.kubelet.as_ref(),
        identities: &ids.on_nodes,
        subnet: subnet.as_deref(),
    };
    updated["properties"]["agentPoolProfiles"] =
        Value::Array(scale_sets::scale_sets(&mut plan, &nodes, &pools));
    // Scale sets of deleted pools, identities of disabled add-ons.
    plan.remove_unwanted(|d| {
        let kind = d.body["type"].as_str().unwrap_or_default();
        let res_name = d.body["name"].as_str().unwrap_or_default();
        (kind == VMSS_TYPE && res_name.starts_with("aks-") && res_name.ends_with("-vmss"))
            || (kind == UAMI_TYPE && addons::is_addon_identity(res_name, &t.name))
    })
    .await?;
    if let Some(p) = principal::cluster_principal(cloud, cluster).await? {
        let grant = principal::contributor(cloud, &t.node_group, &p).await?;
        plan.writes.extend(grant);
    }
    if as_cluster {
        let principal = acting::sign_in(cloud, &t.doc).await?;
        acting::authorize_writes(cloud, &principal, &t.node_group, &plan.writes).await?;
    }
    updated["properties"]["provisioningState"] = json!("Succeeded");
    plan.writes.push(Write::Put {
        coll: RESOURCES,
        key: t.doc.key.clone(),
        id: t.doc.id.clone(),
        body: updated,
        cond: Cond::Etag(t.doc.etag.clone()),
    });
    Ok(Effects {
        writes: plan.writes,
    })
}

/// A failed reconcile leaves the cluster `Failed`, with the document it had
/// before the update (so a scale that failed keeps the old count).
pub async fn failed(
    cloud: &Cloud,
    key: &str,
    previous: Option<&Value>,
) -> Result<Effects, ArmError> {
    let Some(doc) = cloud.store().get(RESOURCES, key).await.map_err(store_err)? else {
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
