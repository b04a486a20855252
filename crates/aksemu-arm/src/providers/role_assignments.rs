//! Role assignments (Microsoft.Authorization/roleAssignments) with Azure's rules:
//! one assignment per (scope, role, principal), names are GUIDs and immutable in
//! what they grant, `PrincipalNotFound` only when `principalType` is absent, and at
//! most 4,000 per subscription. `Cloud::commit` reloads the RBAC index for what the writes change.

use std::collections::BTreeMap;
use std::sync::Arc;

use aksemu_authz::role::role_guid;
use aksemu_authz::{Authorized, builtin::builtin_role};
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, Doc, StoreError, Write};
use serde_json::{Value, json};

use aksemu_store::store_err;

use crate::cloud::Cloud;
use crate::collections::{
    ASSIGNMENT_TRIPLES, ASSIGNMENTS_BY_PRINCIPAL, RESOURCES, ROLE_ASSIGNMENTS, assignment_key,
};
use crate::paging::{self, Page};
use crate::providers::json_object;
use crate::providers::role_definitions::definition_id;
use crate::rbac::document::{AssignmentProperties, StoredAssignment};
use aksemu_core::odata;
use aksemu_core::request::{ArmRequest, ArmResponse};

pub const LIMIT_PER_SUBSCRIPTION: usize = 4000;
const PRINCIPAL_TYPES: &[&str] = &[
    "User",
    "Group",
    "ServicePrincipal",
    "ForeignGroup",
    "Device",
];

pub use crate::rbac::document::assignment_id;

fn scope_prefix(scope: &ResourceId) -> String {
    let base = if scope.key() == "/" { "" } else { scope.key() };
    format!("{base}/providers/microsoft.authorization/roleassignments/")
}

pub fn triple_key(scope: &ResourceId, role: &str, principal: &str) -> String {
    format!(
        "{}|{}|{}",
        scope.key(),
        role.to_lowercase(),
        principal.to_lowercase()
    )
}

/// Every row an assignment is stored as: by id, by principal, and its uniqueness key.
pub fn writes_for(a: &StoredAssignment, cond: Cond) -> Result<Vec<Write>, ArmError> {
    let id = ResourceId::parse(&a.id)?;
    let scope = a.scope()?;
    let principal = a.properties.principal_id.as_str();
    let role = a.role();
    let body = a.to_value();
    Ok(vec![
        Write::Put {
            coll: ROLE_ASSIGNMENTS,
            key: id.key().to_string(),
            id: id.as_str().to_string(),
            body: body.clone(),
            cond: cond.clone(),
        },
        Write::Put {
            coll: ASSIGNMENTS_BY_PRINCIPAL,
            key: assignment_key(principal, id.key()),
            id: id.as_str().to_string(),
            body: body.clone(),
            cond: Cond::Any,
        },
        Write::Put {
            coll: ASSIGNMENT_TRIPLES,
            key: triple_key(&scope, &role, principal),
            id: id.as_str().to_string(),
            body: json!({"assignmentId": id.as_str()}),
            cond,
        },
    ])
}

/// An assignment a resource provider makes itself (AKS's Contributor on the
/// node group): no `createdBy`, so it is in effect at once even with a
/// propagation delay, like assignments aksemu makes at bootstrap.
pub fn system_assignment(
    cloud: &Cloud,
    scope: &ResourceId,
    role_guid: &str,
    principal_id: &str,
) -> Result<Vec<Write>, ArmError> {
    let now = cloud.now_rfc3339();
    let name = uuid::Uuid::new_v4().to_string();
    let properties = AssignmentProperties {
        role_definition_id: definition_id(scope, role_guid),
        principal_id: principal_id.to_string(),
        principal_type: Some("ServicePrincipal".to_string()),
        scope: scope.as_str().to_string(),
        created_on: Some(now.clone()),
        updated_on: Some(now),
        ..AssignmentProperties::default()
    };
    writes_for(
        &StoredAssignment::new(scope, &name, properties),
        Cond::Absent,
    )
}

pub fn deletes_for(doc: &Doc) -> Result<Vec<Write>, ArmError> {
    let a = StoredAssignment::parse(&doc.body)?;
    let principal = a.properties.principal_id.as_str();
    let scope = a.scope()?;
    let role = a.role();
    Ok(vec![
        Write::Delete {
            coll: ROLE_ASSIGNMENTS,
            key: doc.key.clone(),
            cond: Cond::Etag(doc.etag.clone()),
        },
        Write::Delete {
            coll: ASSIGNMENTS_BY_PRINCIPAL,
            key: assignment_key(principal, &doc.key),
            cond: Cond::Any,
        },
        Write::Delete {
            coll: ASSIGNMENT_TRIPLES,
            key: triple_key(&scope, &role, principal),
            cond: Cond::Any,
        },
    ])
}

/// The role (built-in or custom), for its name and assignable scopes.
fn role_of(cloud: &Cloud, guid: &str) -> Option<aksemu_authz::RoleDefinition> {
    builtin_role(guid)
        .cloned()
        .or_else(|| cloud.rbac.custom_role(guid))
}

/// A role can be assigned only at or below one of its assignable scopes.
fn check_assignable_at(cloud: &Cloud, guid: &str, scope: &ResourceId) -> Result<(), ArmError> {
    let role = role_of(cloud, guid)
        .ok_or_else(|| ArmError::RoleDefinitionDoesNotExist(guid.to_string()))?;
    let within = |a: &String| ResourceId::parse(a).is_ok_and(|a| scope.is_within(&a));
    if role.assignable_scopes.iter().any(within) {
        return Ok(());
    }
    Err(ArmError::RoleAssignmentScopeNotAssignableToRoleDefinition {
        role: role.role_name,
    })
}

/// The group must exist for a group (or deeper) scope.
async fn check_scope(cloud: &Cloud, scope: &ResourceId) -> Result<(), ArmError> {
    if let (Some(sub), Some(rg)) = (scope.subscription_id(), scope.resource_group_name()) {
        let group = ResourceId::resource_group(sub, rg);
        if cloud
            .store()
            .get(RESOURCES, group.key())
            .await
            .map_err(store_err)?
            .is_none()
        {
            return Err(ArmError::ResourceGroupNotFound(rg.to_string()));
        }
    }
    Ok(())
}

/// The assignment a PUT asks for, validated.
struct Requested {
    props: serde_json::Map<String, Value>,
    /// The role definition's GUID.
    guid: String,
    /// The principal's object id, normalised.
    principal_id: String,
}

fn required<'a>(props: &'a serde_json::Map<String, Value>, k: &str) -> Result<&'a str, ArmError> {
    props
        .get(k)
        .and_then(Value::as_str)
        .ok_or_else(|| ArmError::InvalidRequestContent(format!("'properties.{k}' is required.")))
}

async fn requested(
    cloud: &Cloud,
    scope: &ResourceId,
    req: &ArmRequest,
) -> Result<Requested, ArmError> {
    let mut body = json_object(&req.body)?;
    let props = match body.remove("properties") {
        Some(Value::Object(p)) => p,
        _ => {
            return Err(ArmError::InvalidRequestContent(
                "'properties' is required.".into(),
            ));
        }
    };
    let guid = role_guid(required(&props, "roleDefinitionId")?);
    let principal_id = required(&props, "principalId")?;
    let principal_uuid = uuid::Uuid::parse_str(principal_id)
        .map_err(|_| ArmError::InvalidPrincipalId(principal_id.to_string()))?;
    let principal_id = principal_uuid.hyphenated().to_string();
    check_assignable_at(cloud, &guid, scope)?;
    Ok(Requested {
        props,
        guid,
        principal_id,
    })
}

/// The `principalType` given, or (without one) looked up as Azure does, which
/// may miss a principal created moments ago.
async fn principal_type(cloud: &Cloud, r: &Requested) -> Result<String, ArmError> {
    if let Some(t) = r.props.get("principalType").and_then(Value::as_str) {
        return PRINCIPAL_TYPES
            .iter()
            .find(|p| p.eq_ignore_ascii_case(t))
            .map(|p| p.to_string())
            .ok_or_else(|| {
                ArmError::InvalidRequestContent(format!("'{t}' is not a valid principalType."))
            });
    }
    match cloud.entra.service_principal(&r.principal_id).await? {
        Some(_) => Ok("ServicePrincipal".to_string()),
        None => Err(ArmError::PrincipalNotFound(
            r.principal_id.clone(),
            cloud.entra.tenant_id.clone(),
        )),
    }
}

/// A new assignment must not repeat (scope, role, principal) and must fit the
/// subscription's limit.
async fn check_new(cloud: &Cloud, scope: &ResourceId, r: &Requested) -> Result<(), ArmError> {
    let triple = triple_key(scope, &r.guid, &r.principal_id);
    let found = cloud.store().get(ASSIGNMENT_TRIPLES, &triple).await;
    if found.map_err(store_err)?.is_some() {
        return Err(ArmError::RoleAssignmentExists);
    }
    if let Some(sub) = scope.subscription_id() {
        let prefix = ResourceId::subscription(sub).descendant_prefix();
        let count = cloud.store().count(ROLE_ASSIGNMENTS, &prefix).await;
        if count.map_err(store_err)? >= LIMIT_PER_SUBSCRIPTION as u64 {
            return Err(ArmError::RoleAssignmentLimitExceeded(
                LIMIT_PER_SUBSCRIPTION,
            ));
        }
    }
    Ok(())
}

fn render(
    cloud: &Cloud,
    auth: &Authorized,
    (scope, name): (&ResourceId, &str),
    r: &Requested,
    principal_type: String,
) -> StoredAssignment {
    let now = cloud.now_rfc3339();
    let caller = auth.principal().object_id.clone();
    let text = |k: &str| r.props.get(k).and_then(Value::as_str).map(str::to_string);
    let properties = AssignmentProperties {
        role_definition_id: definition_id(scope, &r.guid),
        principal_id: r.principal_id.clone(),
        principal_type: Some(principal_type),
        scope: scope.as_str().to_string(),
        condition: text("condition"),
        condition_version: text("conditionVersion"),
        created_on: Some(now.clone()),
        updated_on: Some(now),
        created_by: Some(caller.clone()),
        updated_by: Some(caller),
        delegated_managed_identity_resource_id: text("delegatedManagedIdentityResourceId"),
        description: text("description"),
        ..AssignmentProperties::default()
    };
    StoredAssignment::new(scope, name, properties)
}

/// Creates an assignment; re-applying the same one answers it unchanged
/// (template redeploys rely on that), changing one is refused.
pub async fn put(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    scope: &ResourceId,
    name: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    if uuid::Uuid::parse_str(name).is_err() {
        return Err(ArmError::InvalidRoleAssignmentId(name.to_string()));
    }
    check_scope(cloud, scope).await?;
    let r = requested(cloud, scope, req).await?;
    let principal_type = principal_type(cloud, &r).await?;
    let id = assignment_id(scope, name);
    let existing = cloud.store().get(ROLE_ASSIGNMENTS, id.key()).await;
    if let Some(doc) = existing.map_err(store_err)? {
        let stored = StoredAssignment::parse(&doc.body)?;
        let same = stored.properties.principal_id == r.principal_id && stored.role() == r.guid;
        if !same {
            return Err(ArmError::RoleAssignmentUpdateNotPermitted);
        }
        return Ok(ArmResponse::json(200, doc.body));
    }
    check_new(cloud, scope, &r).await?;
    let rendered = render(cloud, auth, (scope, name), &r, principal_type);
    cloud
        .commit(writes_for(&rendered, Cond::Absent)?)
        .await
        .map_err(|e| match e {
            StoreError::AlreadyExists { coll, .. } if coll == ASSIGNMENT_TRIPLES => {
                ArmError::RoleAssignmentExists
            }
            e => store_err(e),
        })?;
    Ok(ArmResponse::json(201, rendered.to_value()))
}

pub async fn get(
    cloud: &Cloud,
    _auth: &Authorized,
    scope: &ResourceId,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    let id = assignment_id(scope, name);
    match cloud
        .store()
        .get(ROLE_ASSIGNMENTS, id.key())
        .await
        .map_err(store_err)?
    {
        Some(doc) => Ok(ArmResponse::json(200, doc.body)),
        None => Err(ArmError::RoleAssignmentNotFound(name.to_string())),
    }
}

/// Deleting returns the deleted assignment (200), or 204 when there was none.
pub async fn delete(
    cloud: &Arc<Cloud>,
    _auth: &Authorized,
    scope: &ResourceId,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    let id = assignment_id(scope, name);
    let Some(doc) = cloud
        .store()
        .get(ROLE_ASSIGNMENTS, id.key())
        .await
        .map_err(store_err)?
    else {
        return Ok(ArmResponse::empty(204));
    };
    let mut writes = deletes_for(&doc)?;
    if cloud.rbac.propagation().is_on() {
        // The deletion propagates too: keep a tombstone the index reads until then.
        let mut tomb = StoredAssignment::parse(&doc.body)?;
        tomb.properties.deleted_on = Some(cloud.now_rfc3339());
        writes[1] = Write::Put {
            coll: ASSIGNMENTS_BY_PRINCIPAL,
            key: assignment_key(&tomb.properties.principal_id, &doc.key),
            id: doc.id.clone(),
            body: tomb.to_value(),
            cond: Cond::Any,
        };
    }
    cloud.commit(writes).await.map_err(store_err)?;
    Ok(ArmResponse::json(200, doc.body))
}

/// What a list `$filter` asks for.
#[derive(Debug, Default, PartialEq, Eq)]
struct ListFilter {
    at_scope: bool,
    principal: Option<String>,
}

fn parse_filter(raw: &str) -> Result<ListFilter, ArmError> {
    let mut f = ListFilter::default();
    let bad = || ArmError::InvalidFilter(raw.to_string());
    for clause in split_and(raw) {
        let c = clause.trim();
        if c.eq_ignore_ascii_case("atScope()") {
            f.at_scope = true;
        } else if let Some(rest) = c
            .strip_prefix("assignedTo(")
            .or_else(|| c.strip_prefix("assignedto("))
        {
            let (v, tail) = odata::literal(rest).ok_or_else(bad)?;
            if tail.trim() != ")" {
                return Err(bad());
            }
            f.principal = Some(v.to_lowercase());
        } else {
            match odata::parse(c) {
                Some(odata::Filter::Eq { property, value })
                    if property.eq_ignore_ascii_case("principalId") =>
                {
                    f.principal = Some(value.to_lowercase());
                }
                _ => return Err(bad()),
            }
        }
    }
    Ok(f)
}

/// Splits on ` and ` outside quotes.
fn split_and(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    let lower = s.to_ascii_lowercase();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            quoted = !quoted;
        } else if !quoted && lower[i..].starts_with(" and ") {
            parts.push(&s[start..i]);
            i += 5;
            start = i;
            continue;
        }
        i += 1;
    }
    parts.push(&s[start..]);
    parts
}

/// `atScope()`: at the scope and above. Otherwise also below. A principal filter
/// keeps that principal's assignments.
pub async fn list(
    cloud: &Cloud,
    _auth: &Authorized,
    scope: &ResourceId,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let filter = match req.query.get("$filter") {
        Some(raw) => parse_filter(raw)?,
        None => ListFilter::default(),
    };
    let mut found: BTreeMap<String, Value> = BTreeMap::new();
    for a in scope.ancestors_or_self() {
        for d in cloud
            .store()
            .list(ROLE_ASSIGNMENTS, &scope_prefix(&a))
            .await
            .map_err(store_err)?
        {
            found.insert(d.key, d.body);
        }
    }
    if !filter.at_scope {
        for d in cloud
            .store()
            .list(ROLE_ASSIGNMENTS, &scope.descendant_prefix())
            .await
            .map_err(store_err)?
        {
            found.insert(d.key, d.body);
        }
    }
    // At most the subscription's 4,000 assignments are gathered; answered a page at a time.
    let kept: Vec<(String, Value)> = found
        .into_iter()
        .filter(|(_, b)| {
            filter.principal.as_ref().is_none_or(|p| {
                b["properties"]["principalId"]
                    .as_str()
                    .is_some_and(|x| x.eq_ignore_ascii_case(p))
            })
        })
        .collect();
    let (items, next) = paging::slice(&Page::of(req)?, kept);
    Ok(paging::answer(req, items, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_az_sends() {
        assert_eq!(
            parse_filter("atScope()").unwrap(),
            ListFilter {
                at_scope: true,
                principal: None
            }
        );
        assert_eq!(
            parse_filter("atScope() and assignedTo('ABC')").unwrap(),
            ListFilter {
                at_scope: true,
                principal: Some("abc".into())
            }
        );
        assert_eq!(
            parse_filter("principalId eq 'x'").unwrap(),
            ListFilter {
                at_scope: false,
                principal: Some("x".into())
            }
        );
        assert!(parse_filter("roleName eq 'x'").is_err());
    }
}
