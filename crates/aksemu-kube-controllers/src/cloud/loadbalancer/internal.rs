//! An internal Service's frontend (`azure-load-balancer-internal: "true"`): a
//! private address in the nodes' subnet (or the one the
//! `azure-load-balancer-internal-subnet` annotation names in the same virtual
//! network) on the `kubernetes-internal` load balancer. A subnet the user
//! brought is read as the cluster identity, which needs rights on it.

use serde_json::{Value, json};

use super::names::{annotation, requested_ip};
use super::sync_error::SyncError;
use crate::cloud::arm::{Arm, NETWORK_API};

const SUBNET_ANNOTATION: &str = "service.beta.kubernetes.io/azure-load-balancer-internal-subnet";

/// The nodes' subnet id: the one the pools were given, else the one AKS made.
async fn node_subnet(arm: &Arm) -> Result<String, SyncError> {
    if let Some(id) = &arm.at.node_subnet_id {
        return Ok(id.clone());
    }
    let vnets = arm
        .list(
            &arm.id(
                &arm.at.node_resource_group,
                "Microsoft.Network/virtualNetworks",
            ),
            NETWORK_API,
        )
        .await?;
    vnets
        .iter()
        .find_map(|v| {
            v["properties"]["subnets"][0]["id"]
                .as_str()
                .map(str::to_string)
        })
        .ok_or_else(|| SyncError::Text("no subnet found for the cluster's nodes".into()))
}

/// A private address for the Service from its subnet's prefix (the upper half
/// of a /16, clear of the nodes' addresses at the bottom).
fn private_address(svc: &Value, subnet: &Value) -> String {
    let prefix = subnet["properties"]["addressPrefix"]
        .as_str()
        .unwrap_or("10.224.0.0/16");
    let base: Vec<u8> = prefix
        .split('/')
        .next()
        .unwrap_or_default()
        .split('.')
        .filter_map(|o| o.parse().ok())
        .collect();
    let uid = svc["metadata"]["uid"].as_str().unwrap_or_default();
    let h = uid
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let (a, b) = (
        base.first().copied().unwrap_or(10),
        base.get(1).copied().unwrap_or(224),
    );
    format!("{a}.{b}.{}.{}", 128 + (h >> 8) % 128, 4 + (h % 250))
}

pub async fn frontend(arm: &Arm, svc: &Value) -> Result<(Value, String), SyncError> {
    let mut subnet_id = node_subnet(arm).await?;
    if let Some(name) = annotation(svc, SUBNET_ANNOTATION)
        && let Some(at) = subnet_id.rfind("/subnets/")
    {
        subnet_id = format!("{}/subnets/{name}", &subnet_id[..at]);
    }
    let subnet = arm
        .get(&subnet_id, NETWORK_API)
        .await?
        .ok_or_else(|| SyncError::Text(format!("subnet {subnet_id} not found")))?;
    let (method, address) = match requested_ip(svc) {
        Some(ip) => ("Static", ip.to_string()),
        None => ("Dynamic", private_address(svc, &subnet)),
    };
    let props = json!({
        "privateIPAllocationMethod": method,
        "privateIPAddress": address,
        "subnet": {"id": subnet_id},
    });
    Ok((props, address))
}
