//! A cluster as its Kubernetes API sees it (`aksemu_core::cluster_plane`):
//! one node per scale-set instance, named as AKS names them
//! (`aks-<pool>-<8 digits>-vmss<6 base-36 digits>`), described from the
//! cluster document a reconcile is about to store.

use aksemu_core::ResourceId;
use aksemu_core::cluster_plane::{PlaneCluster, PlaneNode};
use serde_json::Value;

use crate::reconcile::digits;

/// The nth address of the default node subnet (10.224.0.0/16), from .4 as Azure hands them out.
fn address(n: u64) -> String {
    let a = n + 4;
    format!("10.224.{}.{}", a / 256, a % 256)
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn pool_nodes(p: &Value, ctx: (&str, &str, &str, &str), next_ip: &mut u64) -> Vec<PlaneNode> {
    let (n, sub, nrg, kubelet) = ctx;
    let name = s(&p["name"]);
    let vmss = format!("aks-{name}-{n}-vmss");
    let zones: Vec<String> = p["availabilityZones"]
        .as_array()
        .into_iter()
        .flatten()
        .map(s)
        .collect();
    let count = p["count"].as_u64().unwrap_or(0);
    (0..count)
        .map(|i| {
            *next_ip += 1;
            PlaneNode {
                name: format!("{vmss}{}", aksemu_arm::providers::compute::base36(i)),
                pool: name.clone(),
                mode: s(&p["mode"]),
                vm_size: s(&p["vmSize"]),
                os_type: p["osType"].as_str().unwrap_or("Linux").to_string(),
                os_sku: p["osSKU"].as_str().unwrap_or("Ubuntu").to_string(),
                kubernetes_version: p["currentOrchestratorVersion"].as_str().or(p["orchestratorVersion"].as_str()).unwrap_or_default().to_string(),
                zone: if zones.is_empty() { String::new() } else { zones[(i as usize) % zones.len()].clone() },
                provider_id: format!(
                    "azure:///subscriptions/{sub}/resourceGroups/{}/providers/Microsoft.Compute/virtualMachineScaleSets/{vmss}/virtualMachines/{i}",
                    nrg.to_ascii_lowercase()
                ),
                internal_ip: address(*next_ip - 1),
                max_pods: p["maxPods"].as_u64().and_then(|m| u32::try_from(m).ok()).unwrap_or(250),
                kubelet_client_id: kubelet.to_string(),
                node_image_version: s(&p["nodeImageVersion"]),
            }
        })
        .collect()
}

/// The Kubernetes side's description of the cluster stored under `key` with `body`.
pub fn describe(key: &str, id: &str, body: &Value) -> Option<PlaneCluster> {
    let props = &body["properties"];
    let rid = ResourceId::parse(id).ok()?;
    let sub = rid.subscription_id()?.to_string();
    let nrg = s(&props["nodeResourceGroup"]);
    let kubelet = s(&props["identityProfile"]["kubeletidentity"]["clientId"]);
    let n = digits(key);
    let mut next_ip = 0;
    let nodes = props["agentPoolProfiles"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| pool_nodes(p, (&n, &sub, &nrg, &kubelet), &mut next_ip))
        .collect();
    let net = &props["networkProfile"];
    Some(PlaneCluster {
        uid: props["resourceUID"].as_str()?.to_string(),
        name: s(&body["name"]),
        resource_group: rid.resource_group_name().unwrap_or_default().to_string(),
        node_resource_group: nrg,
        location: s(&body["location"]),
        kubernetes_version: s(&props["currentKubernetesVersion"]),
        service_cidr: net["serviceCidr"]
            .as_str()
            .unwrap_or("10.0.0.0/16")
            .to_string(),
        ca_pem: String::new(),
        addons: props["addonProfiles"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, p)| p["enabled"] == true)
            .map(|(k, _)| k.clone())
            .collect(),
        dns_service_ip: net["dnsServiceIP"]
            .as_str()
            .unwrap_or("10.0.0.10")
            .to_string(),
        nodes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_aks() {
        use aksemu_arm::providers::compute::base36;
        assert_eq!(base36(0), "000000");
        assert_eq!(base36(37), "000011");
        assert_eq!(address(0), "10.224.0.4");
    }
}
