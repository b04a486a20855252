//! The beginning of a cluster's Kubernetes API on aksemu, at the server URL its
//! kubeconfigs name (`/aksemu/clusters/{resourceUID}`): for now only `/version`,
//! which Kubernetes serves to anyone (system:public-info-viewer).

use serde_json::{Value, json};

use aksemu_arm::Cloud;
use aksemu_arm::collections::RESOURCES;
use aksemu_store::store_err;

/// The cluster whose `resourceUID` is `uid`, if any.
async fn cluster_by_uid(cloud: &Cloud, uid: &str) -> Result<Option<Value>, aksemu_core::ArmError> {
    Ok(cloud
        .store()
        .list(RESOURCES, "/subscriptions/")
        .await
        .map_err(store_err)?
        .into_iter()
        .find(|d| {
            d.body["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(crate::cluster::TYPE))
                && d.body["properties"]["resourceUID"].as_str() == Some(uid)
        })
        .map(|d| d.body))
}

/// `GET /version`: the cluster's current Kubernetes version, as the API server
/// reports it; `None` for an unknown cluster.
pub async fn version(cloud: &Cloud, uid: &str) -> Result<Option<Value>, aksemu_core::ArmError> {
    let Some(c) = cluster_by_uid(cloud, uid).await? else {
        return Ok(None);
    };
    let current = c["properties"]["currentKubernetesVersion"]
        .as_str()
        .unwrap_or_default();
    let mut parts = current.split('.');
    let major = parts.next().unwrap_or_default();
    let minor = parts.next().unwrap_or_default();
    Ok(Some(json!({
        "major": major,
        "minor": minor,
        "gitVersion": format!("v{current}"),
        "gitTreeState": "clean",
        "compiler": "gc",
        "platform": "linux/amd64",
    })))
}
