//! Azure Monitor's resources, as AKS's monitoring add-on uses them (`az aks
//! enable-addons -a monitoring` with managed-identity auth): Log Analytics
//! workspaces (`Microsoft.OperationalInsights`), data-collection rules and
//! endpoints (`Microsoft.Insights`), and the data-collection rule
//! associations that tie a rule to a resource (an extension resource, served
//! as a child of the resource types that list it). Nothing is collected.

use std::sync::Arc;

use aksemu_authz::Authorized;
use aksemu_core::request::{ArmRequest, ArmResponse, Method};
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, Doc, Write, store_err};
use async_trait::async_trait;
use serde_json::{Value, json};

use crate::cloud::Cloud;
use crate::collections::RESOURCES;
use crate::endpoint::{ChildType, Endpoint, Namespace, ResourceType, RgOp};
use crate::paging::{self, Page, Visit};
use crate::providers::generic;
use crate::providers::json_object;
use crate::providers::tracked::{system_data, with_etag, write_err};
use crate::registry::Provider;

pub const WORKSPACES: ResourceType = ResourceType {
    namespace: "Microsoft.OperationalInsights",
    type_name: "workspaces",
    read: "Microsoft.OperationalInsights/workspaces/read",
    write: "Microsoft.OperationalInsights/workspaces/write",
    delete: "Microsoft.OperationalInsights/workspaces/delete",
    accepts_identity: true,
};

pub const OPERATIONAL_INSIGHTS: Namespace = Namespace {
    name: "Microsoft.OperationalInsights",
    register: "Microsoft.OperationalInsights/register/action",
    unregister: "Microsoft.OperationalInsights/unregister/action",
    listed_types: &["workspaces", "locations", "operations"],
    types: &[&WORKSPACES],
    children: &[],
    actions: &[],
    location_reads: &[],
    provider_actions: &[],
};

pub const DATA_COLLECTION_RULES: ResourceType = ResourceType {
    namespace: "Microsoft.Insights",
    type_name: "dataCollectionRules",
    read: "Microsoft.Insights/DataCollectionRules/Read",
    write: "Microsoft.Insights/DataCollectionRules/Write",
    delete: "Microsoft.Insights/DataCollectionRules/Delete",
    accepts_identity: true,
};

pub const DATA_COLLECTION_ENDPOINTS: ResourceType = ResourceType {
    namespace: "Microsoft.Insights",
    type_name: "dataCollectionEndpoints",
    read: "Microsoft.Insights/DataCollectionEndpoints/Read",
    write: "Microsoft.Insights/DataCollectionEndpoints/Write",
    delete: "Microsoft.Insights/DataCollectionEndpoints/Delete",
    accepts_identity: false,
};

pub const INSIGHTS: Namespace = Namespace {
    name: "Microsoft.Insights",
    register: "Microsoft.Insights/register/action",
    unregister: "Microsoft.Insights/unregister/action",
    listed_types: &[
        "dataCollectionRules",
        "dataCollectionEndpoints",
        "dataCollectionRuleAssociations",
        "locations",
        "operations",
    ],
    types: &[&DATA_COLLECTION_RULES, &DATA_COLLECTION_ENDPOINTS],
    children: &[],
    actions: &[],
    location_reads: &[],
    provider_actions: &[],
};

/// The child type under which a resource type serves its data-collection
/// rule associations (`{resource}/providers/Microsoft.Insights/dataCollectionRuleAssociations/{name}`).
pub const fn associations_of(parent: &'static ResourceType) -> ChildType {
    ChildType {
        parent,
        type_name: "providers/Microsoft.Insights/dataCollectionRuleAssociations",
        read: "Microsoft.Insights/DataCollectionRuleAssociations/Read",
        write: "Microsoft.Insights/DataCollectionRuleAssociations/Write",
        delete: "Microsoft.Insights/DataCollectionRuleAssociations/Delete",
    }
}

const ASSOCIATION_TYPE: &str = "Microsoft.Insights/dataCollectionRuleAssociations";

/// A stable GUID-shaped value derived from a resource id (a workspace's
/// `customerId`, a rule's `immutableId`): the same on every read and update.
fn derived_id(id: &ResourceId, salt: &str) -> String {
    let d = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{salt}|{}", id.key()).as_bytes(),
    );
    let mut b = [0u8; 16];
    b.copy_from_slice(&d.as_ref()[..16]);
    uuid::Builder::from_random_bytes(b).into_uuid().to_string()
}

/// The generic PUT's `resourceGuid` is a network resources' field, not Monitor's.
fn without_resource_guid(body: &mut Value) {
    if let Some(p) = body["properties"].as_object_mut() {
        p.remove("resourceGuid");
    }
}

fn shape_workspace(id: &ResourceId, body: &mut Value) -> Result<(), ArmError> {
    let p = &mut body["properties"];
    p["customerId"] = json!(derived_id(id, "workspace"));
    if !p["sku"].is_object() {
        p["sku"] = json!({"name": "PerGB2018"});
    }
    if p["retentionInDays"].is_null() {
        p["retentionInDays"] = json!(30);
    }
    for k in [
        "publicNetworkAccessForIngestion",
        "publicNetworkAccessForQuery",
    ] {
        if p[k].is_null() {
            p[k] = json!("Enabled");
        }
    }
    without_resource_guid(body);
    Ok(())
}

fn shape_rule(id: &ResourceId, body: &mut Value) -> Result<(), ArmError> {
    let hex: String = derived_id(id, "dcr").replace('-', "");
    body["properties"]["immutableId"] = json!(format!("dcr-{hex}"));
    without_resource_guid(body);
    Ok(())
}

fn shape_endpoint(id: &ResourceId, body: &mut Value) -> Result<(), ArmError> {
    let hex: String = derived_id(id, "dce").replace('-', "");
    let name = id
        .segments()
        .last()
        .copied()
        .unwrap_or_default()
        .to_lowercase();
    let location = body["location"].as_str().unwrap_or_default().to_string();
    body["properties"]["immutableId"] = json!(format!("dce-{hex}"));
    body["properties"]["configurationAccess"] = json!({"endpoint": format!("https://{name}-{}.{location}-1.handler.control.monitor.azure.com", &hex[..4])});
    body["properties"]["logsIngestion"] = json!({"endpoint": format!("https://{name}-{}.{location}-1.ingest.monitor.azure.com", &hex[..4])});
    Ok(())
}

/// Azure publishes Monitor's operation names in Pascal case
/// (`Microsoft.Insights/DataCollectionRules/Write`); actions match any case.
/// Log Analytics workspaces.
pub struct Workspaces;

/// Data-collection rules and endpoints.
pub struct Insights;

#[async_trait]
impl Provider<Cloud> for Workspaces {
    fn namespace(&self) -> &'static Namespace {
        &OPERATIONAL_INSIGHTS
    }

    async fn handle(
        &self,
        cloud: &Arc<Cloud>,
        auth: &Authorized,
        ep: &Endpoint,
        req: &ArmRequest,
    ) -> Result<ArmResponse, ArmError> {
        generic::handle(cloud, auth, ep, req, shape_workspace).await
    }

    fn samples(&self, sub: &str, rg: &str) -> Vec<(Method, String)> {
        vec![(
            Method::Put,
            format!(
                "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/w1"
            ),
        )]
    }
}

#[async_trait]
impl Provider<Cloud> for Insights {
    fn namespace(&self) -> &'static Namespace {
        &INSIGHTS
    }

    async fn handle(
        &self,
        cloud: &Arc<Cloud>,
        auth: &Authorized,
        ep: &Endpoint,
        req: &ArmRequest,
    ) -> Result<ArmResponse, ArmError> {
        match ep {
            Endpoint::Resource { rtype, .. } | Endpoint::ListResources { rtype, .. }
                if *rtype == &DATA_COLLECTION_ENDPOINTS =>
            {
                generic::handle(cloud, auth, ep, req, shape_endpoint).await
            }
            _ => generic::handle(cloud, auth, ep, req, shape_rule).await,
        }
    }

    fn samples(&self, sub: &str, rg: &str) -> Vec<(Method, String)> {
        let base = format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Insights");
        vec![
            (Method::Put, format!("{base}/dataCollectionRules/r1")),
            (Method::Put, format!("{base}/dataCollectionEndpoints/e1")),
        ]
    }
}

/// A data-collection rule association on the resource the endpoint names
/// (the caller was authorised for the association itself).
pub async fn association(
    cloud: &Cloud,
    auth: &Authorized,
    ep: &Endpoint,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    match ep {
        Endpoint::ListChildren { .. } => list_associations(cloud, auth, req).await,
        Endpoint::ChildResource { op, .. } => match op {
            RgOp::Get | RgOp::Head => get_association(cloud, auth).await,
            RgOp::Put => put_association(cloud, auth, req).await,
            RgOp::Delete => delete_association(cloud, auth).await,
            RgOp::Patch => Err(ArmError::UnsupportedHttpMethod("PATCH".into())),
        },
        _ => Err(ArmError::UnsupportedHttpMethod(
            req.method.as_str().to_string(),
        )),
    }
}

/// The resource an association is on: its id up to `/providers/Microsoft.Insights`.
fn target_of(id: &ResourceId) -> String {
    let s = id.as_str();
    let cut = s
        .to_ascii_lowercase()
        .rfind("/providers/microsoft.insights/")
        .unwrap_or(s.len());
    s[..cut].to_string()
}

/// `ResourceNotFound` for the resource an association would be on.
fn target_missing(target: &str) -> ArmError {
    let segs: Vec<&str> = target.split('/').collect();
    let at = segs
        .iter()
        .rposition(|s| s.eq_ignore_ascii_case("providers"));
    let resource_type = at
        .and_then(|i| Some(format!("{}/{}", segs.get(i + 1)?, segs.get(i + 2)?)))
        .unwrap_or_default();
    let group = segs
        .iter()
        .position(|s| s.eq_ignore_ascii_case("resourceGroups"))
        .and_then(|i| segs.get(i + 1))
        .copied()
        .unwrap_or_default();
    ArmError::ResourceNotFound {
        resource_type,
        name: segs.last().copied().unwrap_or_default().to_string(),
        group: group.to_string(),
    }
}

fn association_missing(id: &ResourceId) -> ArmError {
    ArmError::ResourceNotFound {
        resource_type: ASSOCIATION_TYPE.into(),
        name: id
            .segments()
            .last()
            .copied()
            .unwrap_or_default()
            .to_string(),
        group: id.resource_group_name().unwrap_or_default().to_string(),
    }
}

async fn get_association(cloud: &Cloud, auth: &Authorized) -> Result<ArmResponse, ArmError> {
    let doc = cloud
        .store()
        .get(RESOURCES, auth.scope().key())
        .await
        .map_err(store_err)?
        .ok_or_else(|| association_missing(auth.scope()))?;
    Ok(with_etag(ArmResponse::json(200, doc.body), Some(&doc.etag)))
}

/// The rule (or endpoint) an association names: of that type, readable by the
/// caller (`LinkedAuthorizationFailed` otherwise, as ARM's linked check), and
/// existing.
async fn linked_readable(cloud: &Cloud, auth: &Authorized, linked: &str) -> Result<(), ArmError> {
    let id = ResourceId::parse(linked)
        .map_err(|_| ArmError::LinkedInvalidPropertyId(linked.to_string()))?;
    let rtype = [&DATA_COLLECTION_RULES, &DATA_COLLECTION_ENDPOINTS]
        .into_iter()
        .find(|t| {
            id.as_str().to_ascii_lowercase().contains(&format!(
                "/providers/{}/",
                t.full_name().to_ascii_lowercase()
            ))
        })
        .ok_or_else(|| ArmError::LinkedInvalidPropertyId(linked.to_string()))?;
    if !cloud.rbac.allows(auth.principal(), rtype.read, &id) {
        return Err(crate::providers::linked_denied(auth, rtype.read, linked));
    }
    if existing(cloud, linked).await?.is_none() {
        return Err(ArmError::BadRequest(format!(
            "The data collection rule or endpoint '{linked}' does not exist."
        )));
    }
    Ok(())
}

async fn existing(cloud: &Cloud, id: &str) -> Result<Option<Doc>, ArmError> {
    let Ok(rid) = ResourceId::parse(id) else {
        return Ok(None);
    };
    cloud
        .store()
        .get(RESOURCES, rid.key())
        .await
        .map_err(store_err)
}

/// The rule (or endpoint) an association names must exist, and so must the
/// resource it is on.
async fn put_association(
    cloud: &Cloud,
    auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let id = auth.scope();
    let target = target_of(id);
    if existing(cloud, &target).await?.is_none() {
        return Err(target_missing(&target));
    }
    let body = json_object(&req.body)?;
    let props = body.get("properties").cloned().unwrap_or_else(|| json!({}));
    let linked = props["dataCollectionRuleId"]
        .as_str()
        .or_else(|| props["dataCollectionEndpointId"].as_str());
    match linked {
        Some(l) => linked_readable(cloud, auth, l).await?,
        None => {
            return Err(ArmError::BadRequest(
                "An association needs properties.dataCollectionRuleId or properties.dataCollectionEndpointId.".into(),
            ));
        }
    }
    let old = cloud
        .store()
        .get(RESOURCES, id.key())
        .await
        .map_err(store_err)?;
    let mut properties = props;
    properties["provisioningState"] = json!("Succeeded");
    let rendered = json!({
        "id": id.as_str(),
        "name": id.segments().last(),
        "type": ASSOCIATION_TYPE,
        "properties": properties,
        "systemData": system_data(old.as_ref(), auth.principal(), &cloud.now_rfc3339()),
    });
    let etags = cloud
        .commit(vec![Write::Put {
            coll: RESOURCES,
            key: id.key().to_string(),
            id: id.as_str().to_string(),
            body: rendered.clone(),
            cond: Cond::Any,
        }])
        .await
        .map_err(write_err)?;
    let status = if old.is_some() { 200 } else { 201 };
    Ok(with_etag(
        ArmResponse::json(status, rendered),
        etags.first(),
    ))
}

async fn delete_association(cloud: &Cloud, auth: &Authorized) -> Result<ArmResponse, ArmError> {
    let key = auth.scope().key();
    if cloud
        .store()
        .get(RESOURCES, key)
        .await
        .map_err(store_err)?
        .is_none()
    {
        return Ok(ArmResponse::empty(204));
    }
    cloud
        .commit(vec![Write::Delete {
            coll: RESOURCES,
            key: key.to_string(),
            cond: Cond::Any,
        }])
        .await
        .map_err(write_err)?;
    Ok(ArmResponse::empty(200))
}

async fn list_associations(
    cloud: &Cloud,
    auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let page = Page::of(req)?;
    let prefix = auth.scope().descendant_prefix();
    let visit = |d: Doc| {
        let same = d.body["type"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case(ASSOCIATION_TYPE));
        Visit::from(same.then_some(d.body))
    };
    let (items, next) = paging::read(cloud, RESOURCES, &prefix, &page, visit).await?;
    Ok(paging::answer(req, items, next))
}
