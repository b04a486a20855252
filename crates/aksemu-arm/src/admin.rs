//! aksemu's own administration API (not part of Azure): used by the `aksemu` CLI,
//! authenticated as ARM is, and open to the bootstrap administrator only.

use aksemu_core::{ArmError, Principal, ResourceId};
use serde_json::{Value, json};

use crate::cloud::{Cloud, store_err};
use crate::collections::RESOURCES;
use crate::imds::Host;

fn admin_only(cloud: &Cloud, caller: &Principal) -> Result<(), ArmError> {
    if caller
        .object_id
        .eq_ignore_ascii_case(&cloud.admin_object_id)
    {
        Ok(())
    } else {
        Err(ArmError::AuthorizationFailed {
            client_id: caller.app_id.clone(),
            object_id: caller.object_id.clone(),
            action: "aksemu/admin/hosts/write".into(),
            scope: "/".into(),
            explanation: vec![
                json!({"reason": "the aksemu admin API is for the bootstrap administrator"}),
            ],
        })
    }
}

/// A user-assigned identity named by resource id or clientId.
async fn resolve_identity(cloud: &Cloud, name: &str) -> Result<Value, ArmError> {
    let not_found =
        || ArmError::InvalidRequestContent(format!("no user-assigned identity '{name}'"));
    let resource_id = if name.starts_with('/') {
        ResourceId::parse(name)?
    } else {
        let (_, sp) = cloud
            .service_principal_by_app_id(&cloud.tenant_id, name)
            .await?
            .filter(|(_, sp)| sp.service_principal_type == "ManagedIdentity")
            .ok_or_else(not_found)?;
        ResourceId::parse(sp.service_principal_names.get(1).ok_or_else(not_found)?)?
    };
    let doc = cloud
        .store
        .get(RESOURCES, resource_id.key())
        .await
        .map_err(store_err)?
        .filter(|d| d.body["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities")
        .ok_or_else(not_found)?;
    Ok(doc.body)
}

/// `POST /aksemu/admin/hosts {"identities": [id or clientId, …]}`: a host holding
/// those identities, for `aksemu env --identity`; or `{"resource": id}`: the host
/// that is that resource (a scale set), for `aksemu env --host`.
pub async fn create_host(
    cloud: &Cloud,
    caller: &Principal,
    body: &[u8],
) -> Result<Value, ArmError> {
    admin_only(cloud, caller)?;
    let body: Value =
        serde_json::from_slice(body).map_err(|e| ArmError::InvalidRequestContent(e.to_string()))?;
    if let Some(raw) = body["resource"].as_str() {
        let id = ResourceId::parse(raw)?;
        let doc = cloud
            .store
            .get(RESOURCES, id.key())
            .await
            .map_err(store_err)?
            .filter(|d| d.body["identity"].is_object())
            .ok_or_else(|| {
                ArmError::InvalidRequestContent(format!("no resource with an identity at '{raw}'"))
            })?;
        let host = cloud
            .ensure_resource_host(&ResourceId::parse(&doc.id)?)
            .await?;
        let identity = &doc.body["identity"];
        let users: Vec<Value> = identity["userAssignedIdentities"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| json!({"id": k, "clientId": v["clientId"], "principalId": v["principalId"]}))
                    .collect()
            })
            .unwrap_or_default();
        return Ok(json!({
            "token": host.token,
            "secret": host.secret,
            "resourceId": host.resource_id,
            "identities": users,
            "systemAssigned": identity["principalId"],
        }));
    }
    let names: Vec<&str> = body["identities"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if names.is_empty() {
        return Err(ArmError::InvalidRequestContent(
            "'identities' must name at least one identity".into(),
        ));
    }
    let mut identities = Vec::new();
    for n in names {
        identities.push(resolve_identity(cloud, n).await?);
    }
    let ids: Vec<String> = identities
        .iter()
        .filter_map(|i| i["id"].as_str().map(str::to_string))
        .collect();
    let first = ResourceId::parse(ids.first().map(String::as_str).unwrap_or("/"))?;
    let group = match (first.subscription_id(), first.resource_group_name()) {
        (Some(s), Some(g)) => ResourceId::resource_group(s, g),
        _ => ResourceId::subscription(&cloud.subscription_id),
    };
    let host: Host = cloud.ensure_host(&ids, &group).await?;
    Ok(json!({
        "token": host.token,
        "secret": host.secret,
        "resourceId": host.resource_id,
        "identities": identities.iter().map(|i| json!({
            "id": i["id"], "clientId": i["properties"]["clientId"], "principalId": i["properties"]["principalId"],
        })).collect::<Vec<_>>(),
    }))
}
