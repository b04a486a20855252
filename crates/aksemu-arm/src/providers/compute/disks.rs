//! Managed disks: the read-only parts Azure fills (state, size in bytes,
//! creation time) and a delete that refuses a disk still attached to a VM.

use aksemu_authz::Authorized;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::store_err;
use serde_json::{Value, json};

use crate::cloud::Cloud;
use crate::collections::RESOURCES;
use aksemu_core::request::{ArmRequest, ArmResponse};

/// The `Shape` of a disk's PUT (a new disk is unattached; `managedBy` is
/// written only by attaching it to a VM).
pub fn shape(_: &ResourceId, body: &mut Value) -> Result<(), ArmError> {
    if body["sku"].is_null() {
        body["sku"] = json!({"name": "Standard_LRS", "tier": "Standard"});
    }
    let props = &mut body["properties"];
    let create = props["creationData"]["createOption"]
        .as_str()
        .unwrap_or("Empty");
    let size = props["diskSizeGB"].as_i64();
    if create.eq_ignore_ascii_case("Empty") && size.is_none_or(|s| s <= 0) {
        return Err(ArmError::InvalidParameter {
            target: "diskSizeGB".into(),
            message: "Required parameter 'diskSizeGB' is missing (null).".into(),
        });
    }
    if props["creationData"].is_null() {
        props["creationData"] = json!({"createOption": "Empty"});
    }
    if let Some(gb) = size {
        props["diskSizeBytes"] = json!(gb.saturating_mul(1 << 30));
    }
    props["diskState"] = json!("Unattached");
    Ok(())
}

/// A disk a VM holds is not rewritten (its attachment would be lost).
pub async fn refuse_if_attached(cloud: &Cloud, auth: &Authorized) -> Result<(), ArmError> {
    let stored = cloud
        .store()
        .get(RESOURCES, auth.scope().key())
        .await
        .map_err(store_err)?;
    match stored.as_ref().and_then(|d| d.body["managedBy"].as_str()) {
        Some(vm) => Err(attached(auth, vm)),
        None => Ok(()),
    }
}

fn attached(auth: &Authorized, vm: &str) -> ArmError {
    ArmError::OperationNotAllowed(format!(
        "Disk {} is attached to VM {vm}.",
        auth.scope().segments().last().copied().unwrap_or_default()
    ))
}

/// DELETE of a disk: refused while a VM holds it (`OperationNotAllowed`); the
/// delete is conditional on the document checked, so an attach in between wins.
pub async fn delete(
    cloud: &Cloud,
    auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let Some(doc) = cloud
        .store()
        .get(RESOURCES, auth.scope().key())
        .await
        .map_err(store_err)?
    else {
        return Ok(ArmResponse::empty(204));
    };
    if let Some(vm) = doc.body["managedBy"].as_str() {
        return Err(attached(auth, vm));
    }
    let cond = crate::conditional::precondition(req.if_match.as_deref(), None, Some(&doc.etag))?;
    let cond = match cond {
        aksemu_store::Cond::Any => aksemu_store::Cond::Etag(doc.etag.clone()),
        c => c,
    };
    let write = aksemu_store::Write::Delete {
        coll: RESOURCES,
        key: doc.key,
        cond,
    };
    cloud
        .commit(vec![write])
        .await
        .map_err(crate::providers::tracked::write_err)?;
    Ok(ArmResponse::empty(200))
}
