//! Resource-provider registration (`az provider list/show/register`). Namespaces
//! aksemu serves start `Registered`.

use aksemu_authz::Authorized;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, Write};
use serde_json::json;

use crate::catalog::provider_body;
use crate::endpoint::Namespace;
use aksemu_store::store_err;

use crate::cloud::Cloud;
use crate::collections::REGISTRATIONS;
use aksemu_core::request::ArmResponse;

fn key(sub: &str, ns: &str) -> ResourceId {
    ResourceId::subscription(sub).child(&["providers", ns])
}

async fn state(cloud: &Cloud, sub: &str, ns: &str) -> Result<String, ArmError> {
    Ok(cloud
        .store()
        .get(REGISTRATIONS, key(sub, ns).key())
        .await
        .map_err(store_err)?
        .and_then(|d| d.body["registrationState"].as_str().map(str::to_string))
        .unwrap_or_else(|| "Registered".to_string()))
}

pub async fn list(cloud: &Cloud, _auth: &Authorized, sub: &str) -> Result<ArmResponse, ArmError> {
    let mut value = Vec::new();
    for ns in cloud.registry().catalogue().namespaces() {
        let state = state(cloud, sub, ns.name).await?;
        value.push(provider_body(sub, ns.name, ns.listed_types, &state));
    }
    Ok(ArmResponse::json(200, json!({"value": value})))
}

pub async fn get(
    cloud: &Cloud,
    _auth: &Authorized,
    sub: &str,
    ns: &Namespace,
) -> Result<ArmResponse, ArmError> {
    let state = state(cloud, sub, ns.name).await?;
    Ok(ArmResponse::json(
        200,
        provider_body(sub, ns.name, ns.listed_types, &state),
    ))
}

pub async fn set(
    cloud: &Cloud,
    _auth: &Authorized,
    sub: &str,
    namespace: &Namespace,
    register: bool,
) -> Result<ArmResponse, ArmError> {
    let (ns, types) = (namespace.name, namespace.listed_types);
    let state = if register {
        "Registered"
    } else {
        "Unregistered"
    };
    let id = key(sub, ns);
    cloud
        .commit(vec![Write::Put {
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
