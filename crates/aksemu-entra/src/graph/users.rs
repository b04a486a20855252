//! `/v1.0/users` and `/v1.0/me`: users with a user principal name in one of the
//! tenant's verified domains and a password (kept only as a digest).

use aksemu_authz::Authorized;
use aksemu_identity::{User, secret};
use aksemu_store::{Cond, StoreError};
use serde_json::{Map, Value};

use super::error::GraphError;
use super::{body_object, created, filtered_list, no_content, ok, render};
use crate::Entra;
use crate::people::{delete_user, put_user};
use aksemu_core::request::{ArmRequest, ArmResponse};

fn text<'a>(body: &'a Map<String, Value>, name: &str) -> Result<&'a str, GraphError> {
    body.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| GraphError::BadRequest(format!("Property '{name}' is required.")))
}

pub(crate) async fn load(entra: &Entra, id: &str) -> Result<User, GraphError> {
    match entra.user(id).await? {
        Some((_, u)) => Ok(u),
        None => Err(GraphError::NotFound(id.to_string())),
    }
}

pub async fn list(
    entra: &Entra,
    _auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    filtered_list(req, "users", entra.users().await?.iter().map(render::user))
}

pub async fn get(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let u = load(entra, id).await?;
    Ok(ok(render::entity(&req.base_url, "users", render::user(&u))))
}

/// `/me`: the signed-in user.
pub async fn me(
    entra: &Entra,
    auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let id = auth.principal().object_id.clone();
    match entra.user(&id).await? {
        Some((_, u)) => Ok(ok(render::entity(&req.base_url, "users", render::user(&u)))),
        None => Err(GraphError::BadRequest(
            "/me request is only valid with delegated authentication flow.".into(),
        )),
    }
}

/// The UPN's domain must be one the tenant has verified.
fn check_domain(entra: &Entra, upn: &str) -> Result<(), GraphError> {
    match upn.rsplit_once('@') {
        Some((name, domain)) if !name.is_empty() && domain.eq_ignore_ascii_case(&entra.tenant_domain) => Ok(()),
        _ => Err(GraphError::BadRequest(
            "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.".into(),
        )),
    }
}

fn password(body: &Map<String, Value>) -> Result<String, GraphError> {
    body.get("passwordProfile")
        .and_then(|p| p.get("password"))
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .ok_or_else(|| GraphError::BadRequest("Property 'passwordProfile' is required.".into()))
}

pub async fn create(
    entra: &Entra,
    _auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let body = body_object(req)?;
    let upn = text(&body, "userPrincipalName")?;
    check_domain(entra, upn)?;
    let user = User {
        id: uuid::Uuid::new_v4().to_string(),
        user_principal_name: upn.to_string(),
        display_name: text(&body, "displayName")?.to_string(),
        mail_nickname: text(&body, "mailNickname")?.to_string(),
        tenant_id: entra.tenant_id.clone(),
        account_enabled: body
            .get("accountEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        password_hash: secret::hash(&password(&body)?),
        created_date_time: aksemu_core::clock::rfc3339(aksemu_core::Clock::now(
            entra.clock.as_ref(),
        )),
    };
    entra
        .store
        .apply(put_user(&user, Cond::Absent))
        .await
        .map_err(|e| match e {
            StoreError::AlreadyExists { .. } => GraphError::Conflict("userPrincipalName".into()),
            _ => GraphError::Internal,
        })?;
    Ok(created(render::entity(
        &req.base_url,
        "users",
        render::user(&user),
    )))
}

/// PATCH: display name, account state and password.
pub async fn update(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let mut user = load(entra, id).await?;
    let body = body_object(req)?;
    if let Some(n) = body.get("displayName").and_then(Value::as_str) {
        user.display_name = n.to_string();
    }
    if let Some(e) = body.get("accountEnabled").and_then(Value::as_bool) {
        user.account_enabled = e;
    }
    if body.contains_key("passwordProfile") {
        user.password_hash = secret::hash(&password(&body)?);
    }
    entra
        .store
        .apply(put_user(&user, Cond::Any))
        .await
        .map_err(|_| GraphError::Internal)?;
    Ok(no_content())
}

pub async fn delete(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
) -> Result<ArmResponse, GraphError> {
    let user = load(entra, id).await?;
    entra
        .store
        .apply(delete_user(&user))
        .await
        .map_err(|_| GraphError::Internal)?;
    Ok(no_content())
}

/// `POST /users/{id}/getMemberGroups` and `/directoryObjects/{id}/getMemberGroups`:
/// the groups the object belongs to, transitively.
pub async fn member_groups(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
) -> Result<ArmResponse, GraphError> {
    let ids = entra.member_group_ids(id).await?;
    Ok(ok(serde_json::json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)",
        "value": ids,
    })))
}
