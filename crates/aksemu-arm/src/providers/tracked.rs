//! What every tracked resource in a group shares: the parent group must exist and
//! not be deleting, `location` is required and normalised, `tags` are strings,
//! `systemData` records the caller.

use aksemu_authz::Authorized;
use aksemu_core::system_data::SystemData;
use aksemu_core::{ArmError, Principal, ResourceId};
use aksemu_store::{Doc, StoreError, Write};
use serde_json::{Map, Value, json};

use crate::catalog::{location_list, normalise_location};
use aksemu_store::store_err;

use crate::cloud::Cloud;
use crate::collections::RESOURCES;
use crate::conditional::{precondition, quote};
use crate::endpoint::ResourceType;
use crate::paging::{self, Page, Visit};
use crate::providers::identity_block::owned_principal_removal;
use crate::providers::{json_object, tags};
use aksemu_core::request::{ArmRequest, ArmResponse};

/// The parent group's document; its name casing is the one ids use.
pub async fn parent_group(cloud: &Cloud, sub: &str, rg: &str) -> Result<Doc, ArmError> {
    let id = ResourceId::resource_group(sub, rg);
    let doc = cloud
        .store()
        .get(RESOURCES, id.key())
        .await
        .map_err(store_err)?
        .ok_or_else(|| ArmError::ResourceGroupNotFound(rg.to_string()))?;
    if doc.body["properties"]["provisioningState"] == "Deleting" {
        return Err(ArmError::ResourceGroupBeingDeleted(rg.to_string()));
    }
    Ok(doc)
}

pub fn group_name(group: &Doc) -> String {
    group.body["name"].as_str().unwrap_or_default().to_string()
}

/// The body's `location`, normalised; `unavailable` is the error for a
/// location Azure does not have.
pub fn location_or(
    body: &Map<String, Value>,
    unavailable: impl FnOnce(&str) -> ArmError,
) -> Result<&'static str, ArmError> {
    let raw = body
        .get("location")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or(ArmError::LocationRequired)?;
    normalise_location(raw).ok_or_else(|| unavailable(raw))
}

pub fn location(body: &Map<String, Value>, rtype: &ResourceType) -> Result<&'static str, ArmError> {
    location_or(body, |raw| {
        ArmError::LocationNotAvailableForResourceType(
            raw.to_string(),
            rtype.full_name(),
            location_list(),
        )
    })
}

/// systemData for a write: created now, or carried over and marked modified.
pub fn system_data(existing: Option<&Doc>, by: &Principal, now: &str) -> Value {
    let prior = existing
        .and_then(|d| serde_json::from_value::<SystemData>(d.body["systemData"].clone()).ok());
    json!(match prior {
        Some(sd) => sd.modified(by, now),
        None => SystemData::created(by, now),
    })
}

/// The tracked resource a child or action scope belongs to (`…/providers/{ns}/
/// {type}/{name}`: the first eight segments): child endpoints are authorised on
/// the child, and their data lives in the parent's document.
pub fn parent_resource(scope: &ResourceId) -> Result<ResourceId, ArmError> {
    let segs = scope.segments();
    ResourceId::parse(&format!("/{}", segs[..segs.len().min(8)].join("/")))
}

/// The stored resource an action on it (`…/{name}/{action}`) names, or
/// `ResourceNotFound` of `resource_type`.
pub async fn action_target(
    cloud: &Cloud,
    scope: &ResourceId,
    resource_type: &str,
) -> Result<Doc, ArmError> {
    let id = parent_resource(scope)?;
    cloud
        .store()
        .get(RESOURCES, id.key())
        .await
        .map_err(store_err)?
        .ok_or_else(|| ArmError::ResourceNotFound {
            resource_type: resource_type.to_string(),
            name: id
                .segments()
                .last()
                .copied()
                .unwrap_or_default()
                .to_string(),
            group: id
                .segments()
                .get(3)
                .copied()
                .unwrap_or_default()
                .to_string(),
        })
}

pub fn not_found(rtype: &ResourceType, name: &str, group: &str) -> ArmError {
    ArmError::ResourceNotFound {
        resource_type: format!("{}/{}", rtype.namespace, rtype.type_name),
        name: name.to_string(),
        group: group.to_string(),
    }
}

/// Resources of one type under the group or subscription the caller was
/// authorised to read them in.
/// The resources of one type at the caller's scope (a group or a
/// subscription), a page at a time.
pub async fn list_of_type(
    cloud: &Cloud,
    auth: &Authorized,
    rtype: &ResourceType,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let page = Page::of(req)?;
    let prefix = auth.scope().descendant_prefix();
    let type_name = rtype.full_name();
    let visit = |d: Doc| {
        let same = d.body["type"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case(&type_name));
        Visit::from(same.then_some(d.body))
    };
    let (items, next) = paging::read(cloud, RESOURCES, &prefix, &page, visit).await?;
    Ok(paging::answer(req, items, next))
}

pub fn write_err(e: StoreError) -> ArmError {
    match e {
        StoreError::PreconditionFailed { .. } => ArmError::PreconditionFailed,
        e => store_err(e),
    }
}

pub fn with_etag(resp: ArmResponse, etag: Option<&String>) -> ArmResponse {
    match etag {
        Some(e) => resp.header("ETag", quote(e)),
        None => resp,
    }
}

/// Subscription, group and name of a tracked resource's id.
pub fn names(id: &ResourceId) -> Result<(String, String, String), ArmError> {
    let segs = id.segments();
    match (id.subscription_id(), id.resource_group_name(), segs.last()) {
        (Some(s), Some(g), Some(n)) => Ok((s.to_string(), g.to_string(), n.to_string())),
        _ => Err(ArmError::InvalidResourceId(id.as_str().to_string())),
    }
}

/// The 404 for the resource the caller was authorised for.
fn missing(rtype: &ResourceType, scope: &ResourceId) -> ArmError {
    match names(scope) {
        Ok((_, rg, name)) => not_found(rtype, &name, &rg),
        Err(e) => e,
    }
}

/// GET (or HEAD) of the tracked resource the caller was authorised for.
pub async fn get(
    cloud: &Cloud,
    auth: &Authorized,
    rtype: &ResourceType,
    head: bool,
) -> Result<ArmResponse, ArmError> {
    match cloud
        .store()
        .get_raw(RESOURCES, auth.scope().key())
        .await
        .map_err(store_err)?
    {
        Some(_) if head => Ok(ArmResponse::empty(204)),
        Some(doc) => Ok(with_etag(
            ArmResponse::raw_json(200, doc.body),
            Some(&doc.etag),
        )),
        None => Err(missing(rtype, auth.scope())),
    }
}

/// DELETE of a tracked resource, with the principals it owns, in one batch.
pub async fn delete(
    cloud: &Cloud,
    auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    delete_with(cloud, auth, req, Vec::new()).await
}

/// `delete`, with `extra` writes in the same batch (what else goes with it).
pub async fn delete_with(
    cloud: &Cloud,
    auth: &Authorized,
    req: &ArmRequest,
    extra: Vec<Write>,
) -> Result<ArmResponse, ArmError> {
    let Some(doc) = cloud
        .store()
        .get(RESOURCES, auth.scope().key())
        .await
        .map_err(store_err)?
    else {
        return Ok(ArmResponse::empty(204));
    };
    let cond = precondition(req.if_match.as_deref(), None, Some(&doc.etag))?;
    let mut writes = vec![Write::Delete {
        coll: RESOURCES,
        key: doc.key.clone(),
        cond,
    }];
    writes.extend(owned_principal_removal(cloud, &doc.body).await?);
    writes.extend(extra);
    cloud.commit(writes).await.map_err(write_err)?;
    Ok(ArmResponse::empty(200))
}

/// PATCH of a tracked resource: tags, and, for types that accept one, the
/// identity block (adding or removing identities). Everything else is fixed.
pub async fn patch(
    cloud: &Cloud,
    auth: &Authorized,
    rtype: &ResourceType,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let doc = cloud
        .store()
        .get(RESOURCES, auth.scope().key())
        .await
        .map_err(store_err)?
        .ok_or_else(|| missing(rtype, auth.scope()))?;
    let cond = precondition(req.if_match.as_deref(), None, Some(&doc.etag))?;
    let body = json_object(&req.body)?;
    let mut b = doc.body.clone();
    let mut writes = Vec::new();
    if body.contains_key("tags") {
        b["tags"] = tags(body.get("tags"))?.unwrap_or_else(|| json!({}));
    }
    if let Some(requested) = body.get("identity").filter(|_| rtype.accepts_identity) {
        let id = ResourceId::parse(&doc.id)?;
        let outcome = crate::providers::identity_block::apply(
            cloud,
            auth,
            &id,
            Some(&doc.body["identity"]),
            Some(requested),
        )
        .await?;
        match outcome.identity {
            Some(i) => b["identity"] = i,
            None => {
                if let Some(o) = b.as_object_mut() {
                    o.remove("identity");
                }
            }
        }
        writes = outcome.writes;
    }
    b["systemData"] = system_data(Some(&doc), auth.principal(), &cloud.now_rfc3339());
    writes.insert(
        0,
        Write::Put {
            coll: RESOURCES,
            key: doc.key.clone(),
            id: doc.id.clone(),
            body: b.clone(),
            cond,
        },
    );
    let etags = cloud.commit(writes).await.map_err(write_err)?;
    Ok(with_etag(ArmResponse::json(200, b), etags.first()))
}

/// The first resource of `rtype` anywhere in the cloud whose document `pred`
/// accepts: a scan, for names Azure makes global (a registry's login server,
/// a cluster's API server).
pub async fn find_anywhere(
    cloud: &Cloud,
    rtype: &ResourceType,
    pred: impl Fn(&Value) -> bool,
) -> Result<Option<Doc>, ArmError> {
    let all = cloud
        .store()
        .list(RESOURCES, "/subscriptions/")
        .await
        .map_err(store_err)?;
    Ok(all
        .into_iter()
        .find(|d| d.body["type"].as_str().is_some_and(|t| rtype.is(t)) && pred(&d.body)))
}
