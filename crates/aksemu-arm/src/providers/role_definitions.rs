//! Role definitions (Microsoft.Authorization/roleDefinitions): Azure's built-in
//! roles at any scope, and custom roles with their assignable scopes.

use std::sync::Arc;

use aksemu_authz::builtin::{builtin_role, builtin_roles};
use aksemu_authz::{Authorized, Permission, RoleDefinition};
use aksemu_core::error::LinkedDenial;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, StoreError, Write};
use serde_json::{Value, json};

use aksemu_store::store_err;

use crate::cloud::Cloud;
use crate::collections::{ROLE_ASSIGNMENTS, ROLE_DEFINITION_NAMES, ROLE_DEFINITIONS};
use crate::endpoint::{ROLE_DEFINITIONS_DELETE as DELETE, ROLE_DEFINITIONS_WRITE as WRITE};
use crate::providers::json_object;
pub use crate::rbac::custom_role::CustomRole;
use aksemu_core::odata::{self, Filter};
use aksemu_core::request::{ArmRequest, ArmResponse};

const BUILTIN_DATE: &str = "2015-02-02T21:55:09.8806423Z";

/// The id ARM gives a role definition seen from `scope`: under the scope's
/// subscription when there is one. az maps assignment → role by exact id string.
pub fn definition_id(scope: &ResourceId, guid: &str) -> String {
    match scope.subscription_id() {
        Some(sub) => {
            format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}")
        }
        None => format!("/providers/Microsoft.Authorization/roleDefinitions/{guid}"),
    }
}

fn render(scope: &ResourceId, rd: &RoleDefinition, custom: Option<&CustomRole>) -> Value {
    json!({
        "id": definition_id(scope, &rd.name),
        "name": rd.name,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": rd.role_name,
            "type": if rd.built_in { "BuiltInRole" } else { "CustomRole" },
            "description": rd.description,
            "assignableScopes": rd.assignable_scopes,
            "permissions": rd.permissions,
            "createdOn": custom.map(|c| c.created_on.as_str()).unwrap_or(BUILTIN_DATE),
            "updatedOn": custom.map(|c| c.updated_on.as_str()).unwrap_or(BUILTIN_DATE),
            "createdBy": custom.map(|c| c.created_by.as_str()),
            "updatedBy": custom.map(|c| c.updated_by.as_str()),
        }
    })
}

async fn customs(cloud: &Cloud) -> Result<Vec<CustomRole>, ArmError> {
    Ok(cloud
        .store()
        .list(ROLE_DEFINITIONS, "")
        .await
        .map_err(store_err)?
        .into_iter()
        .filter_map(|d| serde_json::from_value(d.body).ok())
        .collect())
}

/// Custom roles are visible where they can be assigned: at, above or below one
/// of their assignable scopes.
fn visible_at(c: &CustomRole, scope: &ResourceId) -> bool {
    c.scopes()
        .iter()
        .any(|a| scope.is_within(a) || a.is_within(scope))
}

pub async fn list(
    cloud: &Cloud,
    _auth: &Authorized,
    scope: &ResourceId,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let filter = match req.query.get("$filter") {
        None => None,
        Some(f) => match odata::parse(f) {
            Some(Filter::Eq { property, value })
                if property.eq_ignore_ascii_case("roleName")
                    || property.eq_ignore_ascii_case("type") =>
            {
                Some((property.to_ascii_lowercase(), value))
            }
            _ => return Err(ArmError::InvalidFilter(f.clone())),
        },
    };
    let keep = |rd: &RoleDefinition| match &filter {
        None => true,
        Some((p, v)) if p == "rolename" => rd.role_name.eq_ignore_ascii_case(v),
        Some((_, v)) => {
            let t = if rd.built_in {
                "BuiltInRole"
            } else {
                "CustomRole"
            };
            t.eq_ignore_ascii_case(v)
        }
    };
    let mut value: Vec<Value> = builtin_roles()
        .iter()
        .filter(|rd| keep(rd))
        .map(|rd| render(scope, rd, None))
        .collect();
    for c in customs(cloud).await? {
        let rd = c.definition();
        if visible_at(&c, scope) && keep(&rd) {
            value.push(render(scope, &rd, Some(&c)));
        }
    }
    Ok(ArmResponse::json(200, json!({ "value": value })))
}

pub async fn get(
    cloud: &Cloud,
    _auth: &Authorized,
    scope: &ResourceId,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    if let Some(rd) = builtin_role(name) {
        return Ok(ArmResponse::json(200, render(scope, rd, None)));
    }
    match load(cloud, name).await? {
        Some((_, c)) => Ok(ArmResponse::json(
            200,
            render(scope, &c.definition(), Some(&c)),
        )),
        None => Err(ArmError::RoleDefinitionDoesNotExist(name.to_string())),
    }
}

async fn load(cloud: &Cloud, name: &str) -> Result<Option<(String, CustomRole)>, ArmError> {
    let Some(doc) = cloud
        .store()
        .get(ROLE_DEFINITIONS, &name.to_lowercase())
        .await
        .map_err(store_err)?
    else {
        return Ok(None);
    };
    let c = serde_json::from_value(doc.body).map_err(|_| ArmError::InternalServerError)?;
    Ok(Some((doc.etag, c)))
}

fn strings(v: Option<&Value>, field: &str) -> Result<Vec<String>, ArmError> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str().map(str::to_string).ok_or_else(|| {
                    ArmError::InvalidRoleDefinition(format!("'{field}' must be a list of strings"))
                })
            })
            .collect(),
        Some(_) => Err(ArmError::InvalidRoleDefinition(format!(
            "'{field}' must be a list of strings"
        ))),
    }
}

/// A custom role's name is a GUID that is not a built-in role's.
fn check_definition_name(name: &str) -> Result<(), ArmError> {
    if uuid::Uuid::parse_str(name).is_err() {
        return Err(ArmError::InvalidRoleDefinition(format!(
            "the role definition name '{name}' must be a GUID"
        )));
    }
    if builtin_role(name).is_some() {
        return Err(ArmError::InvalidRoleDefinition(
            "built-in roles cannot be changed".into(),
        ));
    }
    Ok(())
}

/// What a role definition PUT asks for.
struct Requested {
    role_name: String,
    description: String,
    permissions: Vec<Permission>,
    assignable_scopes: Vec<String>,
}

fn requested(req: &ArmRequest) -> Result<Requested, ArmError> {
    let body = json_object(&req.body)?;
    let props = body
        .get("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| ArmError::InvalidRoleDefinition("'properties' is required".into()))?;
    let role_name = props
        .get("roleName")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ArmError::InvalidRoleDefinition("'roleName' is required".into()))?
        .to_string();
    let permissions = props
        .get("permissions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            Ok(Permission {
                actions: strings(p.get("actions"), "actions")?,
                not_actions: strings(p.get("notActions"), "notActions")?,
                data_actions: strings(p.get("dataActions"), "dataActions")?,
                not_data_actions: strings(p.get("notDataActions"), "notDataActions")?,
            })
        })
        .collect::<Result<Vec<_>, ArmError>>()?;
    let assignable_scopes = strings(props.get("assignableScopes"), "assignableScopes")?;
    if assignable_scopes.is_empty() {
        return Err(ArmError::InvalidRoleDefinition(
            "'assignableScopes' must name at least one scope".into(),
        ));
    }
    let description = props.get("description").and_then(Value::as_str);
    Ok(Requested {
        role_name,
        description: description.unwrap_or_default().to_string(),
        permissions,
        assignable_scopes,
    })
}

/// Custom roles are assignable at subscriptions, groups or resources, never at
/// the root (only built-in roles are).
fn check_assignable_scopes(scopes: &[String]) -> Result<Vec<ResourceId>, ArmError> {
    scopes
        .iter()
        .map(|a| {
            let id = ResourceId::parse(a)?;
            if id.subscription_id().is_none() {
                return Err(ArmError::InvalidRoleDefinition(format!(
                    "the assignable scope '{a}' is not allowed: a custom role is assignable at subscriptions, resource groups or resources"
                )));
            }
            Ok(id)
        })
        .collect()
}

/// Writing or deleting a custom role changes what can be granted at each of
/// its assignable scopes, so the caller needs the action at every one of them
/// (not only at the URL's scope): both the scopes asked for and, on an update
/// or delete, the role's current ones.
fn require_at_scopes(
    cloud: &Cloud,
    auth: &Authorized,
    action: &str,
    scopes: &[ResourceId],
) -> Result<(), ArmError> {
    let who = auth.principal();
    let mut denied: Vec<&str> = scopes
        .iter()
        .filter(|s| !cloud.rbac.allows(who, action, s))
        .map(ResourceId::as_str)
        .collect();
    denied.sort_unstable();
    denied.dedup();
    if denied.is_empty() {
        return Ok(());
    }
    Err(ArmError::LinkedAuthorizationFailed(Box::new(
        LinkedDenial {
            client_id: who.app_id.clone(),
            object_id: who.object_id.clone(),
            action: auth.action().to_string(),
            scope: auth.scope().as_str().to_string(),
            linked_action: action.to_string(),
            linked_scope: denied.join(","),
        },
    )))
}

/// The uniqueness row of a role name.
fn name_key(role_name: &str) -> String {
    role_name.trim().to_lowercase()
}

/// The name row a role holds: taken with `Cond::Absent` when the name is new
/// to the role (so a concurrent create of the same name fails in the store),
/// released when the role gives it up.
fn name_rows(old: Option<&CustomRole>, new: &CustomRole) -> Vec<Write> {
    let key = name_key(&new.role_name);
    let old_key = old.map(|c| name_key(&c.role_name));
    if old_key.as_deref() == Some(key.as_str()) {
        return Vec::new();
    }
    let mut rows = vec![Write::Put {
        coll: ROLE_DEFINITION_NAMES,
        key,
        id: new.name.clone(),
        body: json!({ "roleDefinition": new.name }),
        cond: Cond::Absent,
    }];
    if let Some(k) = old_key {
        rows.push(Write::Delete {
            coll: ROLE_DEFINITION_NAMES,
            key: k,
            cond: Cond::Any,
        });
    }
    rows
}

/// Role names are unique among built-in and custom roles (ignoring case).
async fn check_unique(cloud: &Cloud, role_name: &str, name: &str) -> Result<(), ArmError> {
    let same = |other: &str| other.eq_ignore_ascii_case(role_name);
    let clash = builtin_roles().iter().any(|r| same(&r.role_name))
        || customs(cloud)
            .await?
            .iter()
            .any(|c| same(&c.role_name) && !c.name.eq_ignore_ascii_case(name));
    if clash {
        return Err(ArmError::RoleDefinitionWithSameNameExists(
            role_name.to_string(),
        ));
    }
    Ok(())
}

pub async fn put(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    scope: &ResourceId,
    name: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    check_definition_name(name)?;
    let r = requested(req)?;
    let mut scopes = check_assignable_scopes(&r.assignable_scopes)?;
    check_unique(cloud, &r.role_name, name).await?;
    let now = cloud.now_rfc3339();
    let existing = load(cloud, name).await?;
    if let Some((_, c)) = &existing {
        scopes.extend(c.scopes());
    }
    require_at_scopes(cloud, auth, WRITE, &scopes)?;
    let caller = auth.principal().object_id.clone();
    let created = existing
        .as_ref()
        .map(|(_, c)| (c.created_on.clone(), c.created_by.clone()));
    let (created_on, created_by) = created.unwrap_or_else(|| (now.clone(), caller.clone()));
    let role = CustomRole {
        name: name.to_lowercase(),
        role_name: r.role_name,
        description: r.description,
        permissions: r.permissions,
        assignable_scopes: r.assignable_scopes,
        created_on,
        updated_on: now,
        created_by,
        updated_by: caller,
    };
    let cond = match &existing {
        Some((etag, _)) => Cond::Etag(etag.clone()),
        None => Cond::Absent,
    };
    let body = serde_json::to_value(&role).map_err(|_| ArmError::InternalServerError)?;
    let write = Write::Put {
        coll: ROLE_DEFINITIONS,
        key: role.name.clone(),
        id: role.name.clone(),
        body,
        cond,
    };
    let mut writes = vec![write];
    writes.extend(name_rows(existing.as_ref().map(|(_, c)| c), &role));
    cloud.commit(writes).await.map_err(|e| match e {
        StoreError::AlreadyExists { coll, .. } if coll == ROLE_DEFINITION_NAMES => {
            ArmError::RoleDefinitionWithSameNameExists(role.role_name.clone())
        }
        e => store_err(e),
    })?;
    let status = if existing.is_some() { 200 } else { 201 };
    Ok(ArmResponse::json(
        status,
        render(scope, &role.definition(), Some(&role)),
    ))
}

pub async fn delete(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    scope: &ResourceId,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    if builtin_role(name).is_some() {
        return Err(ArmError::InvalidRoleDefinition(
            "built-in roles cannot be deleted".into(),
        ));
    }
    let Some((etag, role)) = load(cloud, name).await? else {
        return Ok(ArmResponse::empty(204));
    };
    require_at_scopes(cloud, auth, DELETE, &role.scopes())?;
    let guid = role.name.to_lowercase();
    let in_use = cloud
        .store()
        .list(ROLE_ASSIGNMENTS, "")
        .await
        .map_err(store_err)?
        .iter()
        .any(|d| {
            d.body["properties"]["roleDefinitionId"]
                .as_str()
                .is_some_and(|r| r.to_lowercase().ends_with(&guid))
        });
    if in_use {
        return Err(ArmError::RoleDefinitionHasAssignments(role.role_name));
    }
    cloud
        .commit(vec![
            Write::Delete {
                coll: ROLE_DEFINITIONS,
                key: guid,
                cond: Cond::Etag(etag),
            },
            Write::Delete {
                coll: ROLE_DEFINITION_NAMES,
                key: name_key(&role.role_name),
                cond: Cond::Any,
            },
        ])
        .await
        .map_err(store_err)?;
    Ok(ArmResponse::json(
        200,
        render(scope, &role.definition(), Some(&role)),
    ))
}
