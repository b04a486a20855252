//! Agent pools: the `agentPoolProfiles` of a cluster and the
//! `managedClusters/{c}/agentPools/{p}` child resource are two views of the same
//! entries, kept in the cluster document. A child write changes the cluster and
//! reconciles it (the pool's scale set) in a long-running operation.

use std::sync::Arc;

use aksemu_authz::Authorized;
use aksemu_core::ArmError;
use serde_json::{Map, Value, json};

use crate::defaults::{fill, invalid};
use crate::lifecycle::{require, require_idle, start_update};
use crate::versions;
use aksemu_arm::cloud::Cloud;
use aksemu_arm::providers::json_object;
use aksemu_core::request::{ArmRequest, ArmResponse};

pub const TYPE: &str = "Microsoft.ContainerService/managedClusters/agentPools";
pub const NODE_IMAGE: &str = "AKSUbuntu-2204gen2containerd-202611.10.0";

/// Linux pool names: a lower-case letter, then up to 11 lower-case letters or digits.
fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 12
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

fn is_system(p: &Value) -> bool {
    p["mode"]
        .as_str()
        .is_some_and(|m| m.eq_ignore_ascii_case("System"))
}

/// What AKS fills in for a pool the client leaves it out of.
fn pool_defaults(current_version: &str, default_mode: &str) -> Value {
    json!({
        "count": 1,
        "vmSize": "Standard_DS2_v2",
        "osDiskSizeGB": 128,
        "osDiskType": "Managed",
        "kubeletDiskType": "OS",
        "maxPods": 250,
        "type": "VirtualMachineScaleSets",
        "enableAutoScaling": false,
        "scaleDownMode": "Delete",
        "orchestratorVersion": current_version,
        "enableNodePublicIP": false,
        "mode": default_mode,
        "osType": "Linux",
        "osSKU": "Ubuntu",
        "enableFIPS": false,
        "enableEncryptionAtHost": false,
        "enableUltraSSD": false,
        "upgradeSettings": {"maxSurge": "10%"},
        "securityProfile": {"enableSecureBoot": false, "enableVTPM": false},
    })
}

/// The pool's name, which must be a valid Linux pool name.
fn checked_name(o: &serde_json::Map<String, Value>) -> Result<String, ArmError> {
    let name = o.get("name").and_then(Value::as_str).unwrap_or_default();
    if valid_name(name) {
        return Ok(name.to_string());
    }
    Err(invalid(
        "agentPoolProfile.name",
        format!(
            "The agent pool name '{name}' is invalid: it must start with a lowercase letter, contain only lowercase letters and numbers, and be 1 to 12 characters long. Please see https://aka.ms/aks-naming-rules"
        ),
    ))
}

/// System pools hold 1 to 1000 nodes, user pools 0 to 1000.
fn check_count(p: &Value, name: &str) -> Result<(), ArmError> {
    let count = p["count"].as_i64().ok_or_else(|| {
        invalid(
            "agentPoolProfile.count",
            format!("The count of agent pool '{name}' must be an integer."),
        )
    })?;
    let min = if is_system(p) { 1 } else { 0 };
    if (min..=1000).contains(&count) {
        return Ok(());
    }
    Err(invalid(
        "agentPoolProfile.count",
        format!(
            "The value of parameter agentPoolProfile.count is invalid: {count}. It must be between {min} and 1000 for a {} agent pool.",
            if min == 1 { "System" } else { "User" }
        ),
    ))
}

/// One profile with AKS's defaults; server-owned fields are set here.
fn normalise(
    requested: &Value,
    existing: Option<&Value>,
    current_version: &str,
    default_mode: &str,
    state: &str,
) -> Result<Value, ArmError> {
    let mut p = requested.clone();
    let Some(o) = p.as_object_mut() else {
        return Err(invalid(
            "agentPoolProfiles",
            "Each agent pool profile must be an object.",
        ));
    };
    let name = checked_name(o)?;
    for k in [
        "provisioningState",
        "powerState",
        "currentOrchestratorVersion",
        "nodeImageVersion",
        "eTag",
    ] {
        o.remove(k);
    }
    fill(&mut p, &pool_defaults(current_version, default_mode));
    if let Some(e) = existing {
        // What AKS keeps for an existing pool regardless of what is sent.
        for k in ["vmSize", "osType", "type", "vnetSubnetID"] {
            if !e[k].is_null() {
                p[k] = e[k].clone();
            }
        }
    }
    check_count(&p, &name)?;
    p["provisioningState"] = json!(state);
    p["powerState"] = json!({"code": "Running"});
    p["currentOrchestratorVersion"] = json!(current_version);
    p["nodeImageVersion"] = json!(NODE_IMAGE);
    p["eTag"] = json!(uuid::Uuid::new_v4().to_string());
    Ok(p)
}

fn find<'a>(pools: &'a Value, name: &str) -> Option<&'a Value> {
    pools.as_array()?.iter().find(|p| {
        p["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

/// The profiles of a cluster PUT: unique names, at least one System pool.
pub fn normalise_all(
    requested: &[Value],
    existing: Option<&Value>,
    current_version: &str,
) -> Result<Value, ArmError> {
    let any_system = requested.iter().any(is_system);
    let mut out: Vec<Value> = Vec::new();
    for (i, r) in requested.iter().enumerate() {
        let name = r["name"].as_str().unwrap_or_default();
        let prior = existing.and_then(|e| find(e, name));
        let mode = if i == 0 && !any_system {
            "System"
        } else {
            "User"
        };
        let state = if prior.is_some() {
            "Succeeded"
        } else {
            "Creating"
        };
        let p = normalise(r, prior, current_version, mode, state)?;
        if out.iter().any(|o| {
            o["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        }) {
            return Err(invalid(
                "agentPoolProfiles",
                format!("The agent pool name '{name}' is used more than once."),
            ));
        }
        out.push(p);
    }
    require_system(&out)?;
    Ok(Value::Array(out))
}

fn require_system(pools: &[Value]) -> Result<(), ArmError> {
    if pools.iter().any(is_system) {
        Ok(())
    } else {
        Err(ArmError::OperationNotAllowed(
            "There has to be at least one System agent pool in the cluster. Please see https://aka.ms/aks/nodepool/mode".into(),
        ))
    }
}

/// The child-resource view of one profile.
pub fn render(cluster_id: &str, profile: &Value) -> Value {
    let name = profile["name"].as_str().unwrap_or_default();
    let mut props: Map<String, Value> = profile.as_object().cloned().unwrap_or_default();
    props.remove("name");
    json!({
        "id": format!("{cluster_id}/agentPools/{name}"),
        "name": name,
        "type": TYPE,
        "properties": props,
    })
}

fn pool_not_found(cluster: &str, pool: &str, rg: &str) -> ArmError {
    ArmError::ResourceNotFound {
        resource_type: TYPE.to_string(),
        name: format!("{cluster}/{pool}"),
        group: rg.to_string(),
    }
}

pub async fn list(cloud: &Cloud, auth: &Authorized) -> Result<ArmResponse, ArmError> {
    let doc = require(cloud, auth.scope()).await?;
    let value: Vec<Value> = doc.body["properties"]["agentPoolProfiles"]
        .as_array()
        .map(|a| a.iter().map(|p| render(&doc.id, p)).collect())
        .unwrap_or_default();
    Ok(ArmResponse::json(200, json!({ "value": value })))
}

pub async fn get(
    cloud: &Cloud,
    auth: &Authorized,
    rg: &str,
    cluster: &str,
    pool: &str,
) -> Result<ArmResponse, ArmError> {
    let doc = require(cloud, auth.scope()).await?;
    find(&doc.body["properties"]["agentPoolProfiles"], pool)
        .map(|p| ArmResponse::json(200, render(&doc.id, p)))
        .ok_or_else(|| pool_not_found(cluster, pool, rg))
}

/// `GET …/upgradeProfiles/default`: what the control plane and each pool may
/// upgrade to (`az aks get-upgrades`).
pub async fn upgrade_profile(
    cloud: &Cloud,
    auth: &Authorized,
    rg: &str,
    cluster: &str,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    let doc = require(cloud, auth.scope()).await?;
    if !name.eq_ignore_ascii_case("default") {
        return Err(ArmError::ResourceNotFound {
            resource_type: "Microsoft.ContainerService/managedClusters/upgradeProfiles".into(),
            name: format!("{cluster}/{name}"),
            group: rg.to_string(),
        });
    }
    let p = &doc.body["properties"];
    let upgrades = |v: &str| -> Vec<Value> {
        versions::upgrades(v)
            .into_iter()
            .map(|u| json!({"kubernetesVersion": u, "isPreview": false}))
            .collect()
    };
    let current = p["currentKubernetesVersion"].as_str().unwrap_or_default();
    let pools: Vec<Value> = p["agentPoolProfiles"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            let v = a["currentOrchestratorVersion"].as_str().unwrap_or_default();
            json!({"name": a["name"], "kubernetesVersion": v, "osType": a["osType"], "upgrades": upgrades(v)})
        })
        .collect();
    Ok(ArmResponse::json(
        200,
        json!({
            "id": format!("{}/upgradeProfiles/default", doc.id),
            "name": "default",
            "type": "Microsoft.ContainerService/managedClusters/upgradeProfiles",
            "properties": {
                "controlPlaneProfile": {"kubernetesVersion": current, "osType": "Linux", "upgrades": upgrades(current)},
                "agentPoolProfiles": pools,
            },
        }),
    ))
}

pub async fn put(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    pool: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let doc = require(cloud, auth.scope()).await?;
    require_idle(&doc)?;
    let body = json_object(&req.body)?;
    let mut requested = body
        .get("properties")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    requested["name"] = json!(pool);
    let props = &doc.body["properties"];
    let current = props["currentKubernetesVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let pools = props["agentPoolProfiles"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let prior = find(&props["agentPoolProfiles"], pool).cloned();
    let state = match &prior {
        None => "Creating",
        Some(p) if p["count"] != requested["count"] && !requested["count"].is_null() => "Scaling",
        Some(_) => "Updating",
    };
    let profile = normalise(&requested, prior.as_ref(), &current, "User", state)?;
    let mut next: Vec<Value> = pools
        .into_iter()
        .filter(|p| {
            !p["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(pool))
        })
        .collect();
    next.push(profile.clone());
    require_system(&next)?;
    let mut body = doc.body.clone();
    body["properties"]["agentPoolProfiles"] = Value::Array(next);
    let op = start_update(cloud, &doc, body).await?;
    let status = if prior.is_some() { 200 } else { 201 };
    Ok(op.accepted(
        ArmResponse::json(status, render(&doc.id, &profile)),
        &req.base_url,
        req.api_version().unwrap_or_default(),
    ))
}

pub async fn delete(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    pool: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let doc = require(cloud, auth.scope()).await?;
    let pools = doc.body["properties"]["agentPoolProfiles"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if find(&doc.body["properties"]["agentPoolProfiles"], pool).is_none() {
        return Ok(ArmResponse::empty(204));
    }
    require_idle(&doc)?;
    let next: Vec<Value> = pools
        .into_iter()
        .filter(|p| {
            !p["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(pool))
        })
        .collect();
    require_system(&next)?;
    let mut body = doc.body.clone();
    body["properties"]["agentPoolProfiles"] = Value::Array(next);
    let op = start_update(cloud, &doc, body).await?;
    Ok(op.accepted(
        ArmResponse::empty(202),
        &req.base_url,
        req.api_version().unwrap_or_default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_pool_defaults_to_system() {
        let pools = normalise_all(
            &[json!({"name": "nodepool1", "vmSize": "", "orchestratorVersion": "", "count": 3})],
            None,
            "1.32.6",
        )
        .unwrap();
        assert_eq!(pools[0]["mode"], "System");
        assert_eq!(pools[0]["vmSize"], "Standard_DS2_v2");
        assert_eq!(pools[0]["orchestratorVersion"], "1.32.6");
    }

    #[test]
    fn names_and_counts_are_checked() {
        assert!(normalise_all(&[json!({"name": "Pool_1", "count": 1})], None, "1").is_err());
        assert!(
            normalise_all(
                &[json!({"name": "p", "count": 0, "mode": "System"})],
                None,
                "1"
            )
            .is_err()
        );
        assert!(
            normalise_all(
                &[
                    json!({"name": "p", "count": 1, "mode": "System"}),
                    json!({"name": "p", "count": 1})
                ],
                None,
                "1"
            )
            .is_err()
        );
    }
}
