//! Tracked resources served "as far as identities and AKS go": `sku`, `kind` and
//! `properties` kept as sent (plus `provisioningState`), an `identity` block
//! through the shared capability for types that accept one, and a per-type hook
//! for the read-only fields Azure fills (subnet ids, a registry's login server).

use aksemu_authz::Authorized;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::Write;
use serde_json::{Value, json};

use crate::cloud::Cloud;
use crate::collections::RESOURCES;
use crate::endpoint::{Endpoint, Namespace, ResourceType, RgOp};
use crate::providers::identity_block;
use crate::providers::put_target::{PutTarget, always, put_target};
use crate::providers::tracked::{system_data, with_etag, write_err};
use crate::registry::Provider;
use aksemu_core::request::{ArmRequest, ArmResponse, Method};
use async_trait::async_trait;
use std::sync::Arc;

/// A namespace whose resources are all served generically.
pub struct Generic(pub &'static Namespace);

#[async_trait]
impl Provider<Cloud> for Generic {
    fn namespace(&self) -> &'static Namespace {
        self.0
    }

    async fn handle(
        &self,
        cloud: &Arc<Cloud>,
        auth: &Authorized,
        ep: &Endpoint,
        req: &ArmRequest,
    ) -> Result<ArmResponse, ArmError> {
        handle(cloud, auth, ep, req, keep).await
    }

    fn samples(&self, sub: &str, rg: &str) -> Vec<(Method, String)> {
        self.0
            .types
            .iter()
            .map(|t| {
                let id = crate::endpoint::resource_id(t, sub, rg, "r1");
                (Method::Put, id.as_str().to_string())
            })
            .collect()
    }
}

/// The generic answer to a tracked resource's endpoints: PUT keeps what was
/// sent (shaped by `shape`), the rest reads, patches, deletes and lists.
pub async fn handle(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    ep: &Endpoint,
    req: &ArmRequest,
    shape: Shape,
) -> Result<ArmResponse, ArmError> {
    use crate::providers::tracked;
    match ep {
        Endpoint::Resource { rtype, op, .. } => match op {
            RgOp::Put => put(cloud, auth, rtype, req, shape).await,
            RgOp::Get => tracked::get(cloud, auth, rtype, false).await,
            RgOp::Head => tracked::get(cloud, auth, rtype, true).await,
            RgOp::Patch => tracked::patch(cloud, auth, rtype, req).await,
            RgOp::Delete => tracked::delete(cloud, auth, req).await,
        },
        Endpoint::ListResources { rtype, .. } => {
            tracked::list_of_type(cloud, auth, rtype, req).await
        }
        _ => Err(ArmError::UnsupportedHttpMethod(
            req.method.as_str().to_string(),
        )),
    }
}

/// Fills the read-only parts of a rendered resource (its id is known by then).
pub type Shape = fn(&ResourceId, &mut Value) -> Result<(), ArmError>;

pub fn keep(_: &ResourceId, _: &mut Value) -> Result<(), ArmError> {
    Ok(())
}

/// The identity block, for types that take one.
async fn identity(
    cloud: &Cloud,
    auth: &Authorized,
    rtype: &ResourceType,
    t: &PutTarget,
) -> Result<identity_block::Outcome, ArmError> {
    if !rtype.accepts_identity {
        return Ok(identity_block::Outcome {
            identity: None,
            writes: Vec::new(),
        });
    }
    let stored = t.old().map(|b| &b["identity"]);
    identity_block::apply(cloud, auth, &t.id, stored, t.body.get("identity")).await
}

/// The client's properties, provisioned, with Azure's generated id
/// (`uniqueId` on scale sets, `resourceGuid` on network resources) kept
/// across updates.
fn properties(rtype: &ResourceType, t: &PutTarget) -> Result<Value, ArmError> {
    let mut properties = t
        .body
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if !properties.is_object() {
        return Err(ArmError::InvalidRequestContent(
            "'properties' must be an object.".into(),
        ));
    }
    properties["provisioningState"] = json!("Succeeded");
    let guid_field = if rtype.namespace == "Microsoft.Compute" {
        "uniqueId"
    } else {
        "resourceGuid"
    };
    properties[guid_field] = t
        .old()
        .map(|b| b["properties"][guid_field].clone())
        .filter(|v| v.is_string())
        .unwrap_or_else(|| json!(uuid::Uuid::new_v4().to_string()));
    Ok(properties)
}

/// PUT of the resource the caller was authorised for (`auth.scope()`).
pub async fn put(
    cloud: &Cloud,
    auth: &Authorized,
    rtype: &ResourceType,
    req: &ArmRequest,
    shape: Shape,
) -> Result<ArmResponse, ArmError> {
    let t = put_target(cloud, auth, rtype, req, always).await?;
    let outcome = identity(cloud, auth, rtype, &t).await?;
    let mut rendered = json!({
        "id": t.id.as_str(),
        "name": t.id.segments().last(),
        "type": rtype.full_name(),
        "location": t.location,
        "tags": t.tags.clone().unwrap_or_else(|| json!({})),
        "properties": properties(rtype, &t)?,
        "systemData": system_data(t.existing.as_ref(), auth.principal(), &cloud.now_rfc3339()),
    });
    for k in ["sku", "kind", "zones"] {
        if let Some(v) = t.body.get(k) {
            rendered[k] = v.clone();
        }
    }
    if let Some(i) = outcome.identity {
        rendered["identity"] = i;
    }
    shape(&t.id, &mut rendered)?;
    let mut writes = vec![Write::Put {
        coll: RESOURCES,
        key: t.id.key().to_string(),
        id: t.id.as_str().to_string(),
        body: rendered.clone(),
        cond: t.cond,
    }];
    writes.extend(outcome.writes);
    let etags = cloud.commit(writes).await.map_err(write_err)?;
    let status = if t.existing.is_some() { 200 } else { 201 };
    Ok(with_etag(
        ArmResponse::json(status, rendered),
        etags.first(),
    ))
}
