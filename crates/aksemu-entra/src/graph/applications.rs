//! `/v1.0/applications`: create, read, list with filters, update, delete, and
//! password credentials (`addPassword` returns the secret once; only its digest is kept).

use aksemu_authz::Authorized;
use aksemu_core::Clock;
use aksemu_identity::{Application, PasswordCredential, ServicePrincipal, secret};
use aksemu_store::{Cond, StoreError};
use serde_json::Value;
use time::OffsetDateTime;

use super::error::GraphError;
use super::{body_object, created, filter_of, no_content, ok, render};
use crate::Entra;
use crate::collections::APPLICATIONS;
use crate::directory::{delete_application, delete_service_principal, put_application};
use aksemu_core::request::{ArmRequest, ArmResponse};

fn write_err(e: StoreError) -> GraphError {
    match e {
        StoreError::AlreadyExists { .. } | StoreError::PreconditionFailed { .. } => {
            GraphError::Conflict("id".into())
        }
        _ => GraphError::Internal,
    }
}

pub(super) async fn load(entra: &Entra, id: &str) -> Result<(String, Application), GraphError> {
    match entra.application(id).await? {
        Some((doc, app)) if app.tenant_id == entra.tenant_id => Ok((doc.etag, app)),
        _ => Err(GraphError::NotFound(id.to_string())),
    }
}

pub async fn list(
    entra: &Entra,
    _auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let filter = filter_of(req)?;
    let docs = entra
        .store
        .list(APPLICATIONS, "")
        .await
        .map_err(|_| GraphError::Internal)?;
    let value: Vec<Value> = docs
        .into_iter()
        .filter_map(|d| serde_json::from_value::<Application>(d.body).ok())
        .filter(|a| a.tenant_id == entra.tenant_id)
        .map(|a| render::application(&a))
        .filter(|v| filter.as_ref().is_none_or(|f| f.matches(v)))
        .collect();
    Ok(ok(render::list(&req.base_url, "applications", value)))
}

pub async fn get(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let (_, app) = load(entra, id).await?;
    Ok(ok(render::entity(
        &req.base_url,
        "applications",
        render::application(&app),
    )))
}

pub async fn create(
    entra: &Entra,
    _auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let body = body_object(req)?;
    let display_name = body
        .get("displayName")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| GraphError::BadRequest("Property 'displayName' is required.".into()))?;
    let app = Application {
        id: uuid::Uuid::new_v4().to_string(),
        app_id: uuid::Uuid::new_v4().to_string(),
        display_name: display_name.to_string(),
        tenant_id: entra.tenant_id.clone(),
        password_credentials: Vec::new(),
        federated_identity_credentials: Vec::new(),
    };
    entra
        .store
        .apply(put_application(&app, Cond::Absent))
        .await
        .map_err(write_err)?;
    Ok(created(render::entity(
        &req.base_url,
        "applications",
        render::application(&app),
    )))
}

pub async fn update(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let (etag, mut app) = load(entra, id).await?;
    let body = body_object(req)?;
    if let Some(name) = body.get("displayName") {
        app.display_name = name
            .as_str()
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| {
                GraphError::BadRequest("Property 'displayName' must be a non-empty string.".into())
            })?
            .to_string();
    }
    entra
        .store
        .apply(put_application(&app, Cond::Etag(etag)))
        .await
        .map_err(write_err)?;
    Ok(no_content())
}

/// Deleting an application also deletes its service principal in this tenant.
/// Role assignments naming the principal stay behind, as in Azure.
pub async fn delete(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
) -> Result<ArmResponse, GraphError> {
    let (_, app) = load(entra, id).await?;
    if app.app_id.eq_ignore_ascii_case(&entra.admin_app_id) {
        return Err(GraphError::BadRequest(
            "The aksemu administrator application cannot be deleted.".into(),
        ));
    }
    let mut writes = delete_application(&app);
    if let Some((_, sp)) = entra
        .service_principal_by_app_id(&app.tenant_id, &app.app_id)
        .await?
    {
        writes.extend(delete_service_principal(&sp));
    }
    entra.store.apply(writes).await.map_err(write_err)?;
    Ok(no_content())
}

fn parse_date(v: Option<&Value>, field: &str) -> Result<Option<OffsetDateTime>, GraphError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .map(Some)
                .map_err(|_| GraphError::BadRequest(format!("Invalid value for '{field}': '{s}'.")))
        }
        Some(_) => Err(GraphError::BadRequest(format!(
            "Invalid value for '{field}'."
        ))),
    }
}

pub async fn add_password(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let (etag, mut app) = load(entra, id).await?;
    let body = if req.body.is_empty() {
        Default::default()
    } else {
        body_object(req)?
    };
    let pc = body.get("passwordCredential").cloned().unwrap_or_default();
    let now = entra.clock.now();
    // Clients compute dates from their own (real) clock, e.g. az's "now + 1 year";
    // the cloud's clock may be ahead, so their dates move by the same offset.
    let offset = time::Duration::milliseconds(entra.clock.offset_ms());
    let start = parse_date(pc.get("startDateTime"), "startDateTime")?
        .map(|t| t + offset)
        .unwrap_or(now);
    // Graph's default lifetime for a new password is two years.
    let end = parse_date(pc.get("endDateTime"), "endDateTime")?
        .map(|t| t + offset)
        .unwrap_or(start + time::Duration::days(730));
    if end <= start {
        return Err(GraphError::BadRequest(
            "endDateTime must be later than startDateTime.".into(),
        ));
    }
    let text = secret::generate();
    let cred = PasswordCredential {
        key_id: uuid::Uuid::new_v4().to_string(),
        display_name: pc
            .get("displayName")
            .and_then(Value::as_str)
            .map(str::to_string),
        hint: text.chars().take(3).collect(),
        secret_hash: secret::hash(&text),
        start_date_time: start,
        end_date_time: Some(end),
    };
    app.password_credentials.push(cred.clone());
    entra
        .store
        .apply(put_application(&app, Cond::Etag(etag)))
        .await
        .map_err(write_err)?;
    let mut v = render::password(&cred, Some(&text));
    v["@odata.context"] = serde_json::json!(format!(
        "{}/v1.0/$metadata#microsoft.graph.passwordCredential",
        req.base_url
    ));
    Ok(ok(v))
}

pub async fn remove_password(
    entra: &Entra,
    _auth: &Authorized,
    id: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let (etag, mut app) = load(entra, id).await?;
    let body = body_object(req)?;
    let key_id = body
        .get("keyId")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphError::BadRequest("Property 'keyId' is required.".into()))?;
    let before = app.password_credentials.len();
    app.password_credentials
        .retain(|c| !c.key_id.eq_ignore_ascii_case(key_id));
    if app.password_credentials.len() == before {
        return Err(GraphError::BadRequest(format!(
            "No password credential found with keyId '{key_id}'."
        )));
    }
    entra
        .store
        .apply(put_application(&app, Cond::Etag(etag)))
        .await
        .map_err(write_err)?;
    Ok(no_content())
}

/// A new service principal for `app` (used by `POST /servicePrincipals`).
pub fn principal_for(app: &Application) -> ServicePrincipal {
    ServicePrincipal {
        id: uuid::Uuid::new_v4().to_string(),
        app_id: app.app_id.clone(),
        display_name: app.display_name.clone(),
        tenant_id: app.tenant_id.clone(),
        service_principal_type: "Application".to_string(),
        service_principal_names: vec![app.app_id.clone()],
        account_enabled: true,
    }
}
