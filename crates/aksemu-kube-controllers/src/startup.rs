//! Pod start-up that takes virtual time (`serve --kube-pod-startup`): a bound
//! pod first shows ContainerCreating, and its kubelet starts it once the
//! cloud clock has passed its start time plus the start-up duration
//! (`aksemu clock advance` moves that along); and the end of a pod's grace
//! period when it is deleted.

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::client::{CallError, Client};
use crate::meta::name;

/// When the kubelet began starting `pod`, if it has.
pub fn began(pod: &Value) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(pod["status"]["startTime"].as_str()?, &Rfc3339).ok()
}

/// Whether a pod that began at `began` is due to run at `now`.
pub fn due(began: OffsetDateTime, startup_secs: i64, now: OffsetDateTime) -> bool {
    began + time::Duration::seconds(startup_secs) <= now
}

/// Marks a bound pod as being created: containers waiting in ContainerCreating.
pub async fn creating(
    c: &Client,
    ns: &str,
    pod: &Value,
    now: OffsetDateTime,
) -> Result<(), CallError> {
    let at = aksemu_kube::objects::ktime(now);
    let cond = |t: &str, s: &str| json!({"type": t, "status": s, "lastProbeTime": null, "lastTransitionTime": at});
    let waiting: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|ct| json!({"name": ct["name"], "image": ct["image"], "imageID": "", "ready": false, "started": false,
                         "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}))
        .collect();
    let status = json!({"phase": "Pending", "startTime": at, "qosClass": "BestEffort",
        "conditions": [cond("PodReadyToStartContainers", "False"), cond("Initialized", "True"),
                       cond("Ready", "False"), cond("ContainersReady", "False"), cond("PodScheduled", "True")],
        "containerStatuses": waiting});
    let path = format!("/api/v1/namespaces/{ns}/pods/{}/status", name(pod));
    c.merge_patch(&path, json!({"status": status}))
        .await
        .map(|_| ())
}

/// When a pod in its grace period is to be gone (its deletionTimestamp).
pub fn leaving(pod: &Value) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(pod["metadata"]["deletionTimestamp"].as_str()?, &Rfc3339).ok()
}
