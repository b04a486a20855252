//! The node security group's rules for a public Service's ports (one rule per
//! port, `a<uid32>-TCP-80-Internet`, allowing the Internet to the Service's
//! address), written and removed with the load balancer as the cluster
//! identity.

use serde_json::{Value, json};

use super::lb_body::Port;
use super::sync_error::SyncError;
use crate::cloud::arm::{Arm, NETWORK_API};

/// The node group's security group (AKS makes one, `aks-agentpool-<n>-nsg`).
async fn node_nsg(arm: &Arm) -> Result<Option<Value>, SyncError> {
    let rg = arm.at.node_resource_group.clone();
    let all = arm
        .list(
            &arm.id(&rg, "Microsoft.Network/networkSecurityGroups"),
            NETWORK_API,
        )
        .await?;
    Ok(all.into_iter().next())
}

fn rules(nsg: &Value) -> Vec<Value> {
    nsg["properties"]["securityRules"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn mine(rule: &Value, base: &str) -> bool {
    rule["name"]
        .as_str()
        .is_some_and(|n| n.starts_with(&format!("{base}-")))
}

/// The writable part of the group with `rules`.
fn with_rules(nsg: &Value, rules: Vec<Value>) -> Value {
    let mut props = nsg["properties"].clone();
    if let Some(p) = props.as_object_mut() {
        p.remove("provisioningState");
        p.remove("resourceGuid");
    }
    props["securityRules"] = Value::Array(rules);
    json!({"location": nsg["location"], "tags": nsg["tags"], "properties": props})
}

async fn write(arm: &Arm, nsg: &Value, rules: Vec<Value>) -> Result<(), SyncError> {
    let id = nsg["id"].as_str().unwrap_or_default();
    arm.put(id, NETWORK_API, &with_rules(nsg, rules)).await?;
    Ok(())
}

/// Allows the Internet to `address` on each port.
pub async fn allow(arm: &Arm, base: &str, address: &str, ports: &[Port]) -> Result<(), SyncError> {
    let Some(nsg) = node_nsg(arm).await? else {
        return Ok(());
    };
    let mut kept: Vec<Value> = rules(&nsg).into_iter().filter(|r| !mine(r, base)).collect();
    let before = rules(&nsg);
    for p in ports {
        let used: Vec<i64> = kept
            .iter()
            .filter_map(|r| r["properties"]["priority"].as_i64())
            .collect();
        let priority = (500..4096).find(|n| !used.contains(n)).unwrap_or(4096);
        let name = format!("{base}-{}-{}-Internet", p.protocol, p.port);
        let id = format!(
            "{}/securityRules/{name}",
            nsg["id"].as_str().unwrap_or_default()
        );
        kept.push(json!({"name": name, "id": id, "properties": {
            "protocol": if p.protocol == "UDP" { "Udp" } else { "Tcp" },
            "sourcePortRange": "*", "destinationPortRange": p.port.to_string(),
            "sourceAddressPrefix": "Internet", "destinationAddressPrefix": address,
            "access": "Allow", "priority": priority, "direction": "Inbound",
        }}));
    }
    if same_rules(&before, &kept) {
        return Ok(());
    }
    write(arm, &nsg, kept).await
}

/// Whether two rule lists say the same (names and properties; priorities aside
/// when a rule kept its place).
fn same_rules(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len()
        && a.iter().all(|r| {
            b.iter().any(|s| {
                s["name"] == r["name"]
                    && s["properties"]["destinationAddressPrefix"]
                        == r["properties"]["destinationAddressPrefix"]
            })
        })
}

/// Removes the Service's rules.
pub async fn revoke(arm: &Arm, base: &str) -> Result<(), SyncError> {
    let Some(nsg) = node_nsg(arm).await? else {
        return Ok(());
    };
    let all = rules(&nsg);
    if !all.iter().any(|r| mine(r, base)) {
        return Ok(());
    }
    write(
        arm,
        &nsg,
        all.into_iter().filter(|r| !mine(r, base)).collect(),
    )
    .await
}
