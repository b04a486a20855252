//! The first step every tracked resource's PUT shares: the parent group must
//! exist, the body is a JSON object with a valid `location` and `tags`, the
//! preconditions hold, and an update keeps its location. What it yields is the
//! resource's id (with the stored casing) beside the stored document.

use aksemu_authz::Authorized;
use aksemu_core::request::ArmRequest;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, Doc, store_err};
use serde_json::{Map, Value};

use crate::cloud::Cloud;
use crate::collections::RESOURCES;
use crate::conditional::precondition;
use crate::endpoint::ResourceType;
use crate::providers::tracked::{group_name, location, names, parent_group};
use crate::providers::{json_object, tags};

pub struct PutTarget {
    pub body: Map<String, Value>,
    pub location: &'static str,
    pub tags: Option<Value>,
    pub existing: Option<Doc>,
    /// The write's condition (If-Match / If-None-Match, or none).
    pub cond: Cond,
    pub id: ResourceId,
}

impl PutTarget {
    /// The stored document's body, on an update.
    pub fn old(&self) -> Option<&Value> {
        self.existing.as_ref().map(|d| &d.body)
    }
}

/// Validates a PUT of the resource `auth` was granted (`auth.scope()`);
/// `update_allowed` is asked first about a stored resource (e.g. not busy).
pub async fn put_target(
    cloud: &Cloud,
    auth: &Authorized,
    rtype: &ResourceType,
    req: &ArmRequest,
    update_allowed: fn(&Doc) -> Result<(), ArmError>,
) -> Result<PutTarget, ArmError> {
    let (sub, rg, name) = names(auth.scope())?;
    let group = parent_group(cloud, &sub, &rg).await?;
    let body = json_object(&req.body)?;
    let location = location(&body, rtype)?;
    let tags = tags(body.get("tags"))?;
    let stored = cloud.store().get(RESOURCES, auth.scope().key()).await;
    let existing = stored.map_err(store_err)?;
    let cond = precondition(
        req.if_match.as_deref(),
        req.if_none_match.as_deref(),
        existing.as_ref().map(|d| d.etag.as_str()),
    )?;
    if let Some(doc) = &existing {
        update_allowed(doc)?;
        let have = doc.body["location"].as_str().unwrap_or_default();
        if have != location {
            return Err(ArmError::InvalidResourceLocation {
                name,
                existing: have.to_string(),
                group: group_name(&group),
                requested: location.to_string(),
            });
        }
    }
    let id = match &existing {
        Some(doc) => ResourceId::parse(&doc.id)?,
        None => crate::endpoint::resource_id(rtype, &sub, &group_name(&group), &name),
    };
    Ok(PutTarget {
        body,
        location,
        tags,
        existing,
        cond,
        id,
    })
}

/// Any stored resource may be updated.
pub fn always(_: &Doc) -> Result<(), ArmError> {
    Ok(())
}
