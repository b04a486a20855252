//! The ReplicaSet controller: as many pods as `spec.replicas`, made from the
//! template and owned by the set; status counts them (ready, available).

use serde_json::{Value, json};

use crate::client::{CallError, Client};
use crate::events::{self, Source};

const SOURCE: Source<'static> = Source {
    component: "replicaset-controller",
    host: None,
};
use crate::meta::{deleting, matches, name, owned_by, pod_from_template, pod_ready, uid};

fn pods_path(ns: &str) -> String {
    format!("/api/v1/namespaces/{ns}/pods")
}

/// Brings the pods of ReplicaSet `ns/name` to its count, then its status.
pub async fn reconcile(c: &Client, ns: &str, rs_name: &str) -> Result<(), CallError> {
    let path = format!("/apis/apps/v1/namespaces/{ns}/replicasets/{rs_name}");
    let Some(rs) = c.get(&path).await? else {
        return Ok(());
    };
    if deleting(&rs) {
        return Ok(());
    }
    let mut pods: Vec<Value> = c
        .list(&pods_path(ns))
        .await?
        .into_iter()
        .filter(|p| owned_by(p, uid(&rs)) && !deleting(p))
        .collect();
    let want = rs["spec"]["replicas"].as_u64().unwrap_or(1) as usize;
    if pods.len() < want {
        for _ in pods.len()..want {
            let p = c
                .create(&pods_path(ns), pod_from_template(&rs, None))
                .await?;
            let msg = format!("Created pod: {}", name(&p));
            events::emit(c, &rs, "Normal", "SuccessfulCreate", &msg, SOURCE).await?;
            pods.push(p);
        }
    } else if pods.len() > want {
        // The least advanced go first: unscheduled, then not ready.
        pods.sort_by_key(|p| (p["spec"]["nodeName"].is_string(), pod_ready(p)));
        for p in pods.drain(..pods.len() - want) {
            c.delete(&format!("{}/{}", pods_path(ns), name(&p))).await?;
            let msg = format!("Deleted pod: {}", name(&p));
            events::emit(c, &rs, "Normal", "SuccessfulDelete", &msg, SOURCE).await?;
        }
    }
    status(c, &path, &rs, &pods).await
}

async fn status(c: &Client, path: &str, rs: &Value, pods: &[Value]) -> Result<(), CallError> {
    let ready = pods.iter().filter(|p| pod_ready(p)).count();
    let labeled = pods
        .iter()
        .filter(|p| matches(&rs["spec"]["selector"], p))
        .count();
    let status = json!({"replicas": pods.len(), "fullyLabeledReplicas": labeled, "readyReplicas": ready,
                        "availableReplicas": ready, "observedGeneration": rs["metadata"]["generation"]});
    if rs["status"] == status {
        return Ok(());
    }
    c.merge_patch(&format!("{path}/status"), json!({"status": status}))
        .await
        .map(|_| ())
}
