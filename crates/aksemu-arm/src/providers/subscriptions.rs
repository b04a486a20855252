//! Subscriptions and tenants (Microsoft.Resources).

use aksemu_authz::Authorized;
use aksemu_core::{ArmError, ResourceId};
use serde_json::{Value, json};

use crate::catalog::LOCATIONS;
use aksemu_store::store_err;

use crate::cloud::Cloud;
use crate::collections::{SUBSCRIPTIONS, TENANTS};
use aksemu_core::request::ArmResponse;

fn render(doc_id: &str, body: &Value) -> Value {
    json!({
        "id": doc_id,
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": body["subscriptionId"],
        "tenantId": body["tenantId"],
        "displayName": body["displayName"],
        "state": body["state"],
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    })
}

/// Lists the subscriptions in which the caller holds any role (a role on one
/// group is enough, as in Azure).
pub async fn list(cloud: &Cloud, auth: &Authorized) -> Result<ArmResponse, ArmError> {
    let docs = cloud
        .store()
        .list(SUBSCRIPTIONS, "")
        .await
        .map_err(store_err)?;
    let mut value = Vec::new();
    for d in docs {
        let scope = ResourceId::parse(&d.id)?;
        if cloud.rbac.has_access_around(auth.principal(), &scope) {
            value.push(render(&d.id, &d.body));
        }
    }
    let count = value.len();
    Ok(ArmResponse::json(
        200,
        json!({"value": value, "count": {"type": "Total", "value": count}}),
    ))
}

pub async fn get(cloud: &Cloud, auth: &Authorized) -> Result<ArmResponse, ArmError> {
    let d = cloud
        .store()
        .get(SUBSCRIPTIONS, auth.scope().key())
        .await
        .map_err(store_err)?
        .ok_or_else(|| ArmError::SubscriptionNotFound(auth.scope().as_str().to_string()))?;
    Ok(ArmResponse::json(200, render(&d.id, &d.body)))
}

pub async fn list_tenants(cloud: &Cloud, auth: &Authorized) -> Result<ArmResponse, ArmError> {
    let key = auth.principal().tenant_id.to_lowercase();
    let value: Vec<Value> = cloud
        .store()
        .get(TENANTS, &key)
        .await
        .map_err(store_err)?
        .map(|d| {
            json!({
                "id": format!("/tenants/{}", d.body["tenantId"].as_str().unwrap_or_default()),
                "tenantId": d.body["tenantId"],
                "countryCode": "US",
                "displayName": d.body["displayName"],
                "domains": d.body["domains"],
                "defaultDomain": d.body["defaultDomain"],
                "tenantCategory": "Home",
                "tenantType": "AAD",
            })
        })
        .into_iter()
        .collect();
    Ok(ArmResponse::json(200, json!({"value": value})))
}

/// The regions of the subscription (`az account list-locations`; az also uses it
/// to turn `--location "West US 2"` into `westus2`).
pub fn list_locations(_auth: &Authorized, sub: &str) -> Result<ArmResponse, ArmError> {
    let value: Vec<Value> = LOCATIONS
        .iter()
        .map(|(name, display)| {
            json!({
                "id": format!("/subscriptions/{sub}/locations/{name}"),
                "name": name,
                "type": "Region",
                "displayName": display,
                "regionalDisplayName": display,
                "metadata": {"regionType": "Physical", "regionCategory": "Recommended"},
            })
        })
        .collect();
    Ok(ArmResponse::json(200, json!({"value": value})))
}
