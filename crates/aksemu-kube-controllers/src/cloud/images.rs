//! The kubelet's image pulls, as the kubelet identity: an image of one of this
//! cloud's registries pulls only if that identity may (AcrPull) and the tag
//! exists. A failed pull leaves the container waiting with `ErrImagePull`,
//! then `ImagePullBackOff` while the kubelet backs off (on the cloud clock),
//! with the events a kubelet writes; the next try after the back-off starts
//! the pod if the pull succeeds then.

use aksemu_core::cluster_cloud::{ImagePull, RegistryImage};
use serde_json::{Value, json};

use super::Ctx;
use super::tracker::Tracker;
use crate::client::CallError;
use crate::events::{Source, emit_counted};
use crate::meta;
use crate::work::Work;

fn images(pod: &Value) -> Vec<(String, String)> {
    ["initContainers", "containers"]
        .iter()
        .flat_map(|k| pod["spec"][*k].as_array().cloned().unwrap_or_default())
        .map(|c| {
            let name = c["name"].as_str().unwrap_or_default().to_string();
            (name, c["image"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

/// Whether every image of `pod` is pulled; `false` leaves it waiting (status
/// and events written) until the back-off lets the kubelet try again.
pub async fn pulled(
    ctx: &Ctx<'_>,
    backoff: &mut Tracker<Work>,
    ns: &str,
    pod: &Value,
) -> Result<bool, CallError> {
    let key = Work::Pod {
        uid: ctx.uid.to_string(),
        ns: ns.to_string(),
        name: meta::name(pod).to_string(),
    };
    if backoff.idle(&key, "", ctx.now) {
        backing_off(ctx, ns, pod).await?;
        return Ok(false);
    }
    // Public images pull without a check (and without a call).
    let ours = images(pod)
        .into_iter()
        .filter(|(_, i)| RegistryImage::of(i).is_some());
    for (container, image) in ours {
        let outcome = ctx
            .cloud
            .pull_image(ctx.uid, &image)
            .await
            .map_err(|e| CallError {
                code: 500,
                message: e.to_string(),
            })?;
        if let ImagePull::Failed(text) = outcome {
            failed(ctx, ns, pod, &container, &image, &text).await?;
            backoff.failed(key, String::new(), ctx.now);
            return Ok(false);
        }
    }
    backoff.forget(&key);
    Ok(true)
}

fn kubelet(pod: &Value) -> Source<'_> {
    Source {
        component: "kubelet",
        host: pod["spec"]["nodeName"].as_str(),
    }
}

/// The containers' waiting states: `reason` for `failing`, creating for the rest.
fn waiting(pod: &Value, failing: &str, reason: &str, message: &str) -> Value {
    let statuses: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|ct| {
            let state = if ct["name"] == failing {
                json!({"reason": reason, "message": message})
            } else {
                json!({"reason": "ContainerCreating"})
            };
            json!({"name": ct["name"], "image": ct["image"], "imageID": "", "ready": false,
                   "started": false, "restartCount": 0, "state": {"waiting": state}})
        })
        .collect();
    json!({"status": {"containerStatuses": statuses}})
}

async fn failed(
    ctx: &Ctx<'_>,
    ns: &str,
    pod: &Value,
    container: &str,
    image: &str,
    text: &str,
) -> Result<(), CallError> {
    let c = ctx.c;
    emit_counted(
        c,
        pod,
        "Normal",
        "Pulling",
        &format!("Pulling image \"{image}\""),
        kubelet(pod),
    )
    .await?;
    let msg = format!("Failed to pull image \"{image}\": {text}");
    emit_counted(c, pod, "Warning", "Failed", &msg, kubelet(pod)).await?;
    emit_counted(
        c,
        pod,
        "Warning",
        "Failed",
        "Error: ErrImagePull",
        kubelet(pod),
    )
    .await?;
    let path = format!("/api/v1/namespaces/{ns}/pods/{}/status", meta::name(pod));
    c.merge_patch(&path, waiting(pod, container, "ErrImagePull", text))
        .await
        .map(|_| ())
}

/// After `ErrImagePull`, the kubelet reports the back-off once.
async fn backing_off(ctx: &Ctx<'_>, ns: &str, pod: &Value) -> Result<(), CallError> {
    let statuses = pod["status"]["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let Some(st) = statuses
        .iter()
        .find(|s| s["state"]["waiting"]["reason"] == "ErrImagePull")
    else {
        return Ok(());
    };
    let container = st["name"].as_str().unwrap_or_default();
    let image = st["image"].as_str().unwrap_or_default();
    let cause = st["state"]["waiting"]["message"]
        .as_str()
        .unwrap_or_default();
    let c = ctx.c;
    let msg = format!("Back-off pulling image \"{image}\"");
    emit_counted(c, pod, "Normal", "BackOff", &msg, kubelet(pod)).await?;
    emit_counted(
        c,
        pod,
        "Warning",
        "Failed",
        "Error: ImagePullBackOff",
        kubelet(pod),
    )
    .await?;
    let message = format!("{msg}: ErrImagePull: {cause}");
    let path = format!("/api/v1/namespaces/{ns}/pods/{}/status", meta::name(pod));
    c.merge_patch(&path, waiting(pod, container, "ImagePullBackOff", &message))
        .await
        .map(|_| ())
}
