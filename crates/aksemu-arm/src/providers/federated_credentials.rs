//! Federated identity credentials of user-assigned identities
//! (`…/userAssignedIdentities/{id}/federatedIdentityCredentials/{name}`), with
//! Azure's rules: the name's pattern, issuer, subject and exactly one audience
//! (each at most 600 characters, no wildcards), at most 20 per identity, and an
//! issuer and subject pair used once. They are kept beside the identity
//! (`FEDERATED_CREDENTIALS`, keyed under its key) and go with it; the token
//! endpoint reads them through `ResourceIdentities`.

use aksemu_authz::Authorized;
use aksemu_core::ArmError;
use aksemu_identity::federation::{FederatedCredential, check};
use aksemu_store::{Cond, Doc, Write, store_err};
use serde_json::{Value, json};

use crate::cloud::Cloud;
use crate::collections::RESOURCES;
use crate::federated_store::{FEDERATED_CREDENTIALS, credential, of_identity};
use crate::providers::json_object;
use crate::providers::tracked::{not_found, parent_resource, system_data, write_err};

pub use crate::federated_store::removal;

const TYPE: &str = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials";
use aksemu_core::request::{ArmRequest, ArmResponse};

fn invalid(target: &str, message: String) -> ArmError {
    ArmError::InvalidParameter {
        target: target.to_string(),
        message,
    }
}

fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=120).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
}

/// The request's credential (its fields as sent; `check` judges them).
fn requested(name: &str, req: &ArmRequest) -> Result<FederatedCredential, ArmError> {
    if !valid_name(name) {
        return Err(invalid(
            "name",
            format!(
                "The federated identity credential name '{name}' is invalid. It must match '^[a-zA-Z0-9]{{1}}[a-zA-Z0-9-_]{{2,119}}$'."
            ),
        ));
    }
    let body = Value::Object(json_object(&req.body)?);
    let props = &body["properties"];
    let text = |k: &str| props[k].as_str().unwrap_or_default().to_string();
    Ok(FederatedCredential {
        id: String::new(),
        description: None,
        name: name.to_string(),
        issuer: text("issuer"),
        subject: text("subject"),
        audiences: props["audiences"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| a.as_str().unwrap_or_default().to_string())
            .collect(),
    })
}

/// The identity's guard, rewritten under the etag it was read at.
async fn guard_write(cloud: &Cloud, identity_key: &str) -> Result<Write, ArmError> {
    let key = crate::federated_store::guard_key(identity_key);
    let stored = cloud
        .store()
        .get(FEDERATED_CREDENTIALS, &key)
        .await
        .map_err(aksemu_store::store_err)?;
    Ok(Write::Put {
        coll: FEDERATED_CREDENTIALS,
        id: key.clone(),
        key,
        body: json!({}),
        cond: stored.map_or(Cond::Absent, |d| Cond::Etag(d.etag)),
    })
}

async fn identity(cloud: &Cloud, auth: &Authorized, rg: &str, name: &str) -> Result<Doc, ArmError> {
    cloud
        .store()
        .get(RESOURCES, parent_resource(auth.scope())?.key())
        .await
        .map_err(store_err)?
        .ok_or_else(|| {
            not_found(
                &super::managed_identities::USER_ASSIGNED_IDENTITIES,
                name,
                rg,
            )
        })
}

fn render(doc_id: &str, c: &FederatedCredential, system: Value) -> Value {
    json!({"id": doc_id, "name": c.name, "type": TYPE, "systemData": system,
           "properties": {"issuer": c.issuer, "subject": c.subject, "audiences": c.audiences}})
}

pub async fn put(
    cloud: &Cloud,
    auth: &Authorized,
    rg: &str,
    identity_name: &str,
    name: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let parent = identity(cloud, auth, rg, identity_name).await?;
    let wanted = requested(name, req)?;
    let siblings = of_identity(&cloud.store(), &parent.key).await?;
    let key = auth.scope().key().to_string();
    let existing = siblings.iter().find(|d| d.key == key);
    let others: Vec<FederatedCredential> = siblings
        .iter()
        .filter(|d| d.key != key)
        .map(credential)
        .collect();
    check(&wanted, &others).map_err(|(field, m)| invalid(field, m))?;
    let id = format!("{}/federatedIdentityCredentials/{name}", parent.id);
    let body = render(
        &id,
        &wanted,
        system_data(existing, auth.principal(), &cloud.now_rfc3339()),
    );
    let write = Write::Put {
        coll: FEDERATED_CREDENTIALS,
        key,
        id,
        body: body.clone(),
        cond: existing.map_or(Cond::Absent, |d| Cond::Etag(d.etag.clone())),
    };
    let guard = guard_write(cloud, &parent.key).await?;
    cloud
        .commit(vec![write, guard])
        .await
        .map_err(|e| match e {
            aksemu_store::StoreError::PreconditionFailed { .. }
            | aksemu_store::StoreError::AlreadyExists { .. } => {
                ArmError::ConcurrentFederatedIdentityCredentialsWrites(identity_name.to_string())
            }
            e => write_err(e),
        })?;
    Ok(ArmResponse::json(
        if existing.is_some() { 200 } else { 201 },
        body,
    ))
}

pub async fn get(
    cloud: &Cloud,
    auth: &Authorized,
    rg: &str,
    identity_name: &str,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    identity(cloud, auth, rg, identity_name).await?;
    let doc = cloud
        .store()
        .get(FEDERATED_CREDENTIALS, auth.scope().key())
        .await
        .map_err(store_err)?
        .ok_or_else(|| ArmError::ResourceNotFound {
            resource_type: TYPE.into(),
            name: format!("{identity_name}/{name}"),
            group: rg.to_string(),
        })?;
    Ok(ArmResponse::json(200, doc.body))
}

pub async fn list(
    cloud: &Cloud,
    auth: &Authorized,
    rg: &str,
    identity_name: &str,
) -> Result<ArmResponse, ArmError> {
    let parent = identity(cloud, auth, rg, identity_name).await?;
    let value: Vec<Value> = of_identity(&cloud.store(), &parent.key)
        .await?
        .into_iter()
        .map(|d| d.body)
        .collect();
    Ok(ArmResponse::json(200, json!({ "value": value })))
}

pub async fn delete(
    cloud: &Cloud,
    auth: &Authorized,
    rg: &str,
    identity_name: &str,
) -> Result<ArmResponse, ArmError> {
    identity(cloud, auth, rg, identity_name).await?;
    let key = auth.scope().key().to_string();
    let Some(doc) = cloud
        .store()
        .get(FEDERATED_CREDENTIALS, &key)
        .await
        .map_err(store_err)?
    else {
        return Ok(ArmResponse::empty(204));
    };
    let write = Write::Delete {
        coll: FEDERATED_CREDENTIALS,
        key,
        cond: Cond::Etag(doc.etag),
    };
    cloud.commit(vec![write]).await.map_err(write_err)?;
    Ok(ArmResponse::empty(200))
}
