//! The scheduler: a pod without a node is bound (through `pods/binding`, as
//! kube-scheduler does) to the Ready, schedulable node that matches its
//! `nodeSelector`, whose taints it tolerates, and that holds the fewest pods.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::client::{CallError, Client};
use crate::events::{self, Source};
use crate::meta::name;
use crate::quantity;

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
        && affine(node, pod)
        && taints
            .iter()
            .filter(|t| t["effect"] != "PreferNoSchedule")
            .all(|t| tolerations.iter().any(|tol| tolerates(tol, t)))
}

/// One `matchExpressions` term of a node selector against `labels`.
fn expression(e: &Value, labels: &Value) -> bool {
    let key = e["key"].as_str().unwrap_or_default();
    let value = labels[key].as_str();
    let values: Vec<&str> = e["values"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    match e["operator"].as_str() {
        Some("In") => value.is_some_and(|v| values.contains(&v)),
        Some("NotIn") => value.is_none_or(|v| !values.contains(&v)),
        Some("Exists") => value.is_some(),
        Some("DoesNotExist") => value.is_none(),
        _ => false,
    }
}

/// Required node affinity: one of the terms must hold, each term wholly.
fn affine(node: &Value, pod: &Value) -> bool {
    let required =
        &pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"];
    let Some(terms) = required["nodeSelectorTerms"].as_array() else {
        return true;
    };
    let labels = &node["metadata"]["labels"];
    terms.iter().any(|t| {
        t["matchExpressions"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|e| expression(e, labels))
    })
}

/// Required pod anti-affinity on the hostname: no pod the terms select on the node.
pub fn apart(node: &Value, pod: &Value, pods: &[Value]) -> bool {
    let terms = &pod["spec"]["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"];
    let Some(terms) = terms.as_array() else {
        return true;
    };
    let here: Vec<&Value> = pods
        .iter()
        .filter(|p| p["spec"]["nodeName"] == name(node))
        .collect();
    terms
        .iter()
        .filter(|t| t["topologyKey"] == "kubernetes.io/hostname")
        .all(|t| {
            let sel = &t["labelSelector"];
            !here.iter().any(|p| {
                let labels = &p["metadata"]["labels"];
                let by_labels = sel["matchLabels"]
                    .as_object()
                    .is_none_or(|m| m.iter().all(|(k, v)| labels[k] == *v));
                let by_expr = sel["matchExpressions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .all(|e| expression(e, labels));
                by_labels && by_expr && p["metadata"]["namespace"] == pod["metadata"]["namespace"]
            })
        })
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

/// CPU (millicores) and memory (bytes) a pod asks for.
fn requests(pod: &Value) -> (u128, u128) {
    let mut total = (0, 0);
    for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
        let r = &c["resources"]["requests"];
        total.0 += r["cpu"]
            .as_str()
            .and_then(|q| quantity::parse(q, true))
            .unwrap_or(0);
        total.1 += r["memory"]
            .as_str()
            .and_then(|q| quantity::parse(q, false))
            .unwrap_or(0);
    }
    total
}

/// What each node already holds: requested CPU, memory, and pod count.
fn usage(pods: &[Value]) -> HashMap<String, (u128, u128, u64)> {
    let mut load: HashMap<String, (u128, u128, u64)> = HashMap::new();
    for p in pods
        .iter()
        .filter(|p| !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
    {
        if let Some(n) = p["spec"]["nodeName"].as_str() {
            let (cpu, mem) = requests(p);
            let e = load.entry(n.to_string()).or_default();
            *e = (e.0 + cpu, e.1 + mem, e.2 + 1);
        }
    }
    load
}

/// Why `pod` cannot go on `node`, in the scheduler's words; `None`: it fits.
fn unfit(
    node: &Value,
    pod: &Value,
    used: (u128, u128, u64),
    pods: &[Value],
) -> Option<&'static str> {
    if !ready(node) {
        return Some("node(s) were unschedulable");
    }
    if !apart(node, pod, pods) {
        return Some("node(s) didn't match pod anti-affinity rules");
    }
    if !fits(node, pod) {
        return Some("node(s) didn't match Pod's node affinity/selector or had untolerated taints");
    }
    let alloc = &node["status"]["allocatable"];
    let cap = |k: &str, milli: bool| {
        alloc[k]
            .as_str()
            .and_then(|q| quantity::parse(q, milli))
            .unwrap_or(u128::MAX)
    };
    let (cpu, mem) = requests(pod);
    if used.0 + cpu > cap("cpu", true) {
        return Some("Insufficient cpu");
    }
    if used.1 + mem > cap("memory", false) {
        return Some("Insufficient memory");
    }
    if u128::from(used.2) + 1 > cap("pods", false) {
        return Some("Too many pods");
    }
    None
}

/// The FailedScheduling message: how many nodes, and why not each.
fn failure(nodes: usize, reasons: &[&str]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for r in reasons {
        match counts.iter_mut().find(|(k, _)| k == r) {
            Some(e) => e.1 += 1,
            None => counts.push((r, 1)),
        }
    }
    counts.sort();
    let why: Vec<String> = counts.iter().map(|(r, n)| format!("{n} {r}")).collect();
    format!(
        "0/{nodes} nodes are available: {}. preemption: 0/{nodes} nodes are available: {nodes} No preemption victims found for incoming pod.",
        why.join(", ")
    )
}

/// Binds `pod` (in `ns`) to a node, or leaves it Pending (with the
/// FailedScheduling event and condition) when none fits.
pub async fn schedule(c: &Client, ns: &str, pod: &Value) -> Result<(), CallError> {
    let nodes = c.list("/api/v1/nodes").await?;
    let pods = c.list("/api/v1/pods").await?;
    let load = usage(&pods);
    let mut reasons = Vec::new();
    let mut best: Option<(&Value, u64)> = None;
    for n in &nodes {
        let used = load.get(name(n)).copied().unwrap_or_default();
        match unfit(n, pod, used, &pods) {
            Some(r) => reasons.push(r),
            None if best.is_none_or(|(_, count)| used.2 < count) => best = Some((n, used.2)),
            None => {}
        }
    }
    let Some((node, _)) = best else {
        return unschedulable(c, ns, pod, &failure(nodes.len(), &reasons)).await;
    };
    let binding = json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name(pod)},
                         "target": {"apiVersion": "v1", "kind": "Node", "name": name(node)}});
    let path = format!("/api/v1/namespaces/{ns}/pods/{}/binding", name(pod));
    match c.create(&path, binding).await {
        // Someone bound it first.
        Err(e) if e.code == 409 => return Ok(()),
        other => other.map(|_| ())?,
    }
    let msg = format!("Successfully assigned {ns}/{} to {}", name(pod), name(node));
    events::emit(c, pod, "Normal", "Scheduled", &msg, SCHEDULER).await
}

const SCHEDULER: Source<'static> = Source {
    component: "default-scheduler",
    host: None,
};

/// Marks `pod` unschedulable, once per distinct reason.
async fn unschedulable(c: &Client, ns: &str, pod: &Value, message: &str) -> Result<(), CallError> {
    let already = pod["status"]["conditions"].as_array().is_some_and(|cs| {
        cs.iter().any(|c| {
            c["type"] == "PodScheduled" && c["status"] == "False" && c["message"] == message
        })
    });
    if already {
        return Ok(());
    }
    let cond = json!({"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message,
                      "lastProbeTime": null, "lastTransitionTime": c.now()});
    let path = format!("/api/v1/namespaces/{ns}/pods/{}/status", name(pod));
    c.merge_patch(&path, json!({"status": {"conditions": [cond]}}))
        .await?;
    events::emit(c, pod, "Warning", "FailedScheduling", message, SCHEDULER).await
}
