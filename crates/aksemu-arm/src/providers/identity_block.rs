//! The `identity` block of tracked resources, shared by every resource type that
//! accepts one: `SystemAssigned` gives the resource its own principal (kept across
//! updates, deleted with the resource or when the type drops it), `UserAssigned`
//! attaches existing identities, each of which the caller must be allowed to
//! assign (`…/userAssignedIdentities/assign/action`, else LinkedAuthorizationFailed).

use aksemu_authz::Authorized;
use aksemu_core::{ArmError, IdentityBlock, ResourceId};
use aksemu_identity::ServicePrincipal;
use aksemu_store::{Cond, Write};
use serde_json::{Map, Value, json};

use aksemu_store::store_err;

use crate::cloud::Cloud;
use crate::collections::RESOURCES;
use aksemu_entra::directory::{delete_service_principal, put_service_principal};

pub const ASSIGN_ACTION: &str = "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action";

/// The rendered block, and the principal writes that go with it.
pub struct Outcome {
    pub identity: Option<Value>,
    pub writes: Vec<Write>,
}

fn parse_type(t: &str) -> Result<(bool, bool), ArmError> {
    let parts: Vec<String> = t
        .split(',')
        .map(|p| p.trim().to_ascii_lowercase())
        .collect();
    let mut system = false;
    let mut user = false;
    for p in &parts {
        match p.as_str() {
            "systemassigned" => system = true,
            "userassigned" => user = true,
            "none" if parts.len() == 1 => {}
            _ => return Err(ArmError::InvalidIdentityType(t.to_string())),
        }
    }
    Ok((system, user))
}

fn type_name(system: bool, user: bool) -> &'static str {
    match (system, user) {
        (true, true) => "SystemAssigned, UserAssigned",
        (true, false) => "SystemAssigned",
        (false, true) => "UserAssigned",
        (false, false) => "None",
    }
}

/// A managed identity's backing service principal (a user-assigned identity's
/// or a resource's system-assigned one), named `name`.
pub fn new_principal(cloud: &Cloud, id: &ResourceId, name: &str) -> ServicePrincipal {
    let client_id = uuid::Uuid::new_v4().to_string();
    ServicePrincipal {
        id: uuid::Uuid::new_v4().to_string(),
        app_id: client_id.clone(),
        display_name: name.to_string(),
        tenant_id: cloud.entra.tenant_id.clone(),
        service_principal_type: "ManagedIdentity".to_string(),
        service_principal_names: vec![client_id, id.as_str().to_string()],
        account_enabled: true,
    }
}

/// The resource's own principal: kept, created (`SystemAssigned` added), or
/// removed with its role assignments (`SystemAssigned` dropped).
async fn system_principal(
    cloud: &Cloud,
    resource: &ResourceId,
    system: bool,
    existing: Option<&Value>,
    writes: &mut Vec<Write>,
) -> Result<Option<String>, ArmError> {
    let old = existing
        .and_then(|e| e.get("principalId"))
        .and_then(Value::as_str)
        .map(str::to_string);
    match (system, old) {
        (true, Some(p)) => Ok(Some(p)),
        (true, None) => {
            let name = resource.segments().last().copied().unwrap_or_default();
            let sp = new_principal(cloud, resource, name);
            writes.extend(put_service_principal(&sp, Cond::Absent));
            Ok(Some(sp.id))
        }
        (false, Some(old)) => {
            writes.extend(principal_removal(cloud, &old).await?);
            Ok(None)
        }
        (false, None) => Ok(None),
    }
}

/// The user-assigned identities requested, each one the caller may assign.
async fn attached_identities(
    cloud: &Cloud,
    auth: &Authorized,
    requested: Option<&Value>,
) -> Result<Map<String, Value>, ArmError> {
    let ids = requested
        .and_then(|r| r.get("userAssignedIdentities"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if ids.is_empty() {
        return Err(ArmError::InvalidRequestContent(
            "'identity.userAssignedIdentities' must name at least one identity for type UserAssigned.".into(),
        ));
    }
    let mut attached = Map::new();
    for raw in ids.keys() {
        let doc = assignable_identity(cloud, auth, raw).await?;
        let p = &doc.body["properties"];
        let ids = json!({"principalId": p["principalId"], "clientId": p["clientId"]});
        attached.insert(doc.id.clone(), ids);
    }
    Ok(attached)
}

/// Applies a requested identity block over the existing one for `resource`.
pub async fn apply(
    cloud: &Cloud,
    auth: &Authorized,
    resource: &ResourceId,
    existing: Option<&Value>,
    requested: Option<&Value>,
) -> Result<Outcome, ArmError> {
    let requested_type = requested
        .and_then(|r| r.get("type"))
        .and_then(Value::as_str);
    let (system, user) = match requested_type {
        Some(t) => parse_type(t)?,
        None => (false, false),
    };
    let mut writes = Vec::new();
    let principal_id = system_principal(cloud, resource, system, existing, &mut writes).await?;
    let attached = match user {
        true => Some(attached_identities(cloud, auth, requested).await?),
        false => None,
    };
    if !(system || user) {
        return Ok(Outcome {
            identity: None,
            writes,
        });
    }
    let block = IdentityBlock {
        kind: type_name(system, user).to_string(),
        tenant_id: principal_id.as_ref().map(|_| cloud.entra.tenant_id.clone()),
        principal_id,
        user_assigned_identities: attached,
        ..IdentityBlock::default()
    };
    Ok(Outcome {
        identity: Some(block.to_value()),
        writes,
    })
}

/// The caller must be allowed to hand the identity `id` (as the client named it:
/// `raw`) to the resource it is writing.
pub fn require_assign(
    cloud: &Cloud,
    auth: &Authorized,
    id: &ResourceId,
    raw: &str,
) -> Result<(), ArmError> {
    if !cloud.rbac.check(auth.principal(), ASSIGN_ACTION, id) {
        return Err(crate::providers::linked_denied(auth, ASSIGN_ACTION, raw));
    }
    Ok(())
}

/// The stored user-assigned identity a request names, after checking the caller
/// may assign it (`LinkedAuthorizationFailed` otherwise).
pub async fn assignable_identity(
    cloud: &Cloud,
    auth: &Authorized,
    raw: &str,
) -> Result<aksemu_store::Doc, ArmError> {
    let id = ResourceId::parse(raw).map_err(|_| ArmError::LinkedInvalidPropertyId(raw.into()))?;
    require_assign(cloud, auth, &id, raw)?;
    cloud
        .store()
        .get(RESOURCES, id.key())
        .await
        .map_err(store_err)?
        .filter(|d| d.body["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities")
        .ok_or_else(|| ArmError::LinkedInvalidPropertyId(raw.into()))
}

/// Deletes a principal (and its appId index) if it exists.
pub async fn principal_removal(cloud: &Cloud, principal_id: &str) -> Result<Vec<Write>, ArmError> {
    Ok(match cloud.entra.service_principal(principal_id).await? {
        Some((_, sp)) => delete_service_principal(&sp),
        None => Vec::new(),
    })
}

/// Principals that live and die with a resource document: a user-assigned
/// identity's own, and any resource's system-assigned one.
pub async fn owned_principal_removal(cloud: &Cloud, body: &Value) -> Result<Vec<Write>, ArmError> {
    let mut writes = Vec::new();
    if body["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities"
        && let Some(p) = body["properties"]["principalId"].as_str()
    {
        writes.extend(principal_removal(cloud, p).await?);
    }
    if let Some(p) = IdentityBlock::of(body).and_then(|i| i.principal_id) {
        writes.extend(principal_removal(cloud, &p).await?);
    }
    Ok(writes)
}
