//! Operation status (`Azure-AsyncOperation`) and operation result (`Location`)
//! endpoints for long-running operations.

use aksemu_authz::Authorized;
use aksemu_core::ArmError;

use crate::cloud::Cloud;
use crate::operation::Operation;
use aksemu_core::request::ArmResponse;

pub async fn status(cloud: &Cloud, _auth: &Authorized, id: &str) -> Result<ArmResponse, ArmError> {
    let op = Operation::load(cloud.store(), id).await?;
    let resp = ArmResponse::json(200, op.status_body());
    // az waits 30 s between polls unless the latest response says otherwise.
    Ok(if op.is_terminal() {
        resp
    } else {
        resp.header("Retry-After", "1")
    })
}

/// 202 while running; when done, 200 (or the failure, as an ARM error).
pub async fn result(
    cloud: &Cloud,
    _auth: &Authorized,
    id: &str,
    base: &str,
    api_version: &str,
) -> Result<ArmResponse, ArmError> {
    let op = Operation::load(cloud.store(), id).await?;
    match op.status.as_str() {
        "Succeeded" => Ok(ArmResponse::empty(200)),
        "Failed" | "Canceled" => Ok(ArmResponse::json(
            400,
            serde_json::json!({"error": op.error.clone().unwrap_or_default()}),
        )),
        _ => Ok(op.accepted(ArmResponse::empty(202), base, api_version)),
    }
}
