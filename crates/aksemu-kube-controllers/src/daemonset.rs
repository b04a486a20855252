//! The DaemonSet controller: one pod on every Ready node the template's
//! `nodeSelector` matches and whose taints it tolerates; pods on nodes that
//! are gone or no longer match are removed; status counts them.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::client::{CallError, Client};
use crate::meta::{deleting, name, owned_by, pod_from_template, pod_ready, uid};
use crate::scheduler::{fits, ready};

/// Brings DaemonSet `ns/name` to one pod per eligible node, then its status.
pub async fn reconcile(c: &Client, ns: &str, ds_name: &str) -> Result<(), CallError> {
    let path = format!("/apis/apps/v1/namespaces/{ns}/daemonsets/{ds_name}");
    let Some(ds) = c.get(&path).await? else {
        return Ok(());
    };
    if deleting(&ds) {
        return Ok(());
    }
    let template = &ds["spec"]["template"];
    let nodes: Vec<Value> = c
        .list("/api/v1/nodes")
        .await?
        .into_iter()
        .filter(|n| ready(n) && fits(n, template))
        .collect();
    let pods_path = format!("/api/v1/namespaces/{ns}/pods");
    let mut by_node: BTreeMap<String, Value> = BTreeMap::new();
    for p in c
        .list(&pods_path)
        .await?
        .into_iter()
        .filter(|p| owned_by(p, uid(&ds)) && !deleting(p))
    {
        let node = p["spec"]["nodeName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if nodes.iter().any(|n| name(n) == node) && !by_node.contains_key(&node) {
            by_node.insert(node, p);
        } else {
            c.delete(&format!("{pods_path}/{}", name(&p))).await?;
        }
    }
    for n in &nodes {
        if !by_node.contains_key(name(n)) {
            let p = c
                .create(&pods_path, pod_from_template(&ds, Some(name(n))))
                .await?;
            by_node.insert(name(n).to_string(), p);
        }
    }
    let ready_count = by_node.values().filter(|p| pod_ready(p)).count();
    let st = json!({"desiredNumberScheduled": nodes.len(), "currentNumberScheduled": by_node.len(),
                    "numberMisscheduled": 0, "numberReady": ready_count, "numberAvailable": ready_count,
                    "updatedNumberScheduled": by_node.len(), "observedGeneration": ds["metadata"]["generation"]});
    if ds["status"] == st {
        return Ok(());
    }
    c.merge_patch(&format!("{path}/status"), json!({"status": st}))
        .await
        .map(|_| ())
}
