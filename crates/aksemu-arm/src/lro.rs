//! Long-running operations. Starting one writes its record in the same
//! transaction as the state change that announces it (e.g. a group turning
//! `Deleting`); a task then does the work and marks the record terminal, again in
//! one transaction. Operations left running by a stopped server resume at start.

use std::sync::Arc;

use aksemu_core::ArmError;
use aksemu_store::{Cond, Write};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::cloud::{Cloud, store_err};
use crate::collections::OPERATIONS;
use crate::endpoint::{MANAGED_CLUSTERS, RG_READ};
use crate::gate::operation_key;
use crate::providers::aks;
use crate::providers::cascade::{self, Effects};
use crate::request::ArmResponse;

/// The work an operation performs when it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Work {
    /// Remove the group and everything in it.
    DeleteResourceGroup { key: String },
    /// Bring a managed cluster's node resource group in line with the cluster
    /// document (create, update, agent pools, add-ons). With `previous` (an
    /// update), the cluster's own identity makes the changes, and a failure puts
    /// the previous document back (marked `Failed`).
    ReconcileCluster {
        key: String,
        #[serde(default)]
        previous: Option<Value>,
    },
    /// Remove a managed cluster, its node resource group and what they own.
    DeleteCluster { key: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub id: String,
    pub subscription_id: String,
    pub namespace: String,
    pub location: String,
    /// `InProgress`, `Succeeded`, `Failed` or `Canceled`.
    pub status: String,
    pub start_time: String,
    pub end_time: Option<String>,
    pub error: Option<Value>,
    pub target_id: String,
    pub work: Work,
}

impl Operation {
    pub fn new(
        cloud: &Cloud,
        namespace: &str,
        location: &str,
        target_id: &str,
        work: Work,
    ) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            subscription_id: cloud.subscription_id.clone(),
            namespace: namespace.to_string(),
            location: location.to_string(),
            status: "InProgress".to_string(),
            start_time: cloud.now_rfc3339(),
            end_time: None,
            error: None,
            target_id: target_id.to_string(),
            work,
        }
    }

    pub async fn load(cloud: &Cloud, id: &str) -> Result<Self, ArmError> {
        let doc = cloud
            .store
            .get(OPERATIONS, &operation_key(id))
            .await
            .map_err(store_err)?
            .ok_or_else(|| ArmError::OperationNotFound(id.to_string()))?;
        serde_json::from_value(doc.body).map_err(|_| ArmError::InternalServerError)
    }

    pub fn write(&self, cond: Cond) -> Write {
        Write::Put {
            coll: OPERATIONS,
            key: operation_key(&self.id),
            id: self.id.clone(),
            body: serde_json::to_value(self).unwrap_or_default(),
            cond,
        }
    }

    /// The action needed to follow this operation.
    pub fn read_action(&self) -> &'static str {
        match self.work {
            Work::DeleteResourceGroup { .. } => RG_READ,
            Work::ReconcileCluster { .. } | Work::DeleteCluster { .. } => MANAGED_CLUSTERS.read,
        }
    }

    pub fn is_terminal(&self) -> bool {
        matches!(self.status.as_str(), "Succeeded" | "Failed" | "Canceled")
    }

    fn url(&self, base: &str, kind: &str, api_version: &str) -> String {
        format!(
            "{base}/subscriptions/{}/providers/{}/locations/{}/{kind}/{}?api-version={api_version}",
            self.subscription_id, self.namespace, self.location, self.id
        )
    }

    /// Adds the polling headers to an accepted response. `Retry-After: 1`: az
    /// waits 30 s when it is absent or 0.
    pub fn accepted(&self, resp: ArmResponse, base: &str, api_version: &str) -> ArmResponse {
        resp.header(
            "Azure-AsyncOperation",
            self.url(base, "operationStatuses", api_version),
        )
        .header("Location", self.url(base, "operationResults", api_version))
        .header("Retry-After", "1")
    }

    pub fn status_body(&self) -> Value {
        let mut b = json!({
            "id": format!("/subscriptions/{}/providers/{}/locations/{}/operationStatuses/{}", self.subscription_id, self.namespace, self.location, self.id),
            "name": self.id,
            "status": self.status,
            "startTime": self.start_time,
        });
        if let Some(end) = &self.end_time {
            b["endTime"] = json!(end);
            b["percentComplete"] = json!(100);
        }
        if let Some(err) = &self.error {
            b["error"] = err.clone();
        }
        b
    }
}

/// Deletes that run as operations: writes `doc` as `Deleting` (guarded by
/// `cond`) with the operation record in one batch, starts the work, and answers
/// 202 with the polling headers.
pub async fn begin_delete(
    cloud: &Arc<Cloud>,
    doc: &aksemu_store::Doc,
    cond: Cond,
    namespace: &str,
    work: Work,
    base_url: &str,
    api_version: &str,
) -> Result<ArmResponse, ArmError> {
    let mut body = doc.body.clone();
    body["properties"]["provisioningState"] = json!("Deleting");
    let location = body["location"].as_str().unwrap_or("westus2").to_string();
    let op = Operation::new(cloud, namespace, &location, &doc.id, work);
    cloud
        .store
        .apply(vec![
            Write::Put {
                coll: crate::collections::RESOURCES,
                key: doc.key.clone(),
                id: doc.id.clone(),
                body,
                cond,
            },
            op.write(Cond::Absent),
        ])
        .await
        .map_err(|e| match e {
            aksemu_store::StoreError::PreconditionFailed { .. } => ArmError::PreconditionFailed,
            e => store_err(e),
        })?;
    spawn(cloud, op.id.clone());
    Ok(op.accepted(ArmResponse::empty(202), base_url, api_version))
}

/// Starts the operation's work in the background.
pub fn spawn(cloud: &Arc<Cloud>, id: String) {
    let cloud = cloud.clone();
    tokio::spawn(async move {
        wait_until_due(&cloud, &id).await;
        let start = std::time::Instant::now();
        let outcome = run(&cloud, &id).await;
        tracing::debug!(
            target: "aksemu::timing",
            operation = %id,
            micros = start.elapsed().as_micros() as u64,
            "operation"
        );
        if let Err(e) = outcome {
            tracing::error!(operation = %id, error = %e, "operation could not complete");
        }
    });
}

/// Cluster operations take `aks_operation_secs` of virtual time from their start:
/// wait (polling the clock, which `aksemu clock` may move) until then.
async fn wait_until_due(cloud: &Cloud, id: &str) {
    let secs = cloud
        .aks_operation_secs
        .load(std::sync::atomic::Ordering::Relaxed);
    if secs <= 0 {
        return;
    }
    let Ok(op) = Operation::load(cloud, id).await else {
        return;
    };
    if !matches!(
        op.work,
        Work::ReconcileCluster { .. } | Work::DeleteCluster { .. }
    ) {
        return;
    }
    let Ok(start) = time::OffsetDateTime::parse(
        &op.start_time,
        &time::format_description::well_known::Rfc3339,
    ) else {
        return;
    };
    let due = start + time::Duration::seconds(secs);
    while cloud.clock.now() < due {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Resumes operations that a previous run left in progress.
pub async fn resume_all(cloud: &Arc<Cloud>) -> Result<usize, ArmError> {
    let docs = cloud.store.list(OPERATIONS, "").await.map_err(store_err)?;
    let mut n = 0;
    for d in docs {
        if d.body["status"] == "InProgress"
            && let Some(id) = d.body["id"].as_str()
        {
            spawn(cloud, id.to_string());
            n += 1;
        }
    }
    Ok(n)
}

/// Runs an operation; a run that lost a race with a concurrent write (its
/// preconditions failed) starts over from what is stored now.
async fn run(cloud: &Cloud, id: &str) -> Result<(), ArmError> {
    let mut last = Ok(());
    for _ in 0..5 {
        last = run_once(cloud, id).await;
        match &last {
            Err(ArmError::ConcurrentUpdate) => continue,
            _ => break,
        }
    }
    last
}

async fn run_once(cloud: &Cloud, id: &str) -> Result<(), ArmError> {
    let doc = cloud
        .store
        .get(OPERATIONS, &operation_key(id))
        .await
        .map_err(store_err)?
        .ok_or_else(|| ArmError::OperationNotFound(id.to_string()))?;
    let mut op: Operation =
        serde_json::from_value(doc.body).map_err(|_| ArmError::InternalServerError)?;
    if op.is_terminal() {
        return Ok(());
    }
    let outcome = match &op.work {
        Work::DeleteResourceGroup { key } => cascade::group_removal(cloud, key).await,
        Work::ReconcileCluster { key, previous } => {
            aks::reconcile::run(cloud, key, previous.is_some()).await
        }
        Work::DeleteCluster { key } => aks::cluster::removal(cloud, key).await,
    };
    let Effects { mut writes, reload } = match outcome {
        Ok(r) => {
            op.status = "Succeeded".to_string();
            r
        }
        Err(ArmError::ConcurrentUpdate) => return Err(ArmError::ConcurrentUpdate),
        Err(e) => {
            tracing::warn!(operation = %id, error = %e, "operation failed");
            op.status = "Failed".to_string();
            op.error = Some(e.to_body()["error"].clone());
            match &op.work {
                Work::ReconcileCluster { key, previous } => {
                    aks::reconcile::failed(cloud, key, previous.as_ref()).await?
                }
                _ => Effects::default(),
            }
        }
    };
    op.end_time = Some(cloud.now_rfc3339());
    // Only the run that still sees the record as we read it may finish it.
    writes.push(op.write(Cond::Etag(doc.etag)));
    cloud.store.apply(writes).await.map_err(store_err)?;
    for p in reload {
        cloud.reload_assignments(&p).await?;
    }
    Ok(())
}
