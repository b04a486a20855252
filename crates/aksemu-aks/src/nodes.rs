//! A cluster's nodes as managed-identity hosts: the scale set of a node pool,
//! whose identities (the kubelet identity) a process "on a node" uses.

use aksemu_arm::Cloud;
use aksemu_arm::collections::RESOURCES;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::store_err;

/// A node pool's scale set (the first System pool's when `pool` is not given)
/// and the cluster's kubelet identity clientId. `cluster` is a resource id or
/// a cluster name (unique in the subscription).
pub async fn node_scale_set(
    cloud: &Cloud,
    cluster: &str,
    pool: Option<&str>,
) -> Result<(aksemu_store::Doc, Option<String>), ArmError> {
    let bad = |m: String| ArmError::InvalidRequestContent(m);
    let is_cluster = |d: &aksemu_store::Doc| {
        d.body["type"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.ContainerService/managedClusters"))
    };
    let doc = if cluster.starts_with('/') {
        let id = ResourceId::parse(cluster)?;
        cloud
            .store
            .get(RESOURCES, id.key())
            .await
            .map_err(store_err)?
            .filter(is_cluster)
    } else {
        let mut found: Vec<aksemu_store::Doc> = cloud
            .store
            .list(RESOURCES, "/subscriptions/")
            .await
            .map_err(store_err)?
            .into_iter()
            .filter(|d| {
                is_cluster(d)
                    && d.body["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(cluster))
            })
            .collect();
        if found.len() > 1 {
            return Err(bad(format!(
                "several clusters are named '{cluster}': give the cluster's resource id"
            )));
        }
        found.pop()
    }
    .ok_or_else(|| bad(format!("no managed cluster '{cluster}'")))?;
    let props = &doc.body["properties"];
    let pools = props["agentPoolProfiles"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let pool_name = match pool {
        Some(p) => p.to_string(),
        None => pools
            .iter()
            .find(|p| p["mode"] == "System")
            .or(pools.first())
            .and_then(|p| p["name"].as_str())
            .unwrap_or_default()
            .to_string(),
    };
    let sub = ResourceId::parse(&doc.id)?
        .subscription_id()
        .unwrap_or_default()
        .to_string();
    let group = ResourceId::resource_group(
        &sub,
        props["nodeResourceGroup"].as_str().unwrap_or_default(),
    );
    let scale_set = cloud
        .store
        .list(RESOURCES, &group.descendant_prefix())
        .await
        .map_err(store_err)?
        .into_iter()
        .find(|d| {
            d.body["type"] == "Microsoft.Compute/virtualMachineScaleSets"
                && d.body["tags"]["aks-managed-poolName"]
                    .as_str()
                    .is_some_and(|p| p.eq_ignore_ascii_case(&pool_name))
        })
        .filter(|d| d.body["identity"].is_object())
        .ok_or_else(|| {
            bad(format!(
                "no node pool '{pool_name}' with identities in cluster '{cluster}' (a service-principal cluster's nodes have no managed identity)"
            ))
        })?;
    let kubelet = props["identityProfile"]["kubeletidentity"]["clientId"]
        .as_str()
        .map(str::to_string);
    Ok((scale_set, kubelet))
}
