//! Dynamic provisioning (the CSI external provisioner with the Azure Disk
//! driver): a managed disk `pvc-<claim uid>` written as the cluster identity,
//! then the PersistentVolume for it, then the binding.

use aksemu_core::cluster_cloud::Acting;
use serde_json::{Value, json};

use super::{COMPUTE_API, Ctx, DRIVER};
use crate::client::CallError;
use crate::cloud::arm::Arm;
use crate::events::{Source, emit_counted};
use crate::meta;
use crate::quantity;

const BINDER: Source<'static> = Source {
    component: "persistentvolume-controller",
    host: None,
};
const PROVISIONER: Source<'static> = Source {
    component: "disk.csi.azure.com_csi-azuredisk-controller",
    host: None,
};

/// The claim's size in GiB (rounded up, at least 1).
fn size_gib(pvc: &Value) -> i64 {
    let bytes = pvc["spec"]["resources"]["requests"]["storage"]
        .as_str()
        .and_then(|q| quantity::parse(q, false))
        .unwrap_or(0);
    i64::try_from(bytes.div_ceil(1 << 30))
        .unwrap_or(i64::MAX)
        .max(1)
}

/// Provisions a disk for `pvc` and binds it; `None` while it waits for a
/// consumer; the claim unbound when provisioning failed (event written).
pub async fn provision(
    ctx: &Ctx<'_>,
    pvc: &Value,
    sc: &Value,
    pods: &[Value],
) -> Result<Option<Value>, CallError> {
    let node = pods.iter().find_map(|p| p["spec"]["nodeName"].as_str());
    if sc["volumeBindingMode"] == "WaitForFirstConsumer" && node.is_none() {
        let msg = "waiting for first consumer to be created before binding";
        emit_counted(ctx.c, pvc, "Normal", "WaitForFirstConsumer", msg, BINDER).await?;
        return Ok(None);
    }
    let sc_name = meta::name(sc);
    let msg = format!(
        "Waiting for a volume to be created either by the external provisioner '{DRIVER}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."
    );
    emit_counted(ctx.c, pvc, "Normal", "ExternalProvisioning", &msg, BINDER).await?;
    let key = format!(
        "{}/{}",
        pvc["metadata"]["namespace"].as_str().unwrap_or_default(),
        meta::name(pvc)
    );
    let msg = format!("External provisioner is provisioning volume for claim \"{key}\"");
    emit_counted(ctx.c, pvc, "Normal", "Provisioning", &msg, PROVISIONER).await?;
    let pv_name = format!("pvc-{}", meta::uid(pvc));
    let disk_id = match create_disk(ctx, pvc, sc, &pv_name).await {
        Ok(id) => id,
        Err(text) => {
            let msg = format!(
                "failed to provision volume with StorageClass \"{sc_name}\": rpc error: code = Internal desc = {text}"
            );
            emit_counted(
                ctx.c,
                pvc,
                "Warning",
                "ProvisioningFailed",
                &msg,
                PROVISIONER,
            )
            .await?;
            return Ok(Some(pvc.clone()));
        }
    };
    let pv = volume(pvc, sc, &pv_name, &disk_id);
    let pv = match ctx.c.create("/api/v1/persistentvolumes", pv).await {
        Ok(v) => v,
        Err(e) if e.code == 409 => ctx
            .c
            .get(&format!("/api/v1/persistentvolumes/{pv_name}"))
            .await?
            .unwrap_or_default(),
        Err(e) => return Err(e),
    };
    let msg = format!("Successfully provisioned volume {pv_name}");
    emit_counted(
        ctx.c,
        pvc,
        "Normal",
        "ProvisioningSucceeded",
        &msg,
        PROVISIONER,
    )
    .await?;
    let mut bound = bind(ctx, pvc, &pv).await?;
    if let Some(n) = node {
        let patch = json!({"metadata": {"annotations": {"volume.kubernetes.io/selected-node": n}}});
        let path = claim_path(pvc);
        bound = ctx.c.merge_patch(&path, patch).await?;
    }
    Ok(Some(bound))
}

fn claim_path(pvc: &Value) -> String {
    format!(
        "/api/v1/namespaces/{}/persistentvolumeclaims/{}",
        pvc["metadata"]["namespace"].as_str().unwrap_or_default(),
        meta::name(pvc)
    )
}

/// The managed disk, written as the cluster identity; its id, or the error text.
async fn create_disk(ctx: &Ctx<'_>, pvc: &Value, sc: &Value, name: &str) -> Result<String, String> {
    let arm = Arm::new(ctx.cloud, ctx.uid, Acting::Cluster)
        .await
        .map_err(|e| e.to_string())?;
    let params = &sc["parameters"];
    let rg = params["resourceGroup"]
        .as_str()
        .filter(|r| !r.is_empty())
        .unwrap_or(&arm.at.node_resource_group)
        .to_string();
    let sku = params["skuname"]
        .as_str()
        .or(params["skuName"].as_str())
        .or(params["storageaccounttype"].as_str())
        .unwrap_or("StandardSSD_LRS");
    let id = arm.id(&rg, &format!("Microsoft.Compute/disks/{name}"));
    let body = json!({
        "location": arm.at.location,
        "sku": {"name": sku},
        "tags": {
            "k8s-azure-created-by": "kubernetes-azure-dd",
            "kubernetes.io-created-for-pv-name": name,
            "kubernetes.io-created-for-pvc-name": meta::name(pvc),
            "kubernetes.io-created-for-pvc-namespace": pvc["metadata"]["namespace"],
        },
        "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": size_gib(pvc)},
    });
    arm.put(&id, COMPUTE_API, &body)
        .await
        .map_err(|e| e.to_string())?;
    Ok(id)
}

/// The PersistentVolume the provisioner writes for a new disk.
fn volume(pvc: &Value, sc: &Value, name: &str, disk_id: &str) -> Value {
    let gib = size_gib(pvc);
    let ns = pvc["metadata"]["namespace"].clone();
    json!({
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": name, "annotations": {"pv.kubernetes.io/provisioned-by": DRIVER}},
        "spec": {
            "capacity": {"storage": format!("{gib}Gi")},
            "accessModes": pvc["spec"]["accessModes"],
            "persistentVolumeReclaimPolicy": sc["reclaimPolicy"].as_str().unwrap_or("Delete"),
            "storageClassName": meta::name(sc),
            "volumeMode": pvc["spec"]["volumeMode"].as_str().unwrap_or("Filesystem"),
            "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": ns,
                         "name": meta::name(pvc), "uid": meta::uid(pvc)},
            "csi": {"driver": DRIVER, "volumeHandle": disk_id, "fsType": "ext4", "volumeAttributes": {
                "csi.storage.k8s.io/pv/name": name, "csi.storage.k8s.io/pvc/name": meta::name(pvc),
                "csi.storage.k8s.io/pvc/namespace": ns, "requestedsizegib": gib.to_string(),
                "skuname": sc["parameters"]["skuname"].as_str().unwrap_or("StandardSSD_LRS"),
            }},
        },
    })
}

/// Binds `pvc` and `pv` to each other; the claim as bound.
pub async fn bind(ctx: &Ctx<'_>, pvc: &Value, pv: &Value) -> Result<Value, CallError> {
    let pv_path = format!("/api/v1/persistentvolumes/{}", meta::name(pv));
    if pv["spec"]["claimRef"]["uid"] != meta::uid(pvc) {
        let claim_ref = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "namespace": pvc["metadata"]["namespace"], "name": meta::name(pvc), "uid": meta::uid(pvc)});
        ctx.c
            .merge_patch(&pv_path, json!({"spec": {"claimRef": claim_ref}}))
            .await?;
    }
    ctx.c
        .merge_patch(
            &format!("{pv_path}/status"),
            json!({"status": {"phase": "Bound"}}),
        )
        .await?;
    let path = claim_path(pvc);
    let annotations = json!({"pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes",
        "volume.kubernetes.io/storage-provisioner": DRIVER, "volume.beta.kubernetes.io/storage-provisioner": DRIVER});
    let patch =
        json!({"metadata": {"annotations": annotations}, "spec": {"volumeName": meta::name(pv)}});
    ctx.c.merge_patch(&path, patch).await?;
    let status = json!({"status": {"phase": "Bound", "accessModes": pv["spec"]["accessModes"],
                                    "capacity": pv["spec"]["capacity"]}});
    ctx.c.merge_patch(&format!("{path}/status"), status).await
}
