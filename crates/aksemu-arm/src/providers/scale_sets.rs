//! Virtual machine scale sets (Microsoft.Compute/virtualMachineScaleSets), as far
//! as identities go: a tracked resource with `sku`, `properties` kept as sent, and
//! an `identity` block through the shared capability. A scale set is also a host
//! for the managed-identity endpoints (`aksemu env --host <id>`).

use aksemu_authz::Authorized;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::Write;
use serde_json::json;

use crate::cloud::{Cloud, store_err};
use crate::collections::RESOURCES;
use crate::conditional::precondition;
use crate::endpoint::ResourceType;
use crate::providers::identity_block;
use crate::providers::tracked::{
    group_name, location, parent_group, system_data, with_etag, write_err,
};
use crate::providers::{json_object, tags};
use crate::request::{ArmRequest, ArmResponse};

pub async fn put(
    cloud: &Cloud,
    auth: &Authorized,
    rtype: &ResourceType,
    sub: &str,
    rg: &str,
    name: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let group = parent_group(cloud, sub, rg).await?;
    let body = json_object(&req.body)?;
    let loc = location(&body, rtype)?;
    let tags = tags(body.get("tags"))?;
    let existing = cloud
        .store
        .get(RESOURCES, auth.scope().key())
        .await
        .map_err(store_err)?;
    let cond = precondition(
        req.if_match.as_deref(),
        req.if_none_match.as_deref(),
        existing.as_ref().map(|d| d.etag.as_str()),
    )?;
    if let Some(doc) = &existing
        && doc.body["location"].as_str() != Some(loc)
    {
        return Err(ArmError::InvalidResourceLocation {
            name: name.to_string(),
            existing: doc.body["location"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            group: group_name(&group),
            requested: loc.to_string(),
        });
    }
    let id = match &existing {
        Some(doc) => ResourceId::parse(&doc.id)?,
        None => ResourceId::resource_group(sub, &group_name(&group)).child(&[
            "providers",
            rtype.namespace,
            rtype.type_name,
            name,
        ]),
    };
    let outcome = identity_block::apply(
        cloud,
        auth,
        &id,
        existing.as_ref().map(|d| &d.body["identity"]),
        body.get("identity"),
    )
    .await?;
    let mut properties = body.get("properties").cloned().unwrap_or_else(|| json!({}));
    if !properties.is_object() {
        return Err(ArmError::InvalidRequestContent(
            "'properties' must be an object.".into(),
        ));
    }
    properties["provisioningState"] = json!("Succeeded");
    properties["uniqueId"] = existing
        .as_ref()
        .map(|d| d.body["properties"]["uniqueId"].clone())
        .unwrap_or_else(|| json!(uuid::Uuid::new_v4().to_string()));
    let mut rendered = json!({
        "id": id.as_str(),
        "name": id.segments().last(),
        "type": format!("{}/{}", rtype.namespace, rtype.type_name),
        "location": loc,
        "tags": tags.unwrap_or_else(|| json!({})),
        "sku": body.get("sku").cloned().unwrap_or_else(|| json!({"name": "Standard_DS2_v2", "tier": "Standard", "capacity": 0})),
        "properties": properties,
        "systemData": system_data(existing.as_ref(), auth.principal(), &cloud.now_rfc3339()),
    });
    if let Some(i) = outcome.identity {
        rendered["identity"] = i;
    }
    let mut writes = vec![Write::Put {
        coll: RESOURCES,
        key: id.key().to_string(),
        id: id.as_str().to_string(),
        body: rendered.clone(),
        cond,
    }];
    writes.extend(outcome.writes);
    let etags = cloud.store.apply(writes).await.map_err(write_err)?;
    let status = if existing.is_some() { 200 } else { 201 };
    Ok(with_etag(
        ArmResponse::json(status, rendered),
        etags.first(),
    ))
}
