//! `/v1.0/servicePrincipals` and `/v1.0/directoryObjects/getByIds`.

use aksemu_authz::Authorized;
use aksemu_identity::ServicePrincipal;
use aksemu_store::{Cond, StoreError};
use serde_json::Value;

use super::applications::principal_for;
use super::error::GraphError;
use super::{body_object, created, filtered_list, no_content, ok, render};
use crate::Entra;
use crate::collections::{APPLICATIONS, SERVICE_PRINCIPALS};
use crate::directory::{delete_service_principal, put_service_principal};
use aksemu_core::request::{ArmRequest, ArmResponse};

async fn all(entra: &Entra) -> Result<Vec<ServicePrincipal>, GraphError> {
    let docs = entra
        .store
        .list(SERVICE_PRINCIPALS, "")
        .await
        .map_err(|_| GraphError::Internal)?;
    Ok(docs
        .into_iter()
        .filter_map(|d| serde_json::from_value::<ServicePrincipal>(d.body).ok())
        .filter(|sp| sp.tenant_id == entra.tenant_id)
        .collect())
}

pub async fn list(
    entra: &Entra,
    _auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let all = all(entra).await?;
    filtered_list(
        req,
        "servicePrincipals",
        all.iter().map(render::service_principal),
    )
}

async fn load(entra: &Entra, id: &str) -> Result<ServicePrincipal, GraphError> {
    match entra.service_principal(id).await? {
        Some((_, sp)) if sp.tenant_id == entra.tenant_id => Ok(sp),
        _ => Err(GraphError::NotFound(id.to_string())),
    }
}

pub async fn get(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let sp = load(entra, id).await?;
    Ok(ok(render::entity(
        &req.base_url,
        "servicePrincipals",
        render::service_principal(&sp),
    )))
}

pub async fn create(
    entra: &Entra,
    _auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let body = body_object(req)?;
    let app_id = body
        .get("appId")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::BadRequest("Property 'appId' is required.".into()))?;
    let Some((_, app)) = entra
        .application_by_app_id(&entra.tenant_id, app_id)
        .await?
    else {
        return Err(GraphError::BadRequest(format!(
            "The appId '{app_id}' of the service principal does not reference a valid application object."
        )));
    };
    if entra
        .service_principal_by_app_id(&entra.tenant_id, app_id)
        .await?
        .is_some()
    {
        return Err(GraphError::Conflict("appId".into()));
    }
    let sp = principal_for(&app);
    entra
        .store
        .apply(put_service_principal(&sp, Cond::Absent))
        .await
        .map_err(|e| match e {
            StoreError::AlreadyExists { .. } => GraphError::Conflict("appId".into()),
            _ => GraphError::Internal,
        })?;
    Ok(created(render::entity(
        &req.base_url,
        "servicePrincipals",
        render::service_principal(&sp),
    )))
}

pub async fn delete(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
) -> Result<ArmResponse, GraphError> {
    let sp = load(entra, id).await?;
    if sp.service_principal_type == "ManagedIdentity" {
        return Err(GraphError::BadRequest(
            "A managed identity's service principal is deleted with its identity, not through Graph.".into(),
        ));
    }
    if sp.id.eq_ignore_ascii_case(&entra.admin_object_id) {
        return Err(GraphError::BadRequest(
            "The aksemu administrator cannot be deleted.".into(),
        ));
    }
    entra
        .store
        .apply(delete_service_principal(&sp))
        .await
        .map_err(|_| GraphError::Internal)?;
    Ok(no_content())
}

pub async fn get_by_ids(
    entra: &Entra,
    _auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let body = body_object(req)?;
    let ids: Vec<&str> = body
        .get("ids")
        .and_then(Value::as_array)
        .ok_or_else(|| GraphError::BadRequest("Property 'ids' is required.".into()))?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let types: Vec<String> = body
        .get("types")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_lowercase)
                .collect()
        })
        .unwrap_or_default();
    let wants = |t: &str| types.is_empty() || types.iter().any(|x| x == t);
    let mut value = Vec::new();
    for id in ids {
        if wants("serviceprincipal")
            && let Ok(sp) = load(entra, id).await
        {
            value.push(render::service_principal(&sp));
            continue;
        }
        if wants("user")
            && let Some((_, u)) = entra.user(id).await?
        {
            value.push(render::user(&u));
            continue;
        }
        if wants("group")
            && let Some((_, g)) = entra.group(id).await?
        {
            value.push(render::group(&g));
            continue;
        }
        if wants("application")
            && let Some(doc) = entra
                .store
                .get(APPLICATIONS, &id.to_lowercase())
                .await
                .map_err(|_| GraphError::Internal)?
            && let Ok(app) = serde_json::from_value(doc.body)
        {
            value.push(render::application(&app));
        }
    }
    Ok(ok(render::list(&req.base_url, "directoryObjects", value)))
}
