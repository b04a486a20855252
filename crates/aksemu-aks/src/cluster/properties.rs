//! The planned cluster document: versions and pools, the node resource group,
//! DNS names, the OIDC issuer, AKS's defaults, and server-owned fields, each
//! kept from the stored cluster on update.

use aksemu_arm::Cloud;
use aksemu_arm::providers::tracked::system_data;
use aksemu_authz::Authorized;
use aksemu_core::{ArmError, ResourceId};
use serde_json::{Value, json};

use super::TYPE;
use super::identities::ControlPlane;
use super::validate::Request;
use crate::defaults::{
    addon_profiles, default_dns_prefix, fill, hex8, invalid, network_profile, node_group_name, text,
};
use crate::identity::Mode;
use crate::lifecycle::load;
use crate::{pools, versions};

/// (kubernetesVersion, currentKubernetesVersion, agentPoolProfiles).
fn versions_and_pools(r: &Request) -> Result<(String, String, Value), ArmError> {
    let old_props = r.old_props();
    let requested = text(&r.props, "kubernetesVersion").unwrap_or_default();
    let (version, current) = match (requested, old_props) {
        ("", Some(p)) => (
            p["kubernetesVersion"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            p["currentKubernetesVersion"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ),
        (v, _) => versions::resolve(v)?,
    };
    let profiles = match r.props.get("agentPoolProfiles") {
        Some(Value::Array(a)) if !a.is_empty() => {
            pools::normalise_all(a, old_props.map(|p| &p["agentPoolProfiles"]), &current)?
        }
        _ => match old_props {
            Some(p) => p["agentPoolProfiles"].clone(),
            None => {
                return Err(invalid(
                    "agentPoolProfiles",
                    "At least one agent pool profile is required: a cluster needs a System agent pool.",
                ));
            }
        },
    };
    Ok((version, current, profiles))
}

/// The node resource group's name: kept, or chosen now; it must not exist yet.
async fn node_group(cloud: &Cloud, r: &Request) -> Result<String, ArmError> {
    if let Some(n) = r.old_props().and_then(|p| p["nodeResourceGroup"].as_str()) {
        return Ok(n.to_string());
    }
    let n = node_group_name(&r.props, &r.rg, &r.name, r.target.location)?;
    let nrg = ResourceId::resource_group(&r.sub, &n);
    if nrg.key() == ResourceId::resource_group(&r.sub, &r.rg).key() {
        return Err(invalid(
            "nodeResourceGroup",
            "The node resource group must differ from the resource group of the cluster.",
        ));
    }
    if load(cloud, nrg.key()).await?.is_some() {
        return Err(ArmError::NodeResourceGroupAlreadyExists(format!(
            "The node resource group '{n}' already exists: AKS creates the node resource group and it must not exist before. Please see https://aka.ms/aks-naming-rules"
        )));
    }
    Ok(n)
}

/// (dnsPrefix, fqdn), kept once chosen.
fn dns_names(r: &Request) -> (String, String) {
    let old = r.old_props();
    let dns_prefix = match old.and_then(|p| p["dnsPrefix"].as_str()) {
        Some(d) => d.to_string(),
        None => text(&r.props, "dnsPrefix")
            .map(str::to_string)
            .unwrap_or_else(|| default_dns_prefix(&r.name, &r.rg, &r.sub)),
    };
    let fqdn = match old.and_then(|p| p["fqdn"].as_str()) {
        Some(f) => f.to_string(),
        None => format!(
            "{}-{}.hcp.{}.azmk8s.io",
            dns_prefix.to_lowercase(),
            hex8(),
            r.target.location
        ),
    };
    (dns_prefix, fqdn)
}

/// The OIDC issuer: once enabled it stays, with the URL it was given
/// (Azure's shape: region, tenant, the cluster's uid, a trailing slash);
/// asking to disable it is refused.
fn oidc_issuer(cloud: &Cloud, r: &Request, uid: &str) -> Result<Value, ArmError> {
    let old = r.old_props();
    let was = old.is_some_and(|p| p["oidcIssuerProfile"]["enabled"] == true);
    let asked_off = r
        .props
        .get("oidcIssuerProfile")
        .and_then(|o| o.get("enabled"))
        .is_some_and(|e| e == false);
    if was && asked_off {
        return Err(ArmError::BadRequest(
            "The OIDC issuer cannot be disabled once it is enabled.".into(),
        ));
    }
    let enabled = r
        .props
        .get("oidcIssuerProfile")
        .and_then(|o| o.get("enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
        || old.is_some_and(|p| p["oidcIssuerProfile"]["enabled"] == true);
    let mut oidc = json!({ "enabled": enabled });
    if enabled {
        oidc["issuerURL"] = old
            .and_then(|p| p["oidcIssuerProfile"]["issuerURL"].as_str())
            .map(|u| json!(u))
            .unwrap_or_else(|| {
                json!(format!(
                    "https://{}.oic.prod-aks.azure.com/{}/{uid}/",
                    r.target.location, cloud.entra.tenant_id
                ))
            });
    }
    Ok(oidc)
}

/// What AKS fills in when the client leaves it out.
fn aks_defaults() -> Value {
    json!({
        "enableRBAC": true,
        "supportPlan": "KubernetesOfficial",
        "disableLocalAccounts": false,
        "maxAgentPools": 100,
        "autoUpgradeProfile": {"upgradeChannel": "none", "nodeOSUpgradeChannel": "NodeImage"},
        "storageProfile": {
            "diskCSIDriver": {"enabled": true},
            "fileCSIDriver": {"enabled": true},
            "snapshotController": {"enabled": true},
        },
        "securityProfile": {},
    })
}

/// The client's properties without the write-only and server-owned fields,
/// with AKS's defaults filled in.
fn client_properties(r: &Request) -> Value {
    let mut p = r.props.clone();
    if let Some(o) = p.as_object_mut() {
        for k in [
            "provisioningState",
            "powerState",
            "fqdn",
            "azurePortalFQDN",
            "privateFQDN",
        ] {
            o.remove(k);
        }
    }
    fill(&mut p, &aks_defaults());
    p
}

/// A stored field kept on update, else `fresh`.
fn kept(old: Option<&Value>, key: &str, keep: fn(&Value) -> bool, fresh: Value) -> Value {
    old.map(|o| o[key].clone()).filter(keep).unwrap_or(fresh)
}

/// Entra integration as AKS records it (`managed`, `enableAzureRBAC`,
/// `adminGroupObjectIDs`, the tenant filled in); only the managed kind exists
/// now (the legacy client/server application fields are refused).
fn aad_profile(cloud: &Cloud, sent: &Value) -> Result<Option<Value>, ArmError> {
    if !sent.is_object() {
        return Ok(None);
    }
    if sent["managed"] == false
        || sent["serverAppID"].is_string()
        || sent["clientAppID"].is_string()
    {
        return Err(ArmError::InvalidParameter {
            target: "aadProfile".into(),
            message: "Azure AD integration (legacy) is deprecated: use managed Microsoft Entra integration (aadProfile.managed = true).".into(),
        });
    }
    let groups = match &sent["adminGroupObjectIDs"] {
        Value::Array(a) => Value::Array(a.clone()),
        _ => Value::Null,
    };
    Ok(Some(json!({
        "managed": true,
        "enableAzureRBAC": sent["enableAzureRBAC"] == true,
        "adminGroupObjectIDs": groups,
        "adminUsers": null,
        "tenantID": sent["tenantID"].as_str().unwrap_or(&cloud.entra.tenant_id),
    })))
}

/// The cluster's `properties` as stored and returned.
pub async fn properties(
    cloud: &Cloud,
    r: &Request,
    identity_profile: Option<Value>,
) -> Result<Value, ArmError> {
    let old = r.old_props();
    let (version, current, pool_profiles) = versions_and_pools(r)?;
    let node_group = node_group(cloud, r).await?;
    let (dns_prefix, fqdn) = dns_names(r);
    let sp_client = match &r.mode {
        Mode::ServicePrincipal(c) => c.clone(),
        _ => "msi".to_string(),
    };
    let mut p = client_properties(r);
    let state = if r.target.existing.is_some() {
        "Updating"
    } else {
        "Creating"
    };
    p["provisioningState"] = json!(state);
    p["powerState"] = kept(
        old,
        "powerState",
        Value::is_object,
        json!({"code": "Running"}),
    );
    p["kubernetesVersion"] = json!(version);
    p["currentKubernetesVersion"] = json!(current);
    p["dnsPrefix"] = json!(dns_prefix);
    let portal = fqdn.replacen(".hcp.", ".portal.hcp.", 1);
    p["fqdn"] = json!(fqdn);
    p["azurePortalFQDN"] = json!(portal);
    p["agentPoolProfiles"] = pool_profiles;
    p["servicePrincipalProfile"] = json!({ "clientId": sp_client });
    p["addonProfiles"] = addon_profiles(
        r.props.get("addonProfiles"),
        old.map(|o| &o["addonProfiles"]),
    )?;
    p["nodeResourceGroup"] = json!(node_group);
    let old_network = old.map(|o| &o["networkProfile"]).filter(|v| v.is_object());
    p["networkProfile"] = network_profile(r.props.get("networkProfile"), old_network);
    let uid = json!(uuid::Uuid::new_v4().simple().to_string());
    p["resourceUID"] = kept(old, "resourceUID", Value::is_string, uid);
    let uid = p["resourceUID"].as_str().unwrap_or_default().to_string();
    p["oidcIssuerProfile"] = oidc_issuer(cloud, r, &uid)?;
    if p["securityProfile"]["workloadIdentity"]["enabled"] == true
        && p["oidcIssuerProfile"]["enabled"] != true
    {
        return Err(ArmError::InvalidParameter {
            target: "securityProfile.workloadIdentity".into(),
            message: "Enabling workload identity requires enabling OIDC issuer (oidcIssuerProfile.enabled).".into(),
        });
    }
    if let Some(aad) = aad_profile(cloud, &p["aadProfile"])? {
        p["aadProfile"] = aad;
    }
    match (identity_profile, p.as_object_mut()) {
        (Some(ip), _) => p["identityProfile"] = ip,
        (None, Some(o)) => {
            o.remove("identityProfile");
        }
        (None, None) => {}
    }
    Ok(p)
}

/// The whole ARM document of the cluster.
pub fn document(
    cloud: &Cloud,
    auth: &Authorized,
    r: &Request,
    properties: Value,
    control_plane: &ControlPlane,
) -> Value {
    let sku = r
        .target
        .body
        .get("sku")
        .cloned()
        .filter(|s| s.is_object())
        .unwrap_or_else(|| json!({"name": "Base", "tier": "Free"}));
    let mut doc = json!({
        "id": r.target.id.as_str(),
        "location": r.target.location,
        "name": r.target.id.segments().last(),
        "type": TYPE,
        "tags": r.target.tags.clone().unwrap_or(Value::Null),
        "sku": sku,
        "kind": "Base",
        "properties": properties,
        "systemData": system_data(r.target.existing.as_ref(), auth.principal(), &cloud.now_rfc3339()),
    });
    if let Some(i) = &control_plane.identity {
        doc["identity"] = i.clone();
    }
    if doc["tags"].is_null()
        && let Some(o) = doc.as_object_mut()
    {
        o.remove("tags");
    }
    doc
}
