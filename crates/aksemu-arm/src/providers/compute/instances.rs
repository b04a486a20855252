//! A scale set's VM instances (`…/virtualMachineScaleSets/{vmss}/virtualMachines/{i}`):
//! one per unit of the scale set's capacity, the nodes' `providerID`s. An
//! instance is rendered from its scale set; what is its own (the data disks
//! attached to it) is kept in `INSTANCE_DISKS`. A PUT attaches and detaches
//! disks: each newly attached disk must exist, be free, and the caller must be
//! allowed to write it (linked `Microsoft.Compute/disks/write`); the disks'
//! `managedBy` and `diskState` change in the same transaction.

use aksemu_authz::Authorized;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, Doc, Write, store_err};
use serde_json::{Value, json};

use super::{DISKS, SCALE_SET_VMS, VIRTUAL_MACHINE_SCALE_SETS};
use crate::cloud::Cloud;
use crate::collections::RESOURCES;
use crate::providers::json_object;
use crate::providers::tracked::{not_found, parent_resource, write_err};
use aksemu_core::request::{ArmRequest, ArmResponse};

/// The data disks of each instance, by the instance id's key.
pub const INSTANCE_DISKS: &str = "vmssInstanceDisks";
const DISK_WRITE: &str = "Microsoft.Compute/disks/write";

async fn load_scale_set(
    cloud: &Cloud,
    auth: &Authorized,
    rg: &str,
    vmss: &str,
) -> Result<Doc, ArmError> {
    cloud
        .store()
        .get(RESOURCES, parent_resource(auth.scope())?.key())
        .await
        .map_err(store_err)?
        .ok_or_else(|| not_found(&VIRTUAL_MACHINE_SCALE_SETS, vmss, rg))
}

fn capacity(vmss: &Value) -> u64 {
    vmss["sku"]["capacity"].as_u64().unwrap_or(0)
}

/// Six base-36 digits, as scale-set instances' computer names end.
pub fn base36(mut n: u64) -> String {
    const D: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = D[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A stable id derived from the instance's resource id.
fn vm_id(key: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, key.as_bytes());
    let b = d.as_ref();
    let hex: String = b[..16].iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn instance_not_found(vmss: &str, i: &str, rg: &str) -> ArmError {
    ArmError::ResourceNotFound {
        resource_type: "Microsoft.Compute/virtualMachineScaleSets/virtualMachines".into(),
        name: format!("{vmss}/{i}"),
        group: rg.to_string(),
    }
}

/// The resource id of instance `i` of `vmss`.
fn instance_id(vmss: &Doc, i: u64) -> String {
    format!("{}/{}/{i}", vmss.id, SCALE_SET_VMS.type_name)
}

/// Instance `i` of `vmss`, with its data disks.
fn render(vmss: &Doc, i: u64, disks: &Value) -> Value {
    let id = instance_id(vmss, i);
    let b = &vmss.body;
    let name = b["name"].as_str().unwrap_or_default();
    let prefix = b["properties"]["virtualMachineProfile"]["osProfile"]["computerNamePrefix"]
        .as_str()
        .unwrap_or(name);
    let mut vm = json!({
        "id": id, "name": format!("{name}_{i}"), "type": "Microsoft.Compute/virtualMachineScaleSets/virtualMachines",
        "location": b["location"], "tags": b["tags"], "instanceId": i.to_string(),
        "sku": {"name": b["sku"]["name"], "tier": "Standard"},
        "properties": {
            "latestModelApplied": true, "provisioningState": "Succeeded",
            "vmId": vm_id(&id.to_ascii_lowercase()),
            "hardwareProfile": {"vmSize": b["sku"]["name"]},
            "osProfile": {"computerName": format!("{prefix}{}", base36(i)), "adminUsername": "azureuser"},
            "storageProfile": {
                "osDisk": {"name": format!("{name}_{i}_OsDisk_1"), "osType": "Linux", "createOption": "FromImage",
                           "caching": "ReadOnly", "managedDisk": {"storageAccountType": "Premium_LRS"}},
                "dataDisks": if disks.is_array() { disks.clone() } else { json!([]) },
            },
            "networkProfile": b["properties"]["virtualMachineProfile"]["networkProfile"],
        },
    });
    if let Some(z) = b["zones"].as_array().filter(|z| !z.is_empty()) {
        vm["zones"] = json!([z[(i as usize) % z.len()]]);
    }
    vm
}

fn index(i: &str, vmss: &Doc, rg: &str) -> Result<u64, ArmError> {
    let name = vmss.body["name"].as_str().unwrap_or_default();
    i.parse::<u64>()
        .ok()
        // One spelling per instance ("01" and "+1" are not instance 1).
        .filter(|n| n.to_string() == i && *n < capacity(&vmss.body))
        .ok_or_else(|| instance_not_found(name, i, rg))
}

async fn stored_disks(cloud: &Cloud, key: &str) -> Result<Option<Doc>, ArmError> {
    cloud
        .store()
        .get(INSTANCE_DISKS, key)
        .await
        .map_err(store_err)
}

pub async fn get(
    cloud: &Cloud,
    auth: &Authorized,
    rg: &str,
    vmss: &str,
    i: &str,
) -> Result<ArmResponse, ArmError> {
    let doc = load_scale_set(cloud, auth, rg, vmss).await?;
    let n = index(i, &doc, rg)?;
    let disks = stored_disks(cloud, auth.scope().key()).await?;
    let data = disks
        .map(|d| d.body["dataDisks"].clone())
        .unwrap_or(Value::Null);
    Ok(ArmResponse::json(200, render(&doc, n, &data)))
}

pub async fn list(
    cloud: &Cloud,
    auth: &Authorized,
    rg: &str,
    vmss: &str,
) -> Result<ArmResponse, ArmError> {
    let doc = load_scale_set(cloud, auth, rg, vmss).await?;
    let prefix = format!("{}/virtualmachines/", doc.key);
    let held = cloud
        .store()
        .list(INSTANCE_DISKS, &prefix)
        .await
        .map_err(store_err)?;
    let value: Vec<Value> = (0..capacity(&doc.body))
        .map(|i| {
            let key = format!("{prefix}{i}");
            let data = held
                .iter()
                .find(|d| d.key == key)
                .map(|d| d.body["dataDisks"].clone());
            render(&doc, i, &data.unwrap_or(Value::Null))
        })
        .collect();
    Ok(ArmResponse::json(200, json!({ "value": value })))
}

/// The managed-disk ids a list of data disks names (lower-cased keys).
fn disk_ids(disks: &Value) -> Result<Vec<ResourceId>, ArmError> {
    disks
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let raw = d["managedDisk"]["id"].as_str().unwrap_or_default();
            ResourceId::parse(raw).map_err(|_| ArmError::LinkedInvalidPropertyId(raw.to_string()))
        })
        .collect()
}

pub async fn put(
    cloud: &Cloud,
    auth: &Authorized,
    rg: &str,
    vmss: &str,
    i: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let doc = load_scale_set(cloud, auth, rg, vmss).await?;
    let n = index(i, &doc, rg)?;
    let body = Value::Object(json_object(&req.body)?);
    let wanted = body["properties"]["storageProfile"]["dataDisks"].clone();
    let wanted = if wanted.is_array() { wanted } else { json!([]) };
    let key = auth.scope().key().to_string();
    let held = stored_disks(cloud, &key).await?;
    let before = disk_ids(
        &held
            .as_ref()
            .map(|d| d.body["dataDisks"].clone())
            .unwrap_or(Value::Null),
    )?;
    let after = disk_ids(&wanted)?;
    let vm_id = instance_id(&doc, n);
    let mut writes = Vec::new();
    for d in after
        .iter()
        .filter(|d| !before.iter().any(|b| b.key() == d.key()))
    {
        writes.push(attach(cloud, auth, d, &vm_id).await?);
    }
    for d in before
        .iter()
        .filter(|b| !after.iter().any(|a| a.key() == b.key()))
    {
        writes.extend(detach(cloud, d, &vm_id).await?);
    }
    let shaped = shape_data_disks(&wanted);
    writes.push(Write::Put {
        coll: INSTANCE_DISKS,
        key: key.clone(),
        id: vm_id,
        body: json!({ "dataDisks": shaped }),
        cond: held.map_or(Cond::Absent, |d| Cond::Etag(d.etag)),
    });
    cloud.commit(writes).await.map_err(write_err)?;
    Ok(ArmResponse::json(200, render(&doc, n, &shaped)))
}

/// The data disks as Azure keeps them (attached, with their state).
fn shape_data_disks(wanted: &Value) -> Value {
    let list: Vec<Value> = wanted
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let mut d = d.clone();
            d["createOption"] = json!("Attach");
            if d["caching"].is_null() {
                d["caching"] = json!("None");
            }
            d["toBeDetached"] = json!(false);
            d
        })
        .collect();
    Value::Array(list)
}

/// The write that marks disk `id` attached to `vm`, after the linked check.
async fn attach(
    cloud: &Cloud,
    auth: &Authorized,
    id: &ResourceId,
    vm: &str,
) -> Result<Write, ArmError> {
    if !cloud.rbac.check(auth.principal(), DISK_WRITE, id) {
        return Err(crate::providers::linked_denied(
            auth,
            DISK_WRITE,
            id.as_str(),
        ));
    }
    let disk = cloud
        .store()
        .get(RESOURCES, id.key())
        .await
        .map_err(store_err)?;
    let name = id
        .segments()
        .last()
        .copied()
        .unwrap_or_default()
        .to_string();
    let group = id
        .segments()
        .get(3)
        .copied()
        .unwrap_or_default()
        .to_string();
    let disk = disk.ok_or_else(|| not_found(&DISKS, &name, &group))?;
    if let Some(holder) = disk.body["managedBy"]
        .as_str()
        .filter(|h| !h.eq_ignore_ascii_case(vm))
    {
        return Err(ArmError::OperationNotAllowed(format!(
            "Disk {name} is already attached to VM {holder}."
        )));
    }
    let mut body = disk.body.clone();
    body["managedBy"] = json!(vm);
    body["properties"]["diskState"] = json!("Attached");
    Ok(Write::Put {
        coll: RESOURCES,
        key: disk.key,
        id: disk.id,
        body,
        cond: Cond::Etag(disk.etag),
    })
}

/// The write that frees disk `id` from `vm` (none if it is gone or another VM holds it).
async fn detach(cloud: &Cloud, id: &ResourceId, vm: &str) -> Result<Option<Write>, ArmError> {
    let Some(disk) = cloud
        .store()
        .get(RESOURCES, id.key())
        .await
        .map_err(store_err)?
    else {
        return Ok(None);
    };
    if !disk.body["managedBy"]
        .as_str()
        .is_some_and(|h| h.eq_ignore_ascii_case(vm))
    {
        return Ok(None);
    }
    let mut body = disk.body.clone();
    if let Some(o) = body.as_object_mut() {
        o.remove("managedBy");
    }
    body["properties"]["diskState"] = json!("Unattached");
    Ok(Some(Write::Put {
        coll: RESOURCES,
        key: disk.key,
        id: disk.id,
        body,
        cond: Cond::Etag(disk.etag),
    }))
}
