//! Loading a cluster and starting operations on it: the checks and the batch
//! that every cluster write (PUT, agent pools, credential resets) shares.

use std::sync::Arc;

use aksemu_arm::Cloud;
use aksemu_arm::collections::RESOURCES;
use aksemu_arm::lro;
use aksemu_arm::operation::{Operation, Work};
use aksemu_arm::providers::tracked::{not_found, parent_resource, write_err};
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, Doc, Write, store_err};
use serde_json::{Value, json};

use crate::names::{MANAGED_CLUSTERS, RECONCILE_CLUSTER};

fn is_terminal(state: &str) -> bool {
    matches!(state, "Succeeded" | "Failed" | "Canceled")
}

/// Refuses a write while another operation runs on the cluster.
pub fn require_idle(doc: &Doc) -> Result<(), ArmError> {
    let state = doc.body["properties"]["provisioningState"]
        .as_str()
        .unwrap_or("Succeeded");
    if is_terminal(state) {
        Ok(())
    } else {
        Err(ArmError::OperationNotAllowed(format!(
            "Operation is not allowed because there's an in progress operation on the managed cluster (provisioning state: {state}). Please wait for it to finish before retrying."
        )))
    }
}

pub async fn load(cloud: &Cloud, key: &str) -> Result<Option<Doc>, ArmError> {
    cloud.store().get(RESOURCES, key).await.map_err(store_err)
}

/// The cluster's document, or Azure's 404 for it.
pub async fn require(cloud: &Cloud, auth_scope: &ResourceId) -> Result<Doc, ArmError> {
    let cluster = parent_resource(auth_scope)?;
    let segs = cluster.segments();
    load(cloud, cluster.key()).await?.ok_or_else(|| {
        not_found(
            &MANAGED_CLUSTERS,
            segs.get(7).copied().unwrap_or_default(),
            segs.get(3).copied().unwrap_or_default(),
        )
    })
}

/// Starts an operation that writes `body` as the cluster's new desired state
/// (agent pool changes) and reconciles it, as the cluster's own identity.
pub async fn start_update(
    cloud: &Arc<Cloud>,
    doc: &Doc,
    body: Value,
) -> Result<Operation, ArmError> {
    begin_update(cloud, doc, body, Some(doc.body.clone()), Vec::new()).await
}

/// Writes `body` (as `Updating`), `extra` and a reconcile operation in one
/// batch, guarded by the cluster's etag, and starts the operation. With
/// `previous`, the cluster acts as itself and a failure restores `previous`.
pub async fn begin_update(
    cloud: &Arc<Cloud>,
    doc: &Doc,
    mut body: Value,
    previous: Option<Value>,
    extra: Vec<Write>,
) -> Result<Operation, ArmError> {
    body["properties"]["provisioningState"] = json!("Updating");
    let loc = body["location"].as_str().unwrap_or("westus2").to_string();
    let work = Work::new(RECONCILE_CLUSTER, &doc.key).with("previous", json!(previous));
    let op = lro::operation(
        cloud,
        MANAGED_CLUSTERS.namespace,
        &loc,
        &doc.id,
        MANAGED_CLUSTERS.read,
        work,
    );
    let mut writes = vec![
        Write::Put {
            coll: RESOURCES,
            key: doc.key.clone(),
            id: doc.id.clone(),
            body,
            cond: Cond::Etag(doc.etag.clone()),
        },
        op.write(Cond::Absent),
    ];
    writes.extend(extra);
    cloud.commit(writes).await.map_err(write_err)?;
    lro::spawn(cloud, op.id.clone());
    Ok(op)
}
