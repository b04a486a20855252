//! `/v1.0/applications/{id}/federatedIdentityCredentials` (`az ad app
//! federated-credential …`): an application's federated credentials, kept in
//! its document, with Entra's rules; the token endpoint matches assertions
//! against them.

use aksemu_authz::Authorized;
use aksemu_identity::federation::{FederatedCredential, check};
use aksemu_store::Cond;
use serde_json::{Value, json};

use super::applications::load;
use super::error::GraphError;
use super::{body_object, created, no_content, ok, render};
use crate::Entra;
use crate::directory::put_application;
use aksemu_core::request::{ArmRequest, ArmResponse};

const SET: &str = "applications/federatedIdentityCredentials";

fn rendered(c: &FederatedCredential) -> Value {
    json!({"id": c.id, "name": c.name, "issuer": c.issuer, "subject": c.subject,
           "audiences": c.audiences, "description": c.description})
}

fn text(body: &serde_json::Map<String, Value>, k: &str) -> String {
    body.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A name Graph accepts: 1–120 URL-friendly characters.
fn valid_name(n: &str) -> bool {
    (1..=120).contains(&n.len())
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c))
}

pub async fn list(
    entra: &Entra,
    _auth: &Authorized,
    app_id: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let (_, app) = load(entra, app_id).await?;
    let value = app
        .federated_identity_credentials
        .iter()
        .map(rendered)
        .collect();
    Ok(ok(render::list(&req.base_url, SET, value)))
}

fn find<'a>(app: &'a aksemu_identity::Application, key: &str) -> Option<&'a FederatedCredential> {
    app.federated_identity_credentials
        .iter()
        .find(|c| c.id.eq_ignore_ascii_case(key) || c.name.eq_ignore_ascii_case(key))
}

pub async fn get(
    entra: &Entra,
    _auth: &Authorized,
    app_id: &str,
    key: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let (_, app) = load(entra, app_id).await?;
    let c = find(&app, key).ok_or_else(|| GraphError::NotFound(key.to_string()))?;
    Ok(ok(render::entity(&req.base_url, SET, rendered(c))))
}

pub async fn create(
    entra: &Entra,
    _auth: &Authorized,
    app_id: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let (etag, mut app) = load(entra, app_id).await?;
    let body = body_object(req)?;
    let name = text(&body, "name");
    if !valid_name(&name) {
        return Err(GraphError::BadRequest(format!(
            "Invalid value specified for property 'name' of resource 'FederatedIdentityCredential': '{name}'."
        )));
    }
    if find(&app, &name).is_some() {
        return Err(GraphError::Conflict("name".into()));
    }
    let audiences = body
        .get("audiences")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|a| a.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let new = FederatedCredential {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        issuer: text(&body, "issuer"),
        subject: text(&body, "subject"),
        audiences,
        description: body
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
    };
    check(&new, &app.federated_identity_credentials).map_err(|(field, m)| {
        GraphError::BadRequest(format!(
            "Invalid value specified for property '{field}': {m}"
        ))
    })?;
    app.federated_identity_credentials.push(new.clone());
    entra
        .store
        .apply(put_application(&app, Cond::Etag(etag)))
        .await
        .map_err(|_| GraphError::Conflict("federatedIdentityCredentials".into()))?;
    Ok(created(render::entity(&req.base_url, SET, rendered(&new))))
}

pub async fn delete(
    entra: &Entra,
    _auth: &Authorized,
    app_id: &str,
    key: &str,
) -> Result<ArmResponse, GraphError> {
    let (etag, mut app) = load(entra, app_id).await?;
    let before = app.federated_identity_credentials.len();
    app.federated_identity_credentials
        .retain(|c| !(c.id.eq_ignore_ascii_case(key) || c.name.eq_ignore_ascii_case(key)));
    if app.federated_identity_credentials.len() == before {
        return Err(GraphError::NotFound(key.to_string()));
    }
    entra
        .store
        .apply(put_application(&app, Cond::Etag(etag)))
        .await
        .map_err(|_| GraphError::Conflict("federatedIdentityCredentials".into()))?;
    Ok(no_content())
}
