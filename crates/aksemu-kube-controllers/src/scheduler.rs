//! The scheduler: a pod without a node is bound (through `pods/binding`, as
//! kube-scheduler does) to the Ready, schedulable node that matches its
//! `nodeSelector`, whose taints it tolerates, and that holds the fewest pods.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::client::{CallError, Client};
use crate::meta::name;

/// A Ready node that takes new pods.
pub fn ready(node: &Value) -> bool {
    node["spec"]["unschedulable"] != true
        && node["status"]["conditions"].as_array().is_some_and(|c| {
            c.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
}

/// Whether a pod (or a template: anything with a pod `spec`) may go on
/// `node`: its `nodeSelector` matches and it tolerates the node's NoSchedule
/// and NoExecute taints.
pub fn fits(node: &Value, pod: &Value) -> bool {
    let labels = &node["metadata"]["labels"];
    let selected = pod["spec"]["nodeSelector"]
        .as_object()
        .is_none_or(|s| s.iter().all(|(k, v)| labels[k] == *v));
    let tolerations = pod["spec"]["tolerations"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let taints = node["spec"]["taints"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    selected
        && taints
            .iter()
            .filter(|t| t["effect"] != "PreferNoSchedule")
            .all(|t| tolerations.iter().any(|tol| tolerates(tol, t)))
}

/// Kubernetes' toleration match: an empty key with `Exists` tolerates all.
fn tolerates(tol: &Value, taint: &Value) -> bool {
    let effect_ok = tol["effect"]
        .as_str()
        .is_none_or(|e| e.is_empty() || taint["effect"] == e);
    let key = tol["key"].as_str().unwrap_or_default();
    let exists = tol["operator"] == "Exists";
    let key_ok = (key.is_empty() && exists) || taint["key"] == key;
    let value_ok = exists
        || tol["value"].as_str().unwrap_or_default() == taint["value"].as_str().unwrap_or_default();
    effect_ok && key_ok && value_ok
}

/// Binds `pod` (in `ns`) to a node, or leaves it Pending when none fits.
pub async fn schedule(c: &Client, ns: &str, pod: &Value) -> Result<(), CallError> {
    let nodes = c.list("/api/v1/nodes").await?;
    let pods = c.list("/api/v1/pods").await?;
    let mut load: HashMap<&str, usize> = HashMap::new();
    for p in &pods {
        if let Some(n) = p["spec"]["nodeName"].as_str() {
            *load.entry(n).or_default() += 1;
        }
    }
    let Some(node) = nodes
        .iter()
        .filter(|n| ready(n) && fits(n, pod))
        .min_by_key(|n| (load.get(name(n)).copied().unwrap_or(0), name(n).to_string()))
    else {
        return Ok(());
    };
    let binding = json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name(pod)},
                         "target": {"apiVersion": "v1", "kind": "Node", "name": name(node)}});
    let path = format!("/api/v1/namespaces/{ns}/pods/{}/binding", name(pod));
    match c.create(&path, binding).await {
        // Someone bound it first.
        Err(e) if e.code == 409 => Ok(()),
        other => other.map(|_| ()),
    }
}
