//! The Job controller: up to `parallelism` pods at a time until
//! `completions` have succeeded, then the SuccessCriteriaMet and Complete
//! conditions (what `kubectl wait --for=condition=complete` waits for).

use serde_json::{Value, json};

use crate::client::{CallError, Client};
use crate::meta::{deleting, owned_by, pod_from_template, uid};

fn phase(p: &Value) -> &str {
    p["status"]["phase"].as_str().unwrap_or("Pending")
}

/// Runs Job `ns/name` one step further, then writes its status.
pub async fn reconcile(c: &Client, ns: &str, job_name: &str) -> Result<(), CallError> {
    let path = format!("/apis/batch/v1/namespaces/{ns}/jobs/{job_name}");
    let Some(job) = c.get(&path).await? else {
        return Ok(());
    };
    if deleting(&job) || job["spec"]["suspend"] == true {
        return Ok(());
    }
    let pods_path = format!("/api/v1/namespaces/{ns}/pods");
    let pods: Vec<Value> = c
        .list(&pods_path)
        .await?
        .into_iter()
        .filter(|p| owned_by(p, uid(&job)))
        .collect();
    let succeeded = pods.iter().filter(|p| phase(p) == "Succeeded").count() as u64;
    let failed = pods.iter().filter(|p| phase(p) == "Failed").count() as u64;
    let mut active = pods
        .iter()
        .filter(|p| !matches!(phase(p), "Succeeded" | "Failed"))
        .count() as u64;
    let completions = job["spec"]["completions"].as_u64().unwrap_or(1);
    let parallelism = job["spec"]["parallelism"].as_u64().unwrap_or(1);
    let done = succeeded >= completions;
    if !done {
        let room = parallelism
            .min(completions - succeeded)
            .saturating_sub(active);
        for _ in 0..room {
            c.create(&pods_path, pod_from_template(&job, None)).await?;
            active += 1;
        }
    }
    status(c, &path, &job, (active, succeeded, failed), done).await
}

async fn status(
    c: &Client,
    path: &str,
    job: &Value,
    counts: (u64, u64, u64),
    done: bool,
) -> Result<(), CallError> {
    let (active, succeeded, failed) = counts;
    if job["status"]["completionTime"].is_string() {
        return Ok(());
    }
    let start = job["status"]["startTime"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| c.now());
    let mut st = json!({"startTime": start, "active": active, "succeeded": succeeded, "failed": failed,
                        "ready": 0, "terminating": 0});
    if done {
        let at = c.now();
        let cond = |t: &str, reason: &str, msg: &str| {
            json!({"type": t, "status": "True", "reason": reason, "message": msg,
                   "lastProbeTime": at, "lastTransitionTime": at})
        };
        st["completionTime"] = json!(at);
        st["active"] = json!(0);
        st["conditions"] = json!([
            cond(
                "SuccessCriteriaMet",
                "CompletionsReached",
                "Reached expected number of succeeded pods"
            ),
            cond(
                "Complete",
                "CompletionsReached",
                "Reached expected number of succeeded pods"
            ),
        ]);
    }
    if job["status"] == st {
        return Ok(());
    }
    c.merge_patch(&format!("{path}/status"), json!({"status": st}))
        .await
        .map(|_| ())
}
