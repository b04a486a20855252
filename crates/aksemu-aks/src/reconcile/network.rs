//! The node group's network as AKS lays it out: the outbound public IP, the
//! `kubernetes` load balancer, an NSG and, unless every pool brings a subnet,
//! a virtual network with `aks-subnet`.

use serde_json::{Value, json};

use super::plan::Plan;

const PIP_TYPE: &str = "Microsoft.Network/publicIPAddresses";

/// The outbound public IP: the one already there, else a new one.
fn outbound_ip(plan: &mut Plan<'_>, n: &str) -> (String, aksemu_core::ResourceId) {
    let name = plan
        .have
        .values()
        .find(|d| {
            d.body["type"] == PIP_TYPE
                && d.body["tags"]["aks-managed-type"] == "aks-slb-managed-outbound-ip"
        })
        .and_then(|d| d.body["name"].as_str().map(str::to_string))
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let pip = plan.id("Microsoft.Network", "publicIPAddresses", &name);
    let octets = n.as_bytes();
    plan.ensure(
        &pip,
        PIP_TYPE,
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
    (name, pip)
}

fn load_balancer(plan: &mut Plan<'_>, pip_name: &str, pip: &aksemu_core::ResourceId) {
    let lb = plan.id("Microsoft.Network", "loadBalancers", "kubernetes");
    let sub = |kind: &str, name: &str| format!("{}/{kind}/{name}", lb.as_str());
    plan.ensure(
        &lb,
        "Microsoft.Network/loadBalancers",
        json!({
            "sku": {"name": "Standard", "tier": "Regional"},
            "properties": {
                "provisioningState": "Succeeded",
                "frontendIPConfigurations": [{
                    "name": pip_name,
                    "id": sub("frontendIPConfigurations", pip_name),
                    "properties": {"publicIPAddress": {"id": pip.as_str()}},
                }],
                "backendAddressPools": [
                    {"name": "kubernetes", "id": sub("backendAddressPools", "kubernetes")},
                    {"name": "aksOutboundBackendPool", "id": sub("backendAddressPools", "aksOutboundBackendPool")},
                ],
                "outboundRules": [{"name": "aksOutboundRule", "id": sub("outboundRules", "aksOutboundRule")}],
            },
        }),
    );
}

/// The virtual network and its subnet id.
fn virtual_network(plan: &mut Plan<'_>, n: &str, nsg: &aksemu_core::ResourceId) -> String {
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
    subnet
}

/// Plans the network; returns the cluster's `effectiveOutboundIPs` and the
/// subnet pools without their own use.
pub(super) fn network(
    plan: &mut Plan<'_>,
    n: &str,
    pools: &[Value],
    node_group_name: &str,
) -> (Value, Option<String>) {
    let (pip_name, pip) = outbound_ip(plan, n);
    load_balancer(plan, &pip_name, &pip);
    let outbound = json!([{ "id": pip.as_str(), "resourceGroup": node_group_name }]);
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
    let needs_vnet = pools.iter().any(|p| p["vnetSubnetID"].as_str().is_none());
    let subnet = needs_vnet.then(|| virtual_network(plan, n, &nsg));
    (outbound, subnet)
}
