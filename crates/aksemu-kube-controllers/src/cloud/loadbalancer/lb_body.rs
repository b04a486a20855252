//! The cluster load balancer's document with one Service's frontend, rules
//! and probes put in or taken out, named as cloud-provider-azure names them
//! (`a<uid32>`, `a<uid32>-TCP-80`).

use serde_json::{Value, json};

use super::names::CLUSTER_LB;

/// The parts of a load balancer that belong to Services, by their list name.
const PARTS: [&str; 3] = ["frontendIPConfigurations", "loadBalancingRules", "probes"];

fn belongs(entry: &Value, base: &str) -> bool {
    entry["name"]
        .as_str()
        .is_some_and(|n| n == base || n.starts_with(&format!("{base}-")))
}

/// The writable part of a stored load balancer, or a new one.
fn writable(existing: Option<&Value>, location: &str) -> Value {
    let mut lb = json!({
        "location": location,
        "sku": {"name": "Standard", "tier": "Regional"},
        "tags": {},
        "properties": {},
    });
    if let Some(e) = existing {
        for k in ["location", "sku", "tags", "properties"] {
            if !e[k].is_null() {
                lb[k] = e[k].clone();
            }
        }
    }
    if let Some(p) = lb["properties"].as_object_mut() {
        p.remove("provisioningState");
        p.remove("resourceGuid");
    }
    lb
}

fn without(lb: &mut Value, base: &str) {
    for part in PARTS {
        if let Some(list) = lb["properties"][part].as_array_mut() {
            list.retain(|e| !belongs(e, base));
        }
    }
}

/// One port of a Service: protocol (`TCP`/`UDP`), port, node port.
pub struct Port {
    pub protocol: String,
    pub port: i64,
    pub node_port: i64,
}

pub fn ports(svc: &Value) -> Vec<Port> {
    svc["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| Port {
            protocol: p["protocol"].as_str().unwrap_or("TCP").to_ascii_uppercase(),
            port: p["port"].as_i64().unwrap_or_default(),
            node_port: p["nodePort"].as_i64().unwrap_or_default(),
        })
        .collect()
}

/// `existing` (or a new load balancer) with the Service `base`'s frontend
/// (`frontend`: its properties) and one rule and probe per port.
pub fn with_service(
    existing: Option<&Value>,
    location: &str,
    lb_id: &str,
    base: &str,
    frontend: Value,
    ports: &[Port],
) -> Value {
    let mut lb = writable(existing, location);
    without(&mut lb, base);
    let sub = |kind: &str, name: &str| format!("{lb_id}/{kind}/{name}");
    let props = &mut lb["properties"];
    for part in PARTS.iter().chain(["backendAddressPools"].iter()) {
        if !props[*part].is_array() {
            props[*part] = json!([]);
        }
    }
    let pools = &mut props["backendAddressPools"];
    if !pools
        .as_array()
        .is_some_and(|l| l.iter().any(|p| p["name"] == CLUSTER_LB))
    {
        push(
            pools,
            json!({"name": CLUSTER_LB, "id": sub("backendAddressPools", CLUSTER_LB)}),
        );
    }
    let fe_id = sub("frontendIPConfigurations", base);
    push(
        &mut props["frontendIPConfigurations"],
        json!({"name": base, "id": fe_id, "properties": frontend}),
    );
    for p in ports {
        let rule = format!("{base}-{}-{}", p.protocol, p.port);
        push(
            &mut props["probes"],
            json!({"name": rule, "id": sub("probes", &rule), "properties": {
                "protocol": "Tcp", "port": p.node_port, "intervalInSeconds": 5, "numberOfProbes": 2, "probeThreshold": 1,
            }}),
        );
        push(
            &mut props["loadBalancingRules"],
            json!({"name": rule, "id": sub("loadBalancingRules", &rule), "properties": {
                "frontendIPConfiguration": {"id": fe_id},
                "backendAddressPool": {"id": sub("backendAddressPools", CLUSTER_LB)},
                "probe": {"id": sub("probes", &rule)},
                "protocol": if p.protocol == "UDP" { "Udp" } else { "Tcp" },
                "frontendPort": p.port, "backendPort": p.port,
                "enableFloatingIP": true, "idleTimeoutInMinutes": 4, "enableTcpReset": p.protocol != "UDP",
                "disableOutboundSnat": true, "loadDistribution": "Default",
            }}),
        );
    }
    lb
}

fn push(list: &mut Value, item: Value) {
    if let Some(l) = list.as_array_mut() {
        l.push(item);
    }
}

/// `existing` without Service `base`'s parts; `None` when the load balancer
/// is left with no frontend (it is deleted then).
pub fn without_service(existing: &Value, location: &str, base: &str) -> Option<Value> {
    let mut lb = writable(Some(existing), location);
    without(&mut lb, base);
    let left = lb["properties"]["frontendIPConfigurations"]
        .as_array()
        .is_some_and(|l| !l.is_empty());
    left.then_some(lb)
}

/// Whether writing `want` would change the stored load balancer.
pub fn same(existing: &Value, want: &Value) -> bool {
    writable(Some(existing), "") == *want
}

/// Whether `existing` already has Service `base`'s frontend.
pub fn has_service(existing: &Value, base: &str) -> bool {
    existing["properties"]["frontendIPConfigurations"]
        .as_array()
        .is_some_and(|l| l.iter().any(|f| f["name"] == base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_goes_in_and_out() {
        let ports = [Port {
            protocol: "TCP".into(),
            port: 80,
            node_port: 30080,
        }];
        let lb = with_service(
            None,
            "westus2",
            "/lb",
            "abc",
            json!({"publicIPAddress": {"id": "/ip"}}),
            &ports,
        );
        assert_eq!(
            lb["properties"]["loadBalancingRules"][0]["name"],
            "abc-TCP-80"
        );
        assert_eq!(lb["properties"]["probes"][0]["properties"]["port"], 30080);
        assert!(has_service(&lb, "abc"));
        let again = with_service(Some(&lb), "westus2", "/lb", "abc", json!({}), &ports);
        assert_eq!(
            again["properties"]["frontendIPConfigurations"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert!(without_service(&lb, "westus2", "abc").is_none());
    }
}
