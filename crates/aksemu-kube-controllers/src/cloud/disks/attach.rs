//! Attaching a disk to the node a pod runs on (the attach/detach controller
//! and the driver's `ControllerPublishVolume`): a VolumeAttachment, a GET of
//! the disk and a write of the node's scale-set instance with the disk among
//! its data disks, all as the cluster identity. The pod starts once every
//! volume it mounts is attached on its node.

use aksemu_core::cluster_cloud::Acting;
use serde_json::{Value, json};

use super::{COMPUTE_API, Ctx, DRIVER};
use crate::client::{CallError, Client};
use crate::cloud::arm::Arm;
use crate::events::{Source, emit_counted};
use crate::meta;

const ATTACHER: Source<'static> = Source {
    component: "attachdetach-controller",
    host: None,
};

/// `csi-<sha256(volume + driver + node)>`, the name Kubernetes gives.
fn attachment_name(volume: &str, node: &str) -> String {
    let d = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{volume}{DRIVER}{node}").as_bytes(),
    );
    let hex: String = d.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("csi-{hex}")
}

const ATTACHMENTS: &str = "/apis/storage.k8s.io/v1/volumeattachments";

/// Whether every claim `pod` mounts is bound and, for disks, attached on its node.
pub async fn volumes_ready(c: &Client, ns: &str, pod: &Value) -> Result<bool, CallError> {
    let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
    for claim in super::claims_of(pod) {
        let path = format!("/api/v1/namespaces/{ns}/persistentvolumeclaims/{claim}");
        let Some(pvc) = c.get(&path).await? else {
            return Ok(false);
        };
        let volume = pvc["spec"]["volumeName"].as_str().unwrap_or_default();
        if pvc["status"]["phase"] != "Bound" {
            return Ok(false);
        }
        let Some(pv) = c
            .get(&format!("/api/v1/persistentvolumes/{volume}"))
            .await?
        else {
            return Ok(false);
        };
        if pv["spec"]["csi"]["driver"] != DRIVER {
            continue;
        }
        let va = c
            .get(&format!("{ATTACHMENTS}/{}", attachment_name(volume, node)))
            .await?;
        if !va.is_some_and(|v| v["status"]["attached"] == true) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Attaches `volume` on `node` for `pod`; `false` when that failed (event written).
pub async fn ensure(
    ctx: &Ctx<'_>,
    volume: &str,
    node: &str,
    pod: &Value,
) -> Result<bool, CallError> {
    let Some(pv) = ctx
        .c
        .get(&format!("/api/v1/persistentvolumes/{volume}"))
        .await?
    else {
        return Ok(false);
    };
    if pv["spec"]["csi"]["driver"] != DRIVER {
        return Ok(true);
    }
    let name = attachment_name(volume, node);
    let path = format!("{ATTACHMENTS}/{name}");
    let va = match ctx.c.get(&path).await? {
        Some(v) => v,
        None => {
            let va = json!({"apiVersion": "storage.k8s.io/v1", "kind": "VolumeAttachment",
                "metadata": {"name": name},
                "spec": {"attacher": DRIVER, "nodeName": node, "source": {"persistentVolumeName": volume}}});
            ctx.c.create(ATTACHMENTS, va).await?
        }
    };
    if va["status"]["attached"] == true {
        return Ok(true);
    }
    let disk = pv["spec"]["csi"]["volumeHandle"]
        .as_str()
        .unwrap_or_default();
    match attach_disk(ctx, disk, node).await {
        Ok(lun) => {
            let status = json!({"status": {"attached": true, "attachError": null,
                "attachmentMetadata": {"LUN": lun.to_string(), "cachingMode": "None"}}});
            ctx.c.merge_patch(&format!("{path}/status"), status).await?;
            let msg = format!("AttachVolume.Attach succeeded for volume \"{volume}\"");
            emit_counted(
                ctx.c,
                pod,
                "Normal",
                "SuccessfulAttachVolume",
                &msg,
                ATTACHER,
            )
            .await?;
            Ok(true)
        }
        Err(text) => {
            let status = json!({"status": {"attached": false,
                "attachError": {"time": ctx.c.now(), "message": text}}});
            ctx.c.merge_patch(&format!("{path}/status"), status).await?;
            let msg = format!("AttachVolume.Attach failed for volume \"{volume}\" : {text}");
            emit_counted(ctx.c, pod, "Warning", "FailedAttachVolume", &msg, ATTACHER).await?;
            Ok(false)
        }
    }
}

/// The ARM path of a node's scale-set instance (its `providerID` less `azure://`).
async fn instance_path(c: &Client, node: &str) -> Result<String, String> {
    let n = c
        .get(&format!("/api/v1/nodes/{node}"))
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("node {node} not found"))?;
    n["spec"]["providerID"]
        .as_str()
        .and_then(|p| p.strip_prefix("azure://"))
        .map(str::to_string)
        .ok_or_else(|| format!("node {node} has no Azure providerID"))
}

/// The driver's attach: the disk must be readable, then the instance is
/// written with it; the LUN, or the error as the driver reports it.
async fn attach_disk(ctx: &Ctx<'_>, disk: &str, node: &str) -> Result<u64, String> {
    let arm = Arm::new(ctx.cloud, ctx.uid, Acting::Cluster)
        .await
        .map_err(|e| e.to_string())?;
    arm.send(aksemu_core::request::Method::Get, disk, COMPUTE_API, None)
        .await
        .map_err(|e| {
            format!("rpc error: code = NotFound desc = Volume not found, failed with error: {e}")
        })?;
    let vm = instance_path(ctx.c, node).await?;
    let failed = |e: String| {
        format!(
            "rpc error: code = Internal desc = Attach volume {disk} to instance {node} failed with {e}"
        )
    };
    let mut instance = arm
        .send(aksemu_core::request::Method::Get, &vm, COMPUTE_API, None)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let disks = data_disks(&instance);
    if let Some(lun) = disks
        .iter()
        .find(|d| same_disk(d, disk))
        .and_then(|d| d["lun"].as_u64())
    {
        return Ok(lun);
    }
    let lun = (0..64u64)
        .find(|l| !disks.iter().any(|d| d["lun"] == *l))
        .unwrap_or(0);
    let mut list = disks;
    list.push(
        json!({"lun": lun, "name": disk.rsplit('/').next(), "createOption": "Attach",
                     "caching": "None", "managedDisk": {"id": disk}}),
    );
    instance["properties"]["storageProfile"]["dataDisks"] = Value::Array(list);
    arm.put(&vm, COMPUTE_API, &instance)
        .await
        .map_err(|e| failed(e.to_string()))?;
    Ok(lun)
}

fn data_disks(instance: &Value) -> Vec<Value> {
    instance["properties"]["storageProfile"]["dataDisks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn same_disk(d: &Value, disk: &str) -> bool {
    d["managedDisk"]["id"]
        .as_str()
        .is_some_and(|i| i.eq_ignore_ascii_case(disk))
}

/// Detaches `volume` from every node it is attached to and removes its
/// VolumeAttachments; the error text when the cloud refused.
pub async fn detach_all(
    ctx: &Ctx<'_>,
    volume: &str,
    disk: &str,
) -> Result<Result<(), String>, CallError> {
    detach_except(ctx, volume, disk, &[]).await
}

/// Detaches `volume` from the nodes not in `keep` (a pod moved away: the
/// attach/detach controller frees the disk for its new node).
pub async fn detach_except(
    ctx: &Ctx<'_>,
    volume: &str,
    disk: &str,
    keep: &[&str],
) -> Result<Result<(), String>, CallError> {
    for va in ctx.c.list(ATTACHMENTS).await? {
        let kept = va["spec"]["nodeName"]
            .as_str()
            .is_some_and(|n| keep.contains(&n));
        if va["spec"]["source"]["persistentVolumeName"] != volume || kept {
            continue;
        }
        let node = va["spec"]["nodeName"].as_str().unwrap_or_default();
        if let Err(text) = detach_disk(ctx, disk, node).await {
            return Ok(Err(text));
        }
        ctx.c
            .delete(&format!("{ATTACHMENTS}/{}", meta::name(&va)))
            .await?;
    }
    Ok(Ok(()))
}

async fn detach_disk(ctx: &Ctx<'_>, disk: &str, node: &str) -> Result<(), String> {
    let arm = Arm::new(ctx.cloud, ctx.uid, Acting::Cluster)
        .await
        .map_err(|e| e.to_string())?;
    let vm = instance_path(ctx.c, node).await?;
    let mut instance = arm
        .send(aksemu_core::request::Method::Get, &vm, COMPUTE_API, None)
        .await
        .map_err(|e| e.to_string())?;
    let disks = data_disks(&instance);
    if !disks.iter().any(|d| same_disk(d, disk)) {
        return Ok(());
    }
    let kept: Vec<Value> = disks.into_iter().filter(|d| !same_disk(d, disk)).collect();
    instance["properties"]["storageProfile"]["dataDisks"] = Value::Array(kept);
    arm.put(&vm, COMPUTE_API, &instance)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}
