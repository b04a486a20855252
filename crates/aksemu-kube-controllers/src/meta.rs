//! Small readers of object metadata the controllers share.

use serde_json::{Value, json};

pub fn name(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or_default()
}

pub fn uid(o: &Value) -> &str {
    o["metadata"]["uid"].as_str().unwrap_or_default()
}

pub fn deleting(o: &Value) -> bool {
    o["metadata"]
        .get("deletionTimestamp")
        .is_some_and(|t| !t.is_null())
}

/// Whether `o` names `owner_uid` among its owner references.
pub fn owned_by(o: &Value, owner_uid: &str) -> bool {
    o["metadata"]["ownerReferences"]
        .as_array()
        .is_some_and(|r| r.iter().any(|r| r["uid"] == owner_uid))
}

/// The controlling owner's (kind, name), if any.
pub fn controller_of(o: &Value) -> Option<(String, String)> {
    o["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|r| r["controller"] == true)
        .map(|r| {
            (
                r["kind"].as_str().unwrap_or_default().to_string(),
                r["name"].as_str().unwrap_or_default().to_string(),
            )
        })
}

/// An owner reference to `owner` as its controller.
pub fn controller_ref(owner: &Value) -> Value {
    json!({"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
           "uid": owner["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true})
}

/// Whether a pod is Ready.
pub fn pod_ready(p: &Value) -> bool {
    p["status"]["conditions"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}

/// Whether every label `selector.matchLabels` names is on `o`.
pub fn matches(selector: &Value, o: &Value) -> bool {
    let labels = &o["metadata"]["labels"];
    selector["matchLabels"]
        .as_object()
        .is_none_or(|m| m.iter().all(|(k, v)| labels[k] == *v))
}

/// A pod from `owner`'s `spec.template` (named after the owner, owned by
/// it), already placed on `node` when given (DaemonSets place their own).
pub fn pod_from_template(owner: &Value, node: Option<&str>) -> Value {
    let t = &owner["spec"]["template"];
    let mut spec = t["spec"].clone();
    if let Some(n) = node {
        spec["nodeName"] = json!(n);
    }
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": {"generateName": format!("{}-", name(owner)), "labels": t["metadata"]["labels"],
                        "annotations": t["metadata"]["annotations"], "ownerReferences": [controller_ref(owner)]},
           "spec": spec})
}

/// The claims a pod mounts.
pub fn claims_of(pod: &Value) -> Vec<String> {
    pod["spec"]["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["persistentVolumeClaim"]["claimName"].as_str())
        .map(str::to_string)
        .collect()
}
