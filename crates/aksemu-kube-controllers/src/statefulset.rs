//! The StatefulSet controller: pods `<set>-0 … <set>-(n-1)`, created in order
//! (the next once the previous is ready, as OrderedReady does) and removed
//! from the highest ordinal; each claim template gives every pod its
//! PersistentVolumeClaim `<template>-<set>-<ordinal>`, which stays when the
//! pod goes.

use serde_json::{Value, json};

use crate::client::{CallError, Client};
use crate::deployment::template_hash;
use crate::meta::{controller_ref, deleting, name, owned_by, pod_ready, uid};

fn pod(set: &Value, ordinal: u64, revision: &str) -> Value {
    let t = &set["spec"]["template"];
    let pod_name = format!("{}-{ordinal}", name(set));
    let mut labels = t["metadata"]["labels"].clone();
    labels["statefulset.kubernetes.io/pod-name"] = json!(pod_name);
    labels["apps.kubernetes.io/pod-index"] = json!(ordinal.to_string());
    labels["controller-revision-hash"] = json!(revision);
    let mut spec = t["spec"].clone();
    spec["hostname"] = json!(pod_name);
    if let Some(svc) = set["spec"]["serviceName"].as_str() {
        spec["subdomain"] = json!(svc);
    }
    for claim in set["spec"]["volumeClaimTemplates"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let volume = json!({"name": name(claim), "persistentVolumeClaim": {"claimName": format!("{}-{pod_name}", name(claim))}});
        match spec["volumes"].as_array_mut() {
            Some(v) => v.push(volume),
            None => spec["volumes"] = json!([volume]),
        }
    }
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": pod_name, "labels": labels, "ownerReferences": [controller_ref(set)]},
           "spec": spec})
}

async fn claims(c: &Client, ns: &str, set: &Value, ordinal: u64) -> Result<(), CallError> {
    let path = format!("/api/v1/namespaces/{ns}/persistentvolumeclaims");
    for t in set["spec"]["volumeClaimTemplates"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let claim_name = format!("{}-{}-{ordinal}", name(t), name(set));
        if c.get(&format!("{path}/{claim_name}")).await?.is_none() {
            let mut claim = json!({"metadata": {"name": claim_name, "labels": set["spec"]["selector"]["matchLabels"]},
                                   "spec": t["spec"]});
            claim["apiVersion"] = json!("v1");
            c.create(&path, claim).await?;
        }
    }
    Ok(())
}

/// One step of StatefulSet `ns/name` towards its count, then its status.
pub async fn reconcile(c: &Client, ns: &str, set_name: &str) -> Result<(), CallError> {
    let path = format!("/apis/apps/v1/namespaces/{ns}/statefulsets/{set_name}");
    let Some(set) = c.get(&path).await? else {
        return Ok(());
    };
    if deleting(&set) {
        return Ok(());
    }
    let pods_path = format!("/api/v1/namespaces/{ns}/pods");
    let mut pods: Vec<Value> = c
        .list(&pods_path)
        .await?
        .into_iter()
        .filter(|p| owned_by(p, uid(&set)) && !deleting(p))
        .collect();
    pods.sort_by_key(|p| {
        name(p)
            .rsplit('-')
            .next()
            .and_then(|o| o.parse::<u64>().ok())
            .unwrap_or(u64::MAX)
    });
    let want = set["spec"]["replicas"].as_u64().unwrap_or(1);
    let revision = format!("{}-{}", name(&set), template_hash(&set["spec"]["template"]));
    let have = pods.len() as u64;
    if have > want {
        if let Some(last) = pods.pop() {
            c.delete(&format!("{pods_path}/{}", name(&last))).await?;
        }
    } else if have < want && pods.iter().all(pod_ready) {
        claims(c, ns, &set, have).await?;
        pods.push(c.create(&pods_path, pod(&set, have, &revision)).await?);
    }
    let ready = pods.iter().filter(|p| pod_ready(p)).count();
    let st = json!({"observedGeneration": set["metadata"]["generation"], "replicas": pods.len(),
                    "readyReplicas": ready, "currentReplicas": pods.len(), "updatedReplicas": pods.len(),
                    "availableReplicas": ready, "currentRevision": revision, "updateRevision": revision,
                    "collisionCount": 0});
    if set["status"] == st {
        return Ok(());
    }
    c.merge_patch(&format!("{path}/status"), json!({"status": st}))
        .await
        .map(|_| ())
}
