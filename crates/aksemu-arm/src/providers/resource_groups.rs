//! Resource groups (Microsoft.Resources/resourceGroups). Deleting a group is a
//! long-running operation that removes everything in it.

use std::sync::Arc;

use aksemu_authz::Authorized;
use aksemu_core::system_data::SystemData;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Doc, Write};
use serde_json::{Value, json};

use crate::catalog::{location_list, normalise_location};
use aksemu_store::store_err;

use crate::cloud::Cloud;
use crate::collections::RESOURCES;
use crate::conditional::precondition;
use crate::effects::Effects;
use crate::endpoint::RG_READ;
use crate::lro;
use crate::operation::Work;
use crate::paging::{self, Page, Visit};
use crate::providers::group_doc::GroupDoc;
use crate::providers::tracked::{location_or, system_data, with_etag, write_err};
use crate::providers::{json_object, tags};
use crate::registry::Job;
use aksemu_core::request::{ArmRequest, ArmResponse};

pub use crate::providers::group_doc::TYPE;

/// 1–90 letters, digits, `_`, `-`, `.`, `(`, `)`; not ending in `.`.
fn valid_name(name: &str) -> bool {
    let n = name.chars().count();
    (1..=90).contains(&n)
        && !name.ends_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "_-.()".contains(c))
}

fn group_id(auth: &Authorized) -> &ResourceId {
    auth.scope()
}

fn group_name(id: &ResourceId) -> String {
    id.resource_group_name().unwrap_or_default().to_string()
}

async fn load(cloud: &Cloud, id: &ResourceId) -> Result<Option<Doc>, ArmError> {
    cloud
        .store()
        .get(RESOURCES, id.key())
        .await
        .map_err(store_err)
}

/// The requested location, normalised; a group needs one.
fn requested_location(body: &serde_json::Map<String, Value>) -> Result<&'static str, ArmError> {
    location_or(body, |raw| {
        ArmError::LocationNotAvailableForResourceGroup(raw.to_string(), location_list())
    })
}

/// An update: the group must not be deleting and keeps its location and the
/// name casing it was created with.
fn update_of(doc: &Doc, name: &str, location: &str) -> Result<ResourceId, ArmError> {
    let stored = GroupDoc::parse(&doc.body)?;
    if stored.is_deleting() {
        return Err(ArmError::ResourceGroupBeingDeleted(name.to_string()));
    }
    if stored.location != location {
        return Err(ArmError::InvalidResourceGroupLocation {
            requested: location.to_string(),
            existing: stored.location,
        });
    }
    ResourceId::parse(&doc.id)
}

pub async fn put(
    cloud: &Cloud,
    auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let requested = group_id(auth);
    let name = group_name(requested);
    if !valid_name(&name) {
        return Err(ArmError::InvalidResourceGroup(name));
    }
    let body = json_object(&req.body)?;
    let location = requested_location(&body)?;
    let tags = tags(body.get("tags"))?;
    let existing = load(cloud, requested).await?;
    let cond = precondition(
        req.if_match.as_deref(),
        req.if_none_match.as_deref(),
        existing.as_ref().map(|d| d.etag.as_str()),
    )?;
    let id = match &existing {
        Some(doc) => update_of(doc, &name, location)?,
        None => requested.clone(),
    };
    let mut group = GroupDoc::new(&id, location);
    group.tags = tags;
    group.managed_by = body
        .get("managedBy")
        .and_then(Value::as_str)
        .map(str::to_string);
    let now = cloud.now_rfc3339();
    group.system_data = Some(system_data(existing.as_ref(), auth.principal(), &now));
    let rendered = group.to_value();
    let write = Write::Put {
        coll: RESOURCES,
        key: id.key().to_string(),
        id: id.as_str().to_string(),
        body: rendered.clone(),
        cond,
    };
    let etags = cloud.commit(vec![write]).await.map_err(write_err)?;
    let status = if existing.is_some() { 200 } else { 201 };
    Ok(with_etag(
        ArmResponse::json(status, rendered),
        etags.first(),
    ))
}

pub async fn get(cloud: &Cloud, auth: &Authorized, head: bool) -> Result<ArmResponse, ArmError> {
    let id = group_id(auth);
    // The stored JSON is the answer: no parsing and re-serialising it.
    let raw = cloud
        .store()
        .get_raw(RESOURCES, id.key())
        .await
        .map_err(store_err)?;
    match raw {
        Some(_) if head => Ok(ArmResponse::empty(204)),
        Some(doc) => Ok(with_etag(
            ArmResponse::raw_json(200, doc.body),
            Some(&doc.etag),
        )),
        None => Err(ArmError::ResourceGroupNotFound(group_name(id))),
    }
}

/// Changes a group's tags or `managedBy`; its location cannot change.
fn apply_patch(
    group: &mut GroupDoc,
    patch: &serde_json::Map<String, Value>,
) -> Result<(), ArmError> {
    if let Some(raw) = patch.get("location").and_then(Value::as_str)
        && normalise_location(raw) != Some(group.location.as_str())
    {
        return Err(ArmError::InvalidResourceGroupLocation {
            requested: raw.to_string(),
            existing: group.location.clone(),
        });
    }
    if patch.contains_key("tags") {
        group.tags = tags(patch.get("tags"))?;
    }
    if let Some(m) = patch.get("managedBy").and_then(Value::as_str) {
        group.managed_by = Some(m.to_string());
    }
    Ok(())
}

pub async fn patch(
    cloud: &Cloud,
    auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let id = group_id(auth);
    let doc = load(cloud, id)
        .await?
        .ok_or_else(|| ArmError::ResourceGroupNotFound(group_name(id)))?;
    let mut group = GroupDoc::parse(&doc.body)?;
    if group.is_deleting() {
        return Err(ArmError::ResourceGroupBeingDeleted(group_name(id)));
    }
    let cond = precondition(req.if_match.as_deref(), None, Some(&doc.etag))?;
    apply_patch(&mut group, &json_object(&req.body)?)?;
    let now = cloud.now_rfc3339();
    let prior = group.system_data.clone();
    if let Some(sd) = prior.and_then(|v| serde_json::from_value::<SystemData>(v).ok()) {
        group.system_data = Some(json!(sd.modified(auth.principal(), &now)));
    }
    let body = group.to_value();
    let write = Write::Put {
        coll: RESOURCES,
        key: id.key().to_string(),
        id: doc.id.clone(),
        body: body.clone(),
        cond,
    };
    let etags = cloud.commit(vec![write]).await.map_err(write_err)?;
    Ok(with_etag(ArmResponse::json(200, body), etags.first()))
}

pub async fn delete(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let id = group_id(auth);
    let doc = load(cloud, id)
        .await?
        .ok_or_else(|| ArmError::ResourceGroupNotFound(group_name(id)))?;
    let cond = precondition(req.if_match.as_deref(), None, Some(&doc.etag))?;
    lro::begin_delete(
        cloud,
        &doc,
        cond,
        ("Microsoft.Resources", RG_READ),
        Work::new(DELETE_GROUP, id.key()),
        (&req.base_url, req.api_version().unwrap_or_default()),
    )
    .await
}

/// The operation kind that removes a group and everything in it.
pub const DELETE_GROUP: &str = "deleteResourceGroup";

pub struct DeleteGroup;

#[async_trait::async_trait]
impl Job<Cloud> for DeleteGroup {
    fn kind(&self) -> &'static str {
        DELETE_GROUP
    }

    async fn run(&self, cloud: &Cloud, work: &Work) -> Result<Effects, ArmError> {
        crate::providers::cascade::group_removal(cloud, &work.key).await
    }
}

/// The groups of a subscription the caller can read, a page at a time. A
/// caller with no role at, above or below the subscription sees none without
/// a scan.
pub async fn list(
    cloud: &Cloud,
    auth: &Authorized,
    sub: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let page = Page::of(req)?;
    let subscription = ResourceId::subscription(sub);
    if !cloud
        .rbac
        .has_access_around(auth.principal(), &subscription)
    {
        return Ok(paging::answer(req, Vec::new(), None));
    }
    let prefix = subscription.child(&["resourceGroups"]).descendant_prefix();
    let visit = |d: aksemu_store::Doc| {
        // What is inside a group sorts right after it: jump over it.
        if let Some((name, _)) = d.key[prefix.len()..].split_once('/') {
            return Visit::SkipPast(paging::subtree_end(&format!("{prefix}{name}")));
        }
        let readable = ResourceId::parse(&d.id)
            .is_ok_and(|scope| cloud.rbac.allows(auth.principal(), RG_READ, &scope));
        Visit::from(readable.then_some(d.body))
    };
    let (items, next) = paging::read(cloud, RESOURCES, &prefix, &page, visit).await?;
    Ok(paging::answer(req, items, next))
}

#[cfg(test)]
mod tests {
    use super::valid_name;

    #[test]
    fn names() {
        assert!(valid_name("myResourceGroup"));
        assert!(valid_name("rg_(1).x-y"));
        assert!(!valid_name("rg."));
        assert!(!valid_name(""));
        assert!(!valid_name("a/b"));
        assert!(!valid_name(&"x".repeat(91)));
    }
}
