//! A released volume's reclaim: with `Delete`, its disk is detached and
//! deleted as the cluster identity, then the PersistentVolume goes; with
//! `Retain` it stays Released.

use aksemu_core::cluster_cloud::Acting;

use super::{COMPUTE_API, Ctx, DRIVER, attach};
use crate::client::CallError;
use crate::cloud::arm::Arm;
use crate::events::{Source, emit_counted};

const BINDER: Source<'static> = Source {
    component: "persistentvolume-controller",
    host: None,
};

/// `false` when deleting the disk failed (event written; tried again later).
pub async fn reconcile(ctx: &Ctx<'_>, name: &str) -> Result<bool, CallError> {
    let path = format!("/api/v1/persistentvolumes/{name}");
    let Some(pv) = ctx.c.get(&path).await? else {
        return Ok(true);
    };
    if pv["status"]["phase"] != "Released"
        || pv["spec"]["persistentVolumeReclaimPolicy"] != "Delete"
    {
        return Ok(true);
    }
    if pv["spec"]["csi"]["driver"] == DRIVER {
        let disk = pv["spec"]["csi"]["volumeHandle"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Err(text) = delete_disk(ctx, name, &disk).await? {
            emit_counted(ctx.c, &pv, "Warning", "VolumeFailedDelete", &text, BINDER).await?;
            return Ok(false);
        }
    }
    match ctx.c.delete(&path).await {
        Err(e) if e.code != 404 => Err(e),
        _ => Ok(true),
    }
}

async fn delete_disk(
    ctx: &Ctx<'_>,
    volume: &str,
    disk: &str,
) -> Result<Result<(), String>, CallError> {
    if let Err(text) = attach::detach_all(ctx, volume, disk).await? {
        return Ok(Err(text));
    }
    let arm = match Arm::new(ctx.cloud, ctx.uid, Acting::Cluster).await {
        Ok(a) => a,
        Err(e) => return Ok(Err(e.to_string())),
    };
    Ok(arm
        .delete(disk, COMPUTE_API)
        .await
        .map_err(|e| format!("rpc error: code = Internal desc = {e}")))
}
