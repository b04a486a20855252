//! User-assigned managed identities (Microsoft.ManagedIdentity/userAssignedIdentities).
//! Each identity is backed by a service principal of type ManagedIdentity:
//! `principalId` is its object id, `clientId` its appId, and its names are the
//! clientId and the identity's resource id. Creating or deleting an identity
//! writes both in one transaction; re-creating one gives a new principal, and
//! role assignments that named the old one stay behind, as in Azure.

use aksemu_authz::Authorized;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, Write};
use async_trait::async_trait;
use serde_json::json;
use std::sync::Arc;

use aksemu_store::store_err;

use crate::cloud::Cloud;
use crate::collections::RESOURCES;
use crate::conditional::precondition;
use crate::endpoint::{ChildType, Endpoint, Namespace, ResourceType, RgOp};
use crate::providers::federated_credentials as fic;
use crate::providers::identity_block::new_principal;
use crate::providers::tracked::{
    group_name, location, parent_group, system_data, with_etag, write_err,
};
use crate::providers::{json_object, tags};
use crate::registry::Provider;
use aksemu_core::request::{ArmRequest, ArmResponse, Method};
use aksemu_entra::directory::put_service_principal;

pub const USER_ASSIGNED_IDENTITIES: ResourceType = ResourceType {
    namespace: "Microsoft.ManagedIdentity",
    type_name: "userAssignedIdentities",
    read: "Microsoft.ManagedIdentity/userAssignedIdentities/read",
    write: "Microsoft.ManagedIdentity/userAssignedIdentities/write",
    delete: "Microsoft.ManagedIdentity/userAssignedIdentities/delete",
    accepts_identity: false,
};

pub const FEDERATED_IDENTITY_CREDENTIALS: ChildType = ChildType {
    parent: &USER_ASSIGNED_IDENTITIES,
    type_name: "federatedIdentityCredentials",
    read: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read",
    write: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
    delete: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete",
};

pub const NAMESPACE: Namespace = Namespace {
    name: "Microsoft.ManagedIdentity",
    register: "Microsoft.ManagedIdentity/register/action",
    unregister: "Microsoft.ManagedIdentity/unregister/action",
    listed_types: &[
        "userAssignedIdentities",
        "userAssignedIdentities/federatedIdentityCredentials",
        "Identities",
        "operations",
    ],
    types: &[&USER_ASSIGNED_IDENTITIES],
    children: &[&FEDERATED_IDENTITY_CREDENTIALS],
    actions: &[],
    location_reads: &[],
    provider_actions: &[],
};

/// Microsoft.ManagedIdentity: a PUT creates the backing principal; the rest is
/// generic.
pub struct ManagedIdentities;

#[async_trait]
impl Provider<Cloud> for ManagedIdentities {
    fn namespace(&self) -> &'static Namespace {
        &NAMESPACE
    }

    async fn handle(
        &self,
        cloud: &Arc<Cloud>,
        auth: &Authorized,
        ep: &Endpoint,
        req: &ArmRequest,
    ) -> Result<ArmResponse, ArmError> {
        match ep {
            Endpoint::Resource {
                rtype,
                sub,
                rg,
                name,
                op: RgOp::Put,
            } => put(cloud, auth, rtype, sub, rg, name, req).await,
            Endpoint::Resource {
                op: RgOp::Delete, ..
            } => {
                let extra = fic::removal(&cloud.store(), auth.scope().key()).await?;
                crate::providers::tracked::delete_with(cloud, auth, req, extra).await
            }
            Endpoint::ChildResource {
                rg,
                name,
                child_name,
                op,
                ..
            } => match op {
                RgOp::Get | RgOp::Head => fic::get(cloud, auth, rg, name, child_name).await,
                RgOp::Put => fic::put(cloud, auth, rg, name, child_name, req).await,
                RgOp::Delete => fic::delete(cloud, auth, rg, name).await,
                RgOp::Patch => Err(ArmError::UnsupportedHttpMethod("PATCH".into())),
            },
            Endpoint::ListChildren { rg, name, .. } => fic::list(cloud, auth, rg, name).await,
            _ => {
                crate::providers::generic::handle(
                    cloud,
                    auth,
                    ep,
                    req,
                    crate::providers::generic::keep,
                )
                .await
            }
        }
    }

    async fn owned(
        &self,
        cloud: &Cloud,
        doc: &aksemu_store::Doc,
    ) -> Result<crate::effects::Effects, ArmError> {
        Ok(crate::effects::Effects {
            writes: fic::removal(&cloud.store(), &doc.key).await?,
        })
    }

    fn samples(&self, sub: &str, rg: &str) -> Vec<(Method, String)> {
        let g = format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities"
        );
        vec![
            (Method::Put, format!("{g}/id1")),
            (Method::Get, format!("{g}/id1")),
            (Method::Patch, format!("{g}/id1")),
            (Method::Delete, format!("{g}/id1")),
            (
                Method::Put,
                format!("{g}/id1/federatedIdentityCredentials/f1"),
            ),
            (Method::Get, format!("{g}/id1/federatedIdentityCredentials")),
            (Method::Get, g),
            (
                Method::Get,
                format!(
                    "/subscriptions/{sub}/providers/Microsoft.ManagedIdentity/userAssignedIdentities"
                ),
            ),
        ]
    }
}

/// A new identity's document (named by the last segment of `id`) and the
/// writes of its backing principal; AKS's kubelet and add-on identities are
/// made this way too.
pub fn create(
    cloud: &Cloud,
    id: &ResourceId,
    location: &str,
    tags: serde_json::Value,
    system_data: Option<serde_json::Value>,
) -> (serde_json::Value, Vec<Write>) {
    let name = id.segments().last().copied().unwrap_or_default();
    let sp = new_principal(cloud, id, name);
    let mut b = json!({
        "id": id.as_str(),
        "name": name,
        "type": format!("{}/{}", USER_ASSIGNED_IDENTITIES.namespace, USER_ASSIGNED_IDENTITIES.type_name),
        "location": location,
        "tags": tags,
        "properties": {
            "tenantId": cloud.entra.tenant_id,
            "principalId": sp.id,
            "clientId": sp.app_id,
            "isolationScope": "None",
        },
    });
    if let Some(sd) = system_data {
        b["systemData"] = sd;
    }
    (b, put_service_principal(&sp, Cond::Absent))
}

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
    let requested = auth.scope().clone();
    let existing = cloud
        .store()
        .get(RESOURCES, requested.key())
        .await
        .map_err(store_err)?;
    let cond = precondition(
        req.if_match.as_deref(),
        req.if_none_match.as_deref(),
        existing.as_ref().map(|d| d.etag.as_str()),
    )?;
    let now = cloud.now_rfc3339();
    let sd = system_data(existing.as_ref(), auth.principal(), &now);
    let (rendered, mut writes, status) = match &existing {
        Some(doc) => {
            let have = doc.body["location"].as_str().unwrap_or_default();
            if have != loc {
                return Err(ArmError::InvalidResourceLocation {
                    name: name.to_string(),
                    existing: have.to_string(),
                    group: group_name(&group),
                    requested: loc.to_string(),
                });
            }
            let mut b = doc.body.clone();
            b["tags"] = tags.unwrap_or_else(|| json!({}));
            b["systemData"] = sd;
            (b, Vec::new(), 200)
        }
        None => {
            let id = ResourceId::resource_group(sub, &group_name(&group)).child(&[
                "providers",
                rtype.namespace,
                rtype.type_name,
                name,
            ]);
            let (b, w) = create(cloud, &id, loc, tags.unwrap_or_else(|| json!({})), Some(sd));
            (b, w, 201)
        }
    };
    let id = rendered["id"].as_str().unwrap_or_default().to_string();
    writes.insert(
        0,
        Write::Put {
            coll: RESOURCES,
            key: requested.key().to_string(),
            id,
            body: rendered.clone(),
            cond,
        },
    );
    let etags = cloud.commit(writes).await.map_err(write_err)?;
    Ok(with_etag(
        ArmResponse::json(status, rendered),
        etags.first(),
    ))
}
