//! What a pod's containers "print": no container runs in the emulated
//! cluster, so `pods/log` answers one line saying what would be running, and
//! where (following with `-f` until the pod goes); `exec`, `attach` and
//! `port-forward` answer a clear `Status` rather than hang.

use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;

use crate::ctx::Ctx;
use crate::error::KubeError;
use crate::objects;
use crate::read::{existing, name_of, ns_of};
use crate::request::{KubeBody, KubeResponse};
use crate::route::ResourcePath;

/// The container a log request is for: the one named, or the only one.
fn container<'a>(ctx: &Ctx<'_>, pod: &'a Value) -> Result<&'a Value, KubeError> {
    let all = pod["spec"]["containers"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let names: Vec<&str> = all.iter().filter_map(|c| c["name"].as_str()).collect();
    match ctx.req.param("container") {
        Some(want) => all.iter().find(|c| c["name"] == want).ok_or_else(|| {
            KubeError::BadRequest(format!("container {want} is not valid for pod {name}"))
        }),
        None if all.len() == 1 => Ok(&all[0]),
        None => Err(KubeError::BadRequest(format!(
            "a container name must be specified for pod {name}, choose one of: [{}]",
            names.join(" ")
        ))),
    }
}

fn line(pod: &Value, c: &Value) -> String {
    let started = pod["status"]["startTime"].as_str().unwrap_or("not yet");
    format!(
        "{} aksemu: container {:?} (image {}) of pod {}/{} on node {}, started {started}: this emulated cluster runs no containers, so it has no output\n",
        started,
        c["name"].as_str().unwrap_or_default(),
        c["image"].as_str().unwrap_or_default(),
        pod["metadata"]["namespace"].as_str().unwrap_or_default(),
        pod["metadata"]["name"].as_str().unwrap_or_default(),
        pod["spec"]["nodeName"].as_str().unwrap_or("<none>"),
    )
}

pub async fn log(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<KubeResponse, KubeError> {
    let pod = existing(ctx, rp).await?;
    let text = line(&pod, container(ctx, &pod)?);
    if !ctx.req.flag("follow") {
        return Ok(KubeResponse::bytes(200, "text/plain", text.into_bytes()));
    }
    let (tx, rx) = mpsc::channel(4);
    let (api, uid, rt) = (ctx.api.clone(), ctx.uid().to_string(), rp.rt);
    let (ns, name) = (ns_of(rp).to_string(), name_of(rp).to_string());
    tokio::spawn(async move {
        if tx.send(text.into_bytes()).await.is_err() {
            return;
        }
        // Following ends when the pod is gone (or the client leaves).
        for _ in 0..1800 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let gone = !matches!(objects::get(&api, &uid, rt, &ns, &name).await, Ok(Some(_)));
            if gone || tx.is_closed() {
                return;
            }
        }
    });
    Ok(KubeResponse {
        status: 200,
        content_type: "text/plain".into(),
        headers: Vec::new(),
        body: KubeBody::Stream(rx),
    })
}

pub async fn no_containers(
    ctx: &Ctx<'_>,
    rp: &ResourcePath,
    what: &str,
) -> Result<KubeResponse, KubeError> {
    existing(ctx, rp).await?;
    Err(KubeError::BadRequest(format!(
        "pods/{what} is not available: pod {} is simulated by aksemu, whose clusters run no containers",
        name_of(rp)
    )))
}
