//! The long-running operation engine. Starting one writes its record in the
//! same transaction as the state change that announces it (e.g. a group turning
//! `Deleting`); a task then runs the work its kind registered and marks the
//! record terminal, again in one transaction. Operations left running by a
//! stopped server resume at start.

use std::sync::Arc;

use aksemu_core::ArmError;
use aksemu_store::{Cond, Doc, StoreError, Write, store_err};
use serde_json::json;

use crate::cloud::Cloud;
use crate::collections::{OPERATIONS, RESOURCES};
use crate::effects::Effects;
use crate::operation::{Operation, Origin, Work};
use aksemu_core::request::ArmResponse;

/// A new operation record for work on `doc`-like targets, reported under
/// `namespace` at `location`.
pub fn operation(
    cloud: &Cloud,
    namespace: &str,
    location: &str,
    target_id: &str,
    read_action: &str,
    work: Work,
) -> Operation {
    let origin = Origin {
        subscription_id: &cloud.subscription_id,
        namespace,
        location,
    };
    Operation::new(origin, cloud.now_rfc3339(), target_id, read_action, work)
}

/// Deletes that run as operations: writes `doc` as `Deleting` (guarded by
/// `cond`) with the operation record in one batch, starts the work, and answers
/// 202 with the polling headers.
pub async fn begin_delete(
    cloud: &Arc<Cloud>,
    doc: &Doc,
    cond: Cond,
    (namespace, read_action): (&str, &str),
    work: Work,
    (base_url, api_version): (&str, &str),
) -> Result<ArmResponse, ArmError> {
    let mut body = doc.body.clone();
    body["properties"]["provisioningState"] = json!("Deleting");
    let location = body["location"].as_str().unwrap_or("westus2").to_string();
    let op = operation(cloud, namespace, &location, &doc.id, read_action, work);
    cloud
        .commit(vec![
            Write::Put {
                coll: RESOURCES,
                key: doc.key.clone(),
                id: doc.id.clone(),
                body,
                cond,
            },
            op.write(Cond::Absent),
        ])
        .await
        .map_err(|e| match e {
            StoreError::PreconditionFailed { .. } => ArmError::PreconditionFailed,
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

/// Work whose kind takes virtual time runs once the cloud clock passed its
/// start + that duration (polling the clock, which `aksemu clock` may move).
async fn wait_until_due(cloud: &Cloud, id: &str) {
    let Ok(op) = Operation::load(cloud.store(), id).await else {
        return;
    };
    let secs = cloud
        .registry()
        .job_of(&op.work.kind)
        .map_or(0, |j| j.duration_secs());
    if secs <= 0 {
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
    let docs = cloud
        .store()
        .list(OPERATIONS, "")
        .await
        .map_err(store_err)?;
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
    let (mut op, etag) = Operation::load_with_etag(cloud.store(), id).await?;
    if op.is_terminal() {
        return Ok(());
    }
    let job = cloud
        .registry()
        .job_of(&op.work.kind)
        .cloned()
        .ok_or(ArmError::InternalServerError)?;
    let Effects { mut writes } = match job.run(cloud, &op.work).await {
        Ok(r) => {
            op.status = "Succeeded".to_string();
            r
        }
        Err(ArmError::ConcurrentUpdate) => return Err(ArmError::ConcurrentUpdate),
        Err(e) => {
            tracing::warn!(operation = %id, error = %e, "operation failed");
            op.status = "Failed".to_string();
            op.error = Some(e.to_body()["error"].clone());
            job.failed(cloud, &op.work).await?
        }
    };
    op.end_time = Some(cloud.now_rfc3339());
    // Only the run that still sees the record as we read it may finish it.
    writes.push(op.write(Cond::Etag(etag)));
    cloud.commit(writes).await.map_err(store_err)?;
    Ok(())
}
