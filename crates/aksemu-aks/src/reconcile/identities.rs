//! The identities the nodes carry: the kubelet's (brought, or AKS's
//! `<cluster>-agentpool`) and one per enabled add-on that has one.

use serde_json::{Map, Value, json};

use super::plan::Plan;
use crate::addons;
use crate::identity::identity_ref;

/// The kubelet identity's reference, and the scale sets' `userAssignedIdentities`.
pub(super) struct NodeIdentities {
    pub kubelet: Option<Value>,
    pub on_nodes: Map<String, Value>,
}

fn add(on_nodes: &mut Map<String, Value>, r: &Value) {
    on_nodes.insert(
        r["resourceId"].as_str().unwrap_or_default().to_string(),
        json!({"principalId": r["objectId"], "clientId": r["clientId"]}),
    );
}

/// Plans the node identities and records them in `updated` (the cluster
/// document being written back).
pub(super) fn node_identities(
    plan: &mut Plan<'_>,
    cluster: &Value,
    name: &str,
    updated: &mut Value,
) -> NodeIdentities {
    let props = &cluster["properties"];
    let msi = !cluster["identity"].is_null();
    let mut on_nodes = Map::new();
    let brought = &props["identityProfile"]["kubeletidentity"];
    let kubelet = match (brought.is_object(), msi) {
        (true, _) => Some(brought.clone()),
        (false, true) => Some(identity_ref(&plan.identity(&format!("{name}-agentpool")))),
        (false, false) => None,
    };
    if let Some(k) = &kubelet {
        updated["properties"]["identityProfile"] = json!({ "kubeletidentity": k });
        add(&mut on_nodes, k);
    }
    for (key, profile) in props["addonProfiles"].as_object().into_iter().flatten() {
        let enabled = profile["enabled"] == true;
        let addon = &mut updated["properties"]["addonProfiles"][key];
        match addons::identity_name(key, name).filter(|_| enabled && msi) {
            Some(identity_name) => {
                let r = identity_ref(&plan.identity(&identity_name));
                add(&mut on_nodes, &r);
                addon["identity"] = r;
            }
            None => {
                if let Some(o) = addon.as_object_mut() {
                    o.remove("identity");
                }
            }
        }
    }
    NodeIdentities { kubelet, on_nodes }
}
