//! A cluster's nodes as managed-identity hosts: the scale set of a node pool,
//! whose identities (the kubelet identity) a process "on a node" uses.

use aksemu_arm::Cloud;
use aksemu_arm::collections::RESOURCES;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::store_err;

use aksemu_store::Doc;

fn bad(m: String) -> ArmError {
    ArmError::InvalidRequestContent(m)
}

fn is_cluster(d: &Doc) -> bool {
    d.body["type"]
        .as_str()
        .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.ContainerService/managedClusters"))
}

/// The cluster a resource id or a name (unique in the subscription) names.
async fn find_cluster(cloud: &Cloud, cluster: &str) -> Result<Doc, ArmError> {
    let doc = if cluster.starts_with('/') {
        let id = ResourceId::parse(cluster)?;
        let stored = cloud.store().get(RESOURCES, id.key()).await;
        stored.map_err(store_err)?.filter(is_cluster)
    } else {
        let all = cloud.store().list(RESOURCES, "/subscriptions/").await;
        let named = |d: &Doc| {
            d.body["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(cluster))
        };
        let mut found: Vec<Doc> = all
            .map_err(store_err)?
            .into_iter()
            .filter(|d| is_cluster(d) && named(d))
            .collect();
        if found.len() > 1 {
            return Err(bad(format!(
                "several clusters are named '{cluster}': give the cluster's resource id"
            )));
        }
        found.pop()
    };
    doc.ok_or_else(|| bad(format!("no managed cluster '{cluster}'")))
}

/// The pool asked for, else the first System pool, else the first pool.
fn pool_name(props: &serde_json::Value, pool: Option<&str>) -> String {
    if let Some(p) = pool {
        return p.to_string();
    }
    let pools = props["agentPoolProfiles"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    pools
        .iter()
        .find(|p| p["mode"] == "System")
        .or(pools.first())
        .and_then(|p| p["name"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// A node pool's scale set (the first System pool's when `pool` is not given)
/// and the cluster's kubelet identity clientId. `cluster` is a resource id or
/// a cluster name (unique in the subscription).
pub async fn node_scale_set(
    cloud: &Cloud,
    cluster: &str,
    pool: Option<&str>,
) -> Result<(Doc, Option<String>), ArmError> {
    let doc = find_cluster(cloud, cluster).await?;
    let props = &doc.body["properties"];
    let pool_name = pool_name(props, pool);
    let id = ResourceId::parse(&doc.id)?;
    let sub = id.subscription_id().unwrap_or_default();
    let node_group = props["nodeResourceGroup"].as_str().unwrap_or_default();
    let group = ResourceId::resource_group(sub, node_group);
    let in_group = cloud
        .store()
        .list(RESOURCES, &group.descendant_prefix())
        .await;
    let scale_set = in_group
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
