//! A simulated kubelet, KWOK-style: a pod bound to a node starts at once —
//! an IP from the node's pod range, container statuses, the four conditions
//! true — without running anything.

use serde_json::{Value, json};

use crate::client::{CallError, Client};
use crate::events::{self, Source};
use crate::meta::{name, uid};

/// The pod's address: in the node's /24 of 10.244.0.0/16, from the pod's uid.
fn pod_ip(node: &Value, pod: &Value) -> String {
    let node_octet = name(node)
        .bytes()
        .fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 250;
    let host = uid(pod)
        .bytes()
        .fold(7u32, |a, b| a.wrapping_mul(33).wrapping_add(u32::from(b)))
        % 250
        + 2;
    format!("10.244.{node_octet}.{host}")
}

fn container_status(c: &Value, started: &str) -> Value {
    let image = c["image"].as_str().unwrap_or_default();
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, image.as_bytes());
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    json!({"name": c["name"], "image": image, "imageID": format!("{image}@sha256:{hex}"),
           "containerID": format!("containerd://{}", uuid::Uuid::new_v4().simple()),
           "ready": true, "started": true, "restartCount": 0,
           "state": {"running": {"startedAt": started}}})
}

/// A container status that ran and exited 0.
fn completed(mut s: Value, at: &str) -> Value {
    s["ready"] = json!(false);
    s["started"] = json!(false);
    s["state"] = json!({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": at, "finishedAt": at,
                                       "containerID": s["containerID"]}});
    s
}

/// Whether a pod runs to an end (a Job's), rather than restarting.
pub fn runs_to_completion(pod: &Value) -> bool {
    pod["spec"]["restartPolicy"] != "Always"
}

/// Whether the clock moves this pod on: pending, or running to an end.
pub fn timed(pod: &Value) -> bool {
    match pod["status"]["phase"].as_str() {
        Some("Pending") => true,
        Some("Running") => runs_to_completion(pod),
        _ => false,
    }
}

/// A pod that ran to its end: Succeeded, its containers exited 0.
pub async fn finish(c: &Client, ns: &str, pod: &Value) -> Result<(), CallError> {
    let at = c.now();
    let statuses: Vec<Value> = pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| completed(s.clone(), &at))
        .collect();
    let conditions: Vec<Value> = pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|cond| {
            let mut cond = cond.clone();
            if matches!(cond["type"].as_str(), Some("Ready" | "ContainersReady")) {
                cond["status"] = json!("False");
                cond["reason"] = json!("PodCompleted");
                cond["lastTransitionTime"] = json!(at);
            }
            cond
        })
        .collect();
    let status =
        json!({"phase": "Succeeded", "containerStatuses": statuses, "conditions": conditions});
    let path = format!("/api/v1/namespaces/{ns}/pods/{}/status", name(pod));
    c.merge_patch(&path, json!({"status": status}))
        .await
        .map(|_| ())
}

/// Starts a bound, pending pod; one that does not restart ends at once
/// when `complete_now`, else it runs until `finish`.
pub async fn start(c: &Client, ns: &str, pod: &Value, complete_now: bool) -> Result<(), CallError> {
    let node_name = pod["spec"]["nodeName"].as_str().unwrap_or_default();
    let Some(node) = c.get(&format!("/api/v1/nodes/{node_name}")).await? else {
        return Ok(());
    };
    let host_ip = node["status"]["addresses"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["type"] == "InternalIP"))
        .map(|a| a["address"].clone())
        .unwrap_or(Value::Null);
    let at = c.now();
    let completes = runs_to_completion(pod) && complete_now;
    let ready = if completes { "False" } else { "True" };
    let cond = |t: &str| {
        let s = if matches!(t, "Ready" | "ContainersReady") {
            ready
        } else {
            "True"
        };
        json!({"type": t, "status": s, "lastProbeTime": null, "lastTransitionTime": at})
    };
    let ip = pod_ip(&node, pod);
    let statuses: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|ct| container_status(ct, &at))
        .collect();
    // A Job's pod may run to completion at once: it has nothing to run.
    let statuses: Vec<Value> = if completes {
        statuses.into_iter().map(|s| completed(s, &at)).collect()
    } else {
        statuses
    };
    let phase = if completes { "Succeeded" } else { "Running" };
    let started = pod["status"]["startTime"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| at.clone());
    let status = json!({"phase": phase, "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
        "podIP": ip, "podIPs": [{"ip": ip}], "startTime": started, "qosClass": "BestEffort",
        "conditions": [cond("PodReadyToStartContainers"), cond("Initialized"), cond("Ready"),
                       cond("ContainersReady"), cond("PodScheduled")],
        "containerStatuses": statuses});
    let path = format!("/api/v1/namespaces/{ns}/pods/{}/status", name(pod));
    c.merge_patch(&path, json!({"status": status})).await?;
    started_events(c, pod, node_name).await
}

/// What a kubelet reports while it starts each container.
async fn started_events(c: &Client, pod: &Value, node: &str) -> Result<(), CallError> {
    let from = || Source {
        component: "kubelet",
        host: Some(node),
    };
    for ct in pod["spec"]["containers"].as_array().into_iter().flatten() {
        let (cname, image) = (
            ct["name"].as_str().unwrap_or_default(),
            ct["image"].as_str().unwrap_or_default(),
        );
        events::emit(
            c,
            pod,
            "Normal",
            "Pulling",
            &format!("Pulling image \"{image}\""),
            from(),
        )
        .await?;
        let pulled = format!(
            "Successfully pulled image \"{image}\" in 0s (0s including waiting). Image size: 0 bytes."
        );
        events::emit(c, pod, "Normal", "Pulled", &pulled, from()).await?;
        events::emit(
            c,
            pod,
            "Normal",
            "Created",
            &format!("Created container: {cname}"),
            from(),
        )
        .await?;
        events::emit(
            c,
            pod,
            "Normal",
            "Started",
            &format!("Started container {cname}"),
            from(),
        )
        .await?;
    }
    Ok(())
}
