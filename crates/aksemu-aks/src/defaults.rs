//! What AKS fills in where a cluster request leaves a field empty: the node
//! resource group's name, the DNS prefix, network and add-on profiles.

use aksemu_core::ArmError;
use serde_json::{Map, Value, json};

const NODE_GROUP_MAX: usize = 80;

pub fn invalid(target: &str, message: impl Into<String>) -> ArmError {
    ArmError::InvalidParameter {
        target: target.to_string(),
        message: message.into(),
    }
}

pub fn text<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// `MC_<rg>_<name>_<location>`, or the name the client chose (create only).
pub fn node_group_name(props: &Value, rg: &str, name: &str, loc: &str) -> Result<String, ArmError> {
    let n = match text(props, "nodeResourceGroup") {
        Some(n) => n.to_string(),
        None => format!("MC_{rg}_{name}_{loc}"),
    };
    if n.len() > NODE_GROUP_MAX {
        return Err(invalid(
            "name",
            format!(
                "The length of the node resource group name is too long. The maximum length is {NODE_GROUP_MAX} and the length of the value provided is {}. Please see https://aka.ms/aks-naming-rules for more details.",
                n.len()
            ),
        ));
    }
    Ok(n)
}

/// `<name, 10>-<rg, 16>-<subscription, 6>`, as az computes it.
pub fn default_dns_prefix(name: &str, rg: &str, sub: &str) -> String {
    let clean = |s: &str, n: usize| {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(n)
            .collect::<String>()
    };
    let mut n = clean(name, 10);
    if !n.starts_with(|c: char| c.is_ascii_alphabetic()) {
        n = format!("a{n}");
    }
    format!("{n}-{}-{}", clean(rg, 16), clean(sub, 6))
}

pub fn hex8() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

/// Network defaults: Azure CNI overlay behind a standard load balancer.
pub fn network_profile(requested: Option<&Value>, existing: Option<&Value>) -> Value {
    if let Some(e) = existing {
        return e.clone();
    }
    let mut n = requested.cloned().unwrap_or_else(|| json!({}));
    if !n.is_object() {
        n = json!({});
    }
    let defaults = json!({
        "networkPlugin": "azure",
        "networkPluginMode": "overlay",
        "networkDataplane": "azure",
        "loadBalancerSku": "standard",
        "outboundType": "loadBalancer",
        "podCidr": "10.244.0.0/16",
        "serviceCidr": "10.0.0.0/16",
        "dnsServiceIP": "10.0.0.10",
        "ipFamilies": ["IPv4"],
        "podCidrs": ["10.244.0.0/16"],
        "serviceCidrs": ["10.0.0.0/16"],
        "loadBalancerProfile": {
            "managedOutboundIPs": {"count": 1},
            "backendPoolType": "nodeIPConfiguration",
        },
    });
    fill(&mut n, &defaults);
    n
}

/// Sets every key of `defaults` that `v` lacks or leaves empty.
pub fn fill(v: &mut Value, defaults: &Value) {
    let (Some(o), Some(d)) = (v.as_object_mut(), defaults.as_object()) else {
        return;
    };
    for (k, dv) in d {
        let missing = match o.get(k) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.is_empty(),
            _ => false,
        };
        if missing {
            o.insert(k.clone(), dv.clone());
        }
    }
}

/// Add-on profiles as sent (keys kept), `enabled` a boolean, identities kept
/// from the stored cluster (the reconcile fills new ones).
pub fn addon_profiles(
    requested: Option<&Value>,
    existing: Option<&Value>,
) -> Result<Value, ArmError> {
    let mut out = Map::new();
    let Some(req) = requested.filter(|v| !v.is_null()) else {
        return Ok(existing.cloned().unwrap_or_else(|| json!({})));
    };
    let req = req
        .as_object()
        .ok_or_else(|| invalid("addonProfiles", "addonProfiles must be an object."))?;
    for (k, v) in req {
        let enabled = v.get("enabled").and_then(Value::as_bool).ok_or_else(|| {
            invalid(
                &format!("addonProfiles.{k}.enabled"),
                format!("The 'enabled' property of add-on '{k}' is required."),
            )
        })?;
        let mut p = json!({ "enabled": enabled, "config": v.get("config").cloned().unwrap_or(Value::Null) });
        if let Some(prev) = existing
            .and_then(|e| e.get(k))
            .and_then(|p| p.get("identity"))
            && enabled
        {
            p["identity"] = prev.clone();
        }
        out.insert(k.clone(), p);
    }
    Ok(Value::Object(out))
}
