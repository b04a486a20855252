//! Resource-provider registration (`az provider list/show/register`). Namespaces
//! aksemu serves start `Registered`.

use aksemu_authz::Authorized;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, Write};
use serde_json::json;

use crate::catalog::{self, NAMESPACES, provider_body};
use crate::cloud::{Cloud, store_err};
use crate::collections::REGISTRATIONS;
use crate::request::ArmResponse;

fn key(sub: &str, ns: &str) -> ResourceId {
    ResourceId::subscription(sub).child(&["providers", ns])
}

async fn state(cloud: &Cloud, sub: &str, ns: &str) -> Result<String, ArmError> {
    Ok(cloud
        .store
        .get(REGISTRATIONS, key(sub, ns).key())
        .await
        .map_err(store_err)?
        .and_then(|d| d.body["registrationState"].as_str().map(str::to_string))
        .unwrap_or_else(|| "Registered".to_string()))
}

pub async fn list(cloud: &Cloud, _auth: &Authorized, sub: &str) -> Result<ArmResponse, ArmError> {
    let mut value = Vec::new();
    for (ns, types) in NAMESPACES {
        value.push(provider_body(sub, ns, types, &state(cloud, sub, ns).await?));
    }
    Ok(ArmResponse::json(200, json!({"value": value})))
}

pub async fn get(
    cloud: &Cloud,
    _auth: &Authorized,
    sub: &str,
    ns: &str,
) -> Result<ArmResponse, ArmError> {
    let (ns, types) =
        catalog::namespace(ns).ok_or_else(|| ArmError::InvalidResourceNamespace(ns.to_string()))?;
    Ok(ArmResponse::json(
        200,
        provider_body(sub, ns, types, &state(cloud, sub, ns).await?),
    ))
}

pub async fn set(
    cloud: &Cloud,
    _auth: &Authorized,
    sub: &str,
    ns: &str,
    register: bool,
) -> Result<ArmResponse, ArmError> {
    let (ns, types) =
        catalog::namespace(ns).ok_or_else(|| ArmError::InvalidResourceNamespace(ns.to_string()))?;
    let state = if register {
        "Registered"
    } else {
        "Unregistered"
    };
    let id = key(sub, ns);
    cloud
        .store
        .apply(vec![Write::Put {
            coll: REGISTRATIONS,
            key: id.key().to_string(),
            id: id.as_str().to_string(),
            body: json!({"registrationState": state}),
            cond: Cond::Any,
        }])
        .await
        .map_err(store_err)?;
    Ok(ArmResponse::json(200, provider_body(sub, ns, types, state)))
}
