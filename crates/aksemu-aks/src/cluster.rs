//! Microsoft.ContainerService/managedClusters: create and update (a PUT that
//! answers at once with `Creating`/`Updating` and finishes in a long-running
//! operation that builds the node resource group), GET, PATCH (tags), DELETE.
//! The identity rules are in `identity`, the defaults AKS fills in `defaults`.

use std::sync::Arc;

use aksemu_authz::Authorized;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, Write};
use serde_json::{Value, json};

use crate::defaults::{
    addon_profiles, default_dns_prefix, fill, hex8, invalid, network_profile, node_group_name, text,
};
use crate::identity::{
    Mode, as_principal, check_mode_change, identity_ref, requested_mode, stored_mode,
};
use crate::lifecycle::{begin_update, load, require, require_idle};
use crate::names::{CLUSTER_SECRETS, DELETE_CLUSTER, MANAGED_CLUSTERS, RECONCILE_CLUSTER};
use crate::{acting, pools, versions};
use aksemu_arm::Cloud;
use aksemu_arm::collections::RESOURCES;
use aksemu_arm::conditional::precondition;
use aksemu_arm::endpoint::resource_id;
use aksemu_arm::lro;
use aksemu_arm::operation::Work;
use aksemu_arm::providers::cascade::{Effects, resource_removal};
use aksemu_arm::providers::identity_block::{self, ASSIGN_ACTION, assignable_identity};
use aksemu_arm::providers::tracked::{
    group_name, location, parent_group, system_data, with_etag, write_err,
};
use aksemu_arm::providers::{json_object, tags};
use aksemu_arm::request::{ArmRequest, ArmResponse};
use aksemu_store::store_err;

pub const TYPE: &str = "Microsoft.ContainerService/ManagedClusters";

fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    let alnum = |c: &u8| c.is_ascii_alphanumeric();
    match b {
        [] => false,
        [one] => alnum(one),
        [first, mid @ .., last] => {
            b.len() <= 63
                && alnum(first)
                && alnum(last)
                && mid
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
        }
    }
}

pub async fn put(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    sub: &str,
    rg: &str,
    name: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    if !valid_name(name) {
        return Err(invalid(
            "name",
            format!(
                "The value of parameter 'name' is invalid: '{name}'. The name can contain only letters, numbers, underscores and hyphens, must start and end with a letter or number, and be 1 to 63 characters long. Please see https://aka.ms/aks-naming-rules"
            ),
        ));
    }
    let group = parent_group(cloud, sub, rg).await?;
    let body = json_object(&req.body)?;
    let loc = location(&body, &MANAGED_CLUSTERS)?;
    let tags = tags(body.get("tags"))?;
    let empty = json!({});
    let props = match body.get("properties") {
        Some(p) if p.is_object() => p,
        None | Some(Value::Null) => &empty,
        Some(_) => return Err(invalid("properties", "properties must be an object.")),
    };
    let existing = load(cloud, auth.scope().key()).await?;
    let cond = precondition(
        req.if_match.as_deref(),
        req.if_none_match.as_deref(),
        existing.as_ref().map(|d| d.etag.as_str()),
    )?;
    if let Some(doc) = &existing {
        require_idle(doc)?;
        let have = doc.body["location"].as_str().unwrap_or_default();
        if have != loc {
            return Err(ArmError::InvalidResourceLocation {
                name: name.to_string(),
                existing: have.to_string(),
                group: group_name(&group),
                requested: loc.to_string(),
            });
        }
    }
    let old = existing.as_ref().map(|d| &d.body);
    let old_props = old.map(|b| &b["properties"]);
    let id = match &existing {
        Some(d) => ResourceId::parse(&d.id)?,
        None => resource_id(&MANAGED_CLUSTERS, sub, &group_name(&group), name),
    };
    let requested = requested_mode(&body, props)?;
    let mode = match old {
        Some(b) => {
            let m = stored_mode(b);
            check_mode_change(&m, requested.as_ref())?;
            m
        }
        None => requested.unwrap_or(Mode::System),
    };

    // The control-plane identity.
    let mut writes = Vec::new();
    let mut secrets = match &existing {
        Some(d) => cloud
            .store
            .get(CLUSTER_SECRETS, d.key.as_str())
            .await
            .map_err(store_err)?
            .map(|s| s.body)
            .unwrap_or_else(|| json!({})),
        None => json!({ "credentialSeed": uuid::Uuid::new_v4().simple().to_string() }),
    };
    let (identity, control_plane) = match &mode {
        Mode::System => {
            let out = identity_block::apply(
                cloud,
                auth,
                &id,
                old.map(|b| &b["identity"]),
                Some(&json!({"type": "SystemAssigned"})),
            )
            .await?;
            writes.extend(out.writes);
            let principal = out
                .identity
                .as_ref()
                .and_then(|i| i["principalId"].as_str())
                .unwrap_or_default()
                .to_string();
            (out.identity, Some((principal, String::new())))
        }
        Mode::User(raw) => {
            // Checked on every PUT, as AKS does.
            let doc = assignable_identity(cloud, auth, raw).await?;
            let p = &doc.body["properties"];
            let principal = p["principalId"].as_str().unwrap_or_default().to_string();
            let client = p["clientId"].as_str().unwrap_or_default().to_string();
            (
                Some(json!({
                    "type": "UserAssigned",
                    "userAssignedIdentities": { doc.id.clone(): {"principalId": principal, "clientId": client} },
                })),
                Some((principal, client)),
            )
        }
        Mode::ServicePrincipal(app_id) => {
            let secret = props
                .get("servicePrincipalProfile")
                .and_then(|p| text(p, "secret"));
            match (secret, &existing) {
                (Some(s), None) => {
                    if s.len() > 190 {
                        return Err(invalid(
                            "servicePrincipalProfile.secret",
                            "The service principal client secret is too long: the maximum length is 190 bytes.",
                        ));
                    }
                    // AKS really signs in with the credential before accepting it.
                    acting::service_principal_token(cloud, app_id, s).await?;
                    secrets["servicePrincipalSecret"] = json!(s);
                }
                (None, None) => {
                    return Err(invalid(
                        "servicePrincipalProfile.secret",
                        "The secret of the service principal is required.",
                    ));
                }
                _ => {}
            }
            (None, None)
        }
    };

    // The kubelet identity: brought (create only), or AKS's own later.
    let requested_kubelet = props
        .get("identityProfile")
        .and_then(|p| p.get("kubeletidentity"))
        .and_then(|k| text(k, "resourceId"));
    let stored_kubelet = old_props.map(|p| &p["identityProfile"]["kubeletidentity"]);
    let identity_profile = match (requested_kubelet, stored_kubelet) {
        (Some(r), Some(s)) if s.is_object() => {
            let have = s["resourceId"].as_str().unwrap_or_default();
            if !have.eq_ignore_ascii_case(r) {
                return Err(ArmError::ChangeKubeletIdentityNotAllowed(format!(
                    "Change kubelet identity from ResourceID: {have} ClientID: {} ObjectID: {} to ResourceID: {r} is not allowed.",
                    s["clientId"].as_str().unwrap_or_default(),
                    s["objectId"].as_str().unwrap_or_default(),
                )));
            }
            Some(json!({ "kubeletidentity": s }))
        }
        (Some(r), _) => {
            let Mode::User(_) = mode else {
                return Err(ArmError::CustomKubeletIdentityOnlySupportedOnUserAssignedMsiCluster);
            };
            let doc = assignable_identity(cloud, auth, r).await?;
            let (cp_principal, cp_client) = control_plane.clone().unwrap_or_default();
            let kubelet_id = ResourceId::parse(&doc.id)?;
            if !cloud.rbac.allows(
                &as_principal(cloud, &cp_principal, &cp_client),
                ASSIGN_ACTION,
                &kubelet_id,
            ) {
                return Err(ArmError::CustomKubeletIdentityMissingPermission {
                    client_id: cp_client,
                    kubelet_id: doc.id.clone(),
                });
            }
            Some(json!({ "kubeletidentity": identity_ref(&doc.body) }))
        }
        (None, Some(s)) if s.is_object() => Some(json!({ "kubeletidentity": s })),
        (None, _) => None,
    };

    // Versions, pools, network, add-ons.
    let requested_version = text(props, "kubernetesVersion").unwrap_or_default();
    let (version, current) = match (requested_version, old_props) {
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
    let pool_profiles = match props.get("agentPoolProfiles") {
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
    let node_group = match old_props.and_then(|p| p["nodeResourceGroup"].as_str()) {
        Some(n) => n.to_string(),
        None => {
            let n = node_group_name(props, rg, name, loc)?;
            let nrg = ResourceId::resource_group(sub, &n);
            if nrg.key() == ResourceId::resource_group(sub, rg).key() {
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
            n
        }
    };
    let dns_prefix = match old_props.and_then(|p| p["dnsPrefix"].as_str()) {
        Some(d) => d.to_string(),
        None => text(props, "dnsPrefix")
            .map(str::to_string)
            .unwrap_or_else(|| default_dns_prefix(name, rg, sub)),
    };
    let fqdn = match old_props.and_then(|p| p["fqdn"].as_str()) {
        Some(f) => f.to_string(),
        None => format!(
            "{}-{}.hcp.{loc}.azmk8s.io",
            dns_prefix.to_lowercase(),
            hex8()
        ),
    };
    let portal_fqdn = fqdn.replacen(".hcp.", ".portal.hcp.", 1);
    let oidc_enabled = props
        .get("oidcIssuerProfile")
        .and_then(|o| o.get("enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
        || old_props.is_some_and(|p| p["oidcIssuerProfile"]["enabled"] == true);
    let mut oidc = json!({ "enabled": oidc_enabled });
    if oidc_enabled {
        oidc["issuerURL"] = old_props
            .and_then(|p| p["oidcIssuerProfile"]["issuerURL"].as_str())
            .map(|u| json!(u))
            .unwrap_or_else(|| {
                json!(format!(
                    "https://{loc}.oic.prod-aks.azure.com/{}/{}/",
                    cloud.tenant_id,
                    uuid::Uuid::new_v4()
                ))
            });
    }

    let mut p = props.clone();
    // Write-only and server-owned fields never come from the client.
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
    let sp_client = match &mode {
        Mode::ServicePrincipal(c) => c.clone(),
        _ => "msi".to_string(),
    };
    let defaults = json!({
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
    });
    fill(&mut p, &defaults);
    p["provisioningState"] = json!(if existing.is_some() {
        "Updating"
    } else {
        "Creating"
    });
    p["powerState"] = old_props
        .map(|o| o["powerState"].clone())
        .filter(|v| v.is_object())
        .unwrap_or_else(|| json!({"code": "Running"}));
    p["kubernetesVersion"] = json!(version);
    p["currentKubernetesVersion"] = json!(current);
    p["dnsPrefix"] = json!(dns_prefix);
    p["fqdn"] = json!(fqdn);
    p["azurePortalFQDN"] = json!(portal_fqdn);
    p["agentPoolProfiles"] = pool_profiles;
    p["servicePrincipalProfile"] = json!({ "clientId": sp_client });
    p["addonProfiles"] = addon_profiles(
        props.get("addonProfiles"),
        old_props.map(|o| &o["addonProfiles"]),
    )?;
    p["nodeResourceGroup"] = json!(node_group);
    p["networkProfile"] = network_profile(
        props.get("networkProfile"),
        old_props
            .map(|o| &o["networkProfile"])
            .filter(|v| v.is_object()),
    );
    p["oidcIssuerProfile"] = oidc;
    p["resourceUID"] = old_props
        .map(|o| o["resourceUID"].clone())
        .filter(|v| v.is_string())
        .unwrap_or_else(|| json!(uuid::Uuid::new_v4().simple().to_string()));
    match identity_profile {
        Some(ip) => p["identityProfile"] = ip,
        None => {
            if let Some(o) = p.as_object_mut() {
                o.remove("identityProfile");
            }
        }
    }
    let mut rendered = json!({
        "id": id.as_str(),
        "location": loc,
        "name": id.segments().last(),
        "type": TYPE,
        "tags": tags.unwrap_or(Value::Null),
        "sku": body.get("sku").cloned().filter(|s| s.is_object()).unwrap_or_else(|| json!({"name": "Base", "tier": "Free"})),
        "kind": "Base",
        "properties": p,
        "systemData": system_data(existing.as_ref(), auth.principal(), &cloud.now_rfc3339()),
    });
    if let Some(i) = identity {
        rendered["identity"] = i;
    }
    if rendered["tags"].is_null()
        && let Some(o) = rendered.as_object_mut()
    {
        o.remove("tags");
    }

    let work = Work::new(RECONCILE_CLUSTER, id.key()).with("previous", json!(old));
    let op = lro::operation(
        cloud,
        MANAGED_CLUSTERS.namespace,
        loc,
        id.as_str(),
        MANAGED_CLUSTERS.read,
        work,
    );
    let mut all = vec![
        Write::Put {
            coll: RESOURCES,
            key: id.key().to_string(),
            id: id.as_str().to_string(),
            body: rendered.clone(),
            cond,
        },
        Write::Put {
            coll: CLUSTER_SECRETS,
            key: id.key().to_string(),
            id: id.as_str().to_string(),
            body: secrets,
            cond: Cond::Any,
        },
        op.write(Cond::Absent),
    ];
    all.extend(writes);
    let etags = cloud.store.apply(all).await.map_err(write_err)?;
    lro::spawn(cloud, op.id.clone());
    let status = if existing.is_some() { 200 } else { 201 };
    Ok(op.accepted(
        with_etag(ArmResponse::json(status, rendered), etags.first()),
        &req.base_url,
        req.api_version().unwrap_or_default(),
    ))
}

/// `resetServicePrincipalProfile` (az aks update-credentials
/// --reset-service-principal): a service-principal cluster gets a new
/// credential, checked by signing in; a managed-identity cluster refuses.
pub async fn reset_service_principal(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let doc = require(cloud, auth.scope()).await?;
    if !matches!(stored_mode(&doc.body), Mode::ServicePrincipal(_)) {
        return Err(ArmError::BadRequest(
            "Updating service principal profile is not allowed on MSI cluster.".into(),
        ));
    }
    require_idle(&doc)?;
    let body = json_object(&req.body)?;
    let text_of = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let (Some(app_id), Some(secret)) = (text_of("clientId"), text_of("secret")) else {
        return Err(invalid(
            "servicePrincipalProfile",
            "Both 'clientId' and 'secret' of the service principal are required.",
        ));
    };
    acting::service_principal_token(cloud, app_id, secret).await?;
    let mut secrets = cloud
        .store
        .get(CLUSTER_SECRETS, &doc.key)
        .await
        .map_err(store_err)?
        .map(|d| d.body)
        .unwrap_or_else(|| json!({}));
    secrets["servicePrincipalSecret"] = json!(secret);
    let mut b = doc.body.clone();
    b["properties"]["servicePrincipalProfile"] = json!({ "clientId": app_id });
    // AKS itself rolls the credential out (and grants a new principal what the
    // old one had on the node group): not the cluster acting as itself.
    let op = begin_update(
        cloud,
        &doc,
        b,
        None,
        vec![Write::Put {
            coll: CLUSTER_SECRETS,
            key: doc.key.clone(),
            id: doc.id.clone(),
            body: secrets,
            cond: Cond::Any,
        }],
    )
    .await?;
    Ok(op.accepted(
        ArmResponse::empty(202),
        &req.base_url,
        req.api_version().unwrap_or_default(),
    ))
}

/// PATCH: tags only (everything else goes through PUT).
pub async fn patch(
    cloud: &Cloud,
    auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let doc = require(cloud, auth.scope()).await?;
    require_idle(&doc)?;
    let cond = precondition(req.if_match.as_deref(), None, Some(&doc.etag))?;
    let body = json_object(&req.body)?;
    let mut b = doc.body.clone();
    if body.contains_key("tags") {
        b["tags"] = tags(body.get("tags"))?.unwrap_or_else(|| json!({}));
    }
    b["systemData"] = system_data(Some(&doc), auth.principal(), &cloud.now_rfc3339());
    let etags = cloud
        .store
        .apply(vec![Write::Put {
            coll: RESOURCES,
            key: doc.key.clone(),
            id: doc.id.clone(),
            body: b.clone(),
            cond,
        }])
        .await
        .map_err(write_err)?;
    Ok(with_etag(ArmResponse::json(200, b), etags.first()))
}

/// DELETE: 202 and an operation that removes the cluster and its node group;
/// 204 when there is no such cluster.
pub async fn delete(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let Some(doc) = load(cloud, auth.scope().key()).await? else {
        return Ok(ArmResponse::empty(204));
    };
    let cond = precondition(req.if_match.as_deref(), None, Some(&doc.etag))?;
    lro::begin_delete(
        cloud,
        &doc,
        cond,
        (MANAGED_CLUSTERS.namespace, MANAGED_CLUSTERS.read),
        Work::new(DELETE_CLUSTER, &doc.key),
        (&req.base_url, req.api_version().unwrap_or_default()),
    )
    .await
}

/// The cluster document and everything that goes with it.
pub async fn removal(cloud: &Cloud, key: &str) -> Result<Effects, ArmError> {
    let Some(doc) = load(cloud, key).await? else {
        return Ok(Effects::default());
    };
    let mut e = resource_removal(cloud, &doc).await?;
    e.writes.insert(
        0,
        Write::Delete {
            coll: RESOURCES,
            key: doc.key.clone(),
            cond: Cond::Etag(doc.etag.clone()),
        },
    );
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_prefixes() {
        assert!(valid_name("MyManagedCluster"));
        assert!(valid_name("a"));
        assert!(!valid_name("-a"));
        assert!(!valid_name(&"a".repeat(64)));
        assert_eq!(
            default_dns_prefix("MyManagedCluster", "MyResourceGroup", "2222222222"),
            "MyManagedC-MyResourceGroup-222222"
        );
    }
}
