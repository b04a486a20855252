//! `/v1.0/groups`, their members (`members/$ref`), and membership checks
//! (`checkMemberGroups`): security groups whose members are users, groups or
//! service principals of the tenant.

use aksemu_authz::Authorized;
use aksemu_identity::Group;
use aksemu_store::Cond;
use serde_json::{Value, json};

use super::error::GraphError;
use super::{body_object, created, filtered_list, no_content, ok, render};
use crate::Entra;
use crate::people::put_group;
use aksemu_core::request::{ArmRequest, ArmResponse};

async fn load(entra: &Entra, id: &str) -> Result<(String, Group), GraphError> {
    match entra.group(id).await? {
        Some((doc, g)) => Ok((doc.etag, g)),
        None => Err(GraphError::NotFound(id.to_string())),
    }
}

pub async fn list(
    entra: &Entra,
    _auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    filtered_list(
        req,
        "groups",
        entra.groups().await?.iter().map(render::group),
    )
}

pub async fn get(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let (_, g) = load(entra, id).await?;
    Ok(ok(render::entity(
        &req.base_url,
        "groups",
        render::group(&g),
    )))
}

pub async fn create(
    entra: &Entra,
    _auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let body = body_object(req)?;
    let text = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
            .ok_or_else(|| GraphError::BadRequest(format!("Property '{name}' is required.")))
    };
    let group = Group {
        id: uuid::Uuid::new_v4().to_string(),
        display_name: text("displayName")?,
        mail_nickname: text("mailNickname")?,
        description: body
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        tenant_id: entra.tenant_id.clone(),
        security_enabled: body
            .get("securityEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        mail_enabled: body
            .get("mailEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        created_date_time: aksemu_core::clock::rfc3339(aksemu_core::Clock::now(
            entra.clock.as_ref(),
        )),
        members: Vec::new(),
    };
    entra
        .store
        .apply(vec![put_group(&group, Cond::Absent)])
        .await
        .map_err(|_| GraphError::Internal)?;
    Ok(created(render::entity(
        &req.base_url,
        "groups",
        render::group(&group),
    )))
}

pub async fn delete(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
) -> Result<ArmResponse, GraphError> {
    let (_, g) = load(entra, id).await?;
    entra
        .store
        .apply(vec![aksemu_store::Write::Delete {
            coll: crate::collections::GROUPS,
            key: crate::directory::object_key(&g.id),
            cond: Cond::Any,
        }])
        .await
        .map_err(|_| GraphError::Internal)?;
    Ok(no_content())
}

/// A directory object of the tenant, rendered, if `id` names one.
async fn directory_object(entra: &Entra, id: &str) -> Result<Option<Value>, GraphError> {
    if let Some((_, u)) = entra.user(id).await? {
        return Ok(Some(render::user(&u)));
    }
    if let Some((_, g)) = entra.group(id).await? {
        return Ok(Some(render::group(&g)));
    }
    Ok(entra
        .service_principal(id)
        .await?
        .filter(|(_, sp)| sp.tenant_id == entra.tenant_id)
        .map(|(_, sp)| render::service_principal(&sp)))
}

pub async fn members(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let (_, g) = load(entra, id).await?;
    let mut value = Vec::new();
    for m in &g.members {
        value.extend(directory_object(entra, m).await?);
    }
    Ok(ok(render::list(&req.base_url, "directoryObjects", value)))
}

/// Rewrites the group's member list if it is still the one read (a concurrent
/// change is refused rather than lost).
async fn save(entra: &Entra, g: &Group, etag: String) -> Result<(), GraphError> {
    entra
        .store
        .apply(vec![put_group(g, Cond::Etag(etag))])
        .await
        .map_err(|_| GraphError::Conflict("members".into()))?;
    Ok(())
}

/// `POST /groups/{id}/members/$ref` with `{"@odata.id": ".../directoryObjects/{member}"}`.
pub async fn add_member(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let body = body_object(req)?;
    let reference = body
        .get("@odata.id")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::BadRequest("Property '@odata.id' is required.".into()))?;
    let member = reference
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let (etag, mut g) = load(entra, id).await?;
    if directory_object(entra, member).await?.is_none() {
        return Err(GraphError::NotFound(member.to_string()));
    }
    if g.members.iter().any(|m| m.eq_ignore_ascii_case(member)) {
        return Err(GraphError::BadRequest(
            "One or more added object references already exist for the following modified properties: 'members'.".into(),
        ));
    }
    g.members.push(member.to_ascii_lowercase());
    save(entra, &g, etag).await?;
    Ok(no_content())
}

/// `DELETE /groups/{id}/members/{member}/$ref`.
pub async fn remove_member(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
    member: &str,
) -> Result<ArmResponse, GraphError> {
    let (etag, mut g) = load(entra, id).await?;
    let before = g.members.len();
    g.members.retain(|m| !m.eq_ignore_ascii_case(member));
    if g.members.len() == before {
        return Err(GraphError::NotFound(member.to_string()));
    }
    save(entra, &g, etag).await?;
    Ok(no_content())
}

/// `POST /directoryObjects/{id}/checkMemberGroups` (and on `/users`, `/groups`):
/// which of the given groups the object belongs to, transitively.
pub async fn check_member_groups(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let body = body_object(req)?;
    let asked: Vec<&str> = body
        .get("groupIds")
        .and_then(Value::as_array)
        .ok_or_else(|| GraphError::BadRequest("Property 'groupIds' is required.".into()))?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let member_of = entra.member_group_ids(id).await?;
    let value: Vec<&str> = asked
        .into_iter()
        .filter(|g| member_of.iter().any(|m| m.eq_ignore_ascii_case(g)))
        .collect();
    Ok(ok(json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)",
        "value": value,
    })))
}
