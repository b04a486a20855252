//! A Service's frontend address, chosen as cloud-provider-azure chooses it
//! (`determinePublicIPName`, `findMatchedPIP`): the public IP the
//! `azure-pip-name` annotation names, or the one holding the requested
//! address, or `kubernetes-a<uid32>` (made when missing). Every look-up is a
//! list of the public IPs of the IP's resource group, as the provider's cache
//! does, so the first right it needs there is `publicIPAddresses/read`.

use serde_json::{Value, json};

use super::names::{CLUSTER_LB, PIP_NAME, RESOURCE_GROUP, annotation, requested_ip, service_key};
use super::sync_error::SyncError;
use crate::cloud::arm::{Arm, NETWORK_API};

/// The resource group the Service's public IP is in.
pub fn pip_group<'a>(svc: &'a Value, arm: &'a Arm) -> &'a str {
    annotation(svc, RESOURCE_GROUP).unwrap_or(&arm.at.node_resource_group)
}

/// The name of the public IP aksemu makes for a Service.
pub fn managed_pip_name(base: &str) -> String {
    format!("{CLUSTER_LB}-{base}")
}

/// The public IP the Service uses: its document.
pub async fn public_ip(arm: &Arm, svc: &Value, base: &str) -> Result<Value, SyncError> {
    let rg = pip_group(svc, arm);
    let list_path = arm.id(rg, "Microsoft.Network/publicIPAddresses");
    let requested = requested_ip(svc);
    let pips = arm
        .list(&list_path, NETWORK_API)
        .await
        .map_err(|e| match requested {
            Some(_) => SyncError::prefixed("findMatchedPIP: failed to listPIP: ", e),
            None => SyncError::from(e),
        })?;
    let by_name = |n: &str| {
        pips.iter()
            .find(|p| {
                p["name"]
                    .as_str()
                    .is_some_and(|x| x.eq_ignore_ascii_case(n))
            })
            .cloned()
    };
    if let Some(name) = annotation(svc, PIP_NAME) {
        return by_name(name).ok_or_else(|| {
            SyncError::Text(format!(
                "PublicIP from annotation azure-pip-name={name} for service {} doesn't exist",
                service_key(svc)
            ))
        });
    }
    if let Some(ip) = requested {
        check_requested(svc, ip)?;
        return pips
            .iter()
            .find(|p| p["properties"]["ipAddress"] == ip)
            .cloned()
            .ok_or_else(|| {
                SyncError::Text(format!(
                    "user supplied IP Address {ip} was not found in resource group {rg}"
                ))
            });
    }
    let name = managed_pip_name(base);
    if let Some(found) = by_name(&name) {
        return Ok(found);
    }
    let body = json!({
        "location": arm.at.location,
        "sku": {"name": "Standard", "tier": "Regional"},
        "tags": {"k8s-azure-service": service_key(svc), "k8s-azure-cluster-name": CLUSTER_LB},
        "properties": {"publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4"},
    });
    Ok(arm
        .put(&format!("{list_path}/{name}"), NETWORK_API, &body)
        .await?)
}

/// The provider's checks of a requested address.
fn check_requested(svc: &Value, ip: &str) -> Result<(), SyncError> {
    let key = service_key(svc);
    let addr: std::net::IpAddr = ip.parse().map_err(|_| {
        SyncError::Text(format!(
            "external Service \"{key}\" has invalid LoadBalancer IP \"{ip}\""
        ))
    })?;
    let private = match addr {
        std::net::IpAddr::V4(a) => a.is_private() || a.is_loopback() || a.is_link_local(),
        std::net::IpAddr::V6(a) => a.is_loopback() || (a.segments()[0] & 0xfe00) == 0xfc00,
    };
    if private {
        return Err(SyncError::Text(format!(
            "external Service \"{key}\" cannot use non-public LoadBalancer IP \"{ip}\"; use an internal LoadBalancer annotation or a valid Azure Public IP address"
        )));
    }
    Ok(())
}

/// Whether the public IP is the one aksemu made for this Service (so it goes
/// with the Service; a user's static IP is only let go).
pub fn made_for(pip: &Value, svc: &Value, base: &str) -> bool {
    pip["name"].as_str() == Some(managed_pip_name(base).as_str())
        && pip["tags"]["k8s-azure-service"] == service_key(svc).as_str()
}
