//! The persistent-volume controller's part for one claim: bind it to the
//! volume it names, or have one provisioned; then attach it on the nodes of
//! the pods that mount it.

use serde_json::{Value, json};

use super::{Ctx, DRIVER, attach, provision};
use crate::client::CallError;
use crate::meta;
use crate::work::Work;

/// The pods of `ns` that mount claim `name` (and are not going away).
pub async fn consumers(ctx: &Ctx<'_>, ns: &str, name: &str) -> Result<Vec<Value>, CallError> {
    let pods = ctx.c.list(&format!("/api/v1/namespaces/{ns}/pods")).await?;
    Ok(pods
        .into_iter()
        .filter(|p| !meta::deleting(p) && super::claims_of(p).iter().any(|c| c == name))
        .filter(|p| !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
        .collect())
}

/// `(done, pods to look at again)`; not done means try again later.
pub async fn reconcile(
    ctx: &Ctx<'_>,
    ns: &str,
    name: &str,
) -> Result<(bool, Vec<Work>), CallError> {
    let path = format!("/api/v1/namespaces/{ns}/persistentvolumeclaims/{name}");
    let Some(pvc) = ctx.c.get(&path).await? else {
        return Ok((true, released(ctx, ns, name).await?));
    };
    if meta::deleting(&pvc) {
        return Ok((true, Vec::new()));
    }
    let pods = consumers(ctx, ns, name).await?;
    let pvc = if pvc["status"]["phase"] == "Bound" {
        pvc
    } else {
        match bind_or_provision(ctx, &pvc, &pods).await? {
            Some(bound) => bound,
            None => return Ok((true, Vec::new())),
            // (provisioning failed or is waiting: `provision` said which)
        }
    };
    if pvc["status"]["phase"] != "Bound" {
        return Ok((false, Vec::new()));
    }
    let volume = pvc["spec"]["volumeName"].as_str().unwrap_or_default();
    if !free_elsewhere(ctx, volume, &pods).await? {
        return Ok((false, Vec::new()));
    }
    let mut poke = Vec::new();
    let mut done = true;
    for pod in pods.iter().filter(|p| p["spec"]["nodeName"].is_string()) {
        let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
        if attach::ensure(ctx, volume, node, pod).await? {
            poke.push(Work::Pod {
                uid: ctx.uid.to_string(),
                ns: ns.to_string(),
                name: meta::name(pod).to_string(),
            });
        } else {
            done = false;
        }
    }
    Ok((done, poke))
}

/// Detaches the volume from nodes none of its pods run on any more; `false`
/// when the cloud refused (tried again later).
async fn free_elsewhere(ctx: &Ctx<'_>, volume: &str, pods: &[Value]) -> Result<bool, CallError> {
    let Some(pv) = ctx
        .c
        .get(&format!("/api/v1/persistentvolumes/{volume}"))
        .await?
    else {
        return Ok(true);
    };
    if pv["spec"]["csi"]["driver"] != DRIVER {
        return Ok(true);
    }
    let disk = pv["spec"]["csi"]["volumeHandle"]
        .as_str()
        .unwrap_or_default();
    let nodes: Vec<&str> = pods
        .iter()
        .filter_map(|p| p["spec"]["nodeName"].as_str())
        .collect();
    Ok(attach::detach_except(ctx, volume, disk, &nodes)
        .await?
        .is_ok())
}

/// The claim bound (static volume named, or one provisioned); `None` when
/// there is nothing to do yet; an unbound claim back when provisioning failed.
async fn bind_or_provision(
    ctx: &Ctx<'_>,
    pvc: &Value,
    pods: &[Value],
) -> Result<Option<Value>, CallError> {
    if let Some(volume) = pvc["spec"]["volumeName"].as_str().filter(|v| !v.is_empty()) {
        let Some(pv) = ctx
            .c
            .get(&format!("/api/v1/persistentvolumes/{volume}"))
            .await?
        else {
            return Ok(None);
        };
        return provision::bind(ctx, pvc, &pv).await.map(Some);
    }
    let Some(sc) = storage_class(ctx, pvc).await? else {
        return Ok(None);
    };
    if sc["provisioner"] != DRIVER {
        return Ok(None);
    }
    provision::provision(ctx, pvc, &sc, pods).await
}

/// The claim's storage class: the one named, else the default one.
async fn storage_class(ctx: &Ctx<'_>, pvc: &Value) -> Result<Option<Value>, CallError> {
    if let Some(name) = pvc["spec"]["storageClassName"].as_str() {
        if name.is_empty() {
            return Ok(None);
        }
        return ctx
            .c
            .get(&format!("/apis/storage.k8s.io/v1/storageclasses/{name}"))
            .await;
    }
    let all = ctx.c.list("/apis/storage.k8s.io/v1/storageclasses").await?;
    Ok(all.into_iter().find(|sc| {
        sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    }))
}

/// A claim is gone: the volumes bound to it are released (their reclaim runs).
async fn released(ctx: &Ctx<'_>, ns: &str, name: &str) -> Result<Vec<Work>, CallError> {
    let pvs = ctx.c.list("/api/v1/persistentvolumes").await?;
    let mut out = Vec::new();
    for pv in pvs {
        let r = &pv["spec"]["claimRef"];
        if r["namespace"] == ns && r["name"] == name {
            if pv["status"]["phase"] == "Bound" {
                let path = format!("/api/v1/persistentvolumes/{}/status", meta::name(&pv));
                ctx.c
                    .merge_patch(&path, json!({"status": {"phase": "Released"}}))
                    .await?;
            }
            out.push(Work::Volume {
                uid: ctx.uid.to_string(),
                name: meta::name(&pv).to_string(),
            });
        }
    }
    Ok(out)
}
