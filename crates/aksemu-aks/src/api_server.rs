//! What a cluster's Kubernetes API server needs to know about it, found by
//! its `resourceUID` (the key of its API server URL) through the
//! `clusterUids` index: its version, the static tokens its kubeconfigs carry,
//! its OIDC issuer and service CIDR. The server hands this to the Kubernetes
//! crate, which never sees ARM documents.

use aksemu_arm::Cloud;
use aksemu_arm::collections::RESOURCES;
use aksemu_core::ArmError;
use aksemu_store::store_err;
use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

use crate::credentials::token;
use crate::names::{CLUSTER_SECRETS, CLUSTER_UIDS, MANAGED_CLUSTERS};

#[derive(Debug, Clone)]
pub struct ClusterView {
    pub uid: String,
    pub kubernetes_version: String,
    /// The clusterAdmin and clusterUser kubeconfigs' tokens (cluster-admin).
    pub admin_tokens: Vec<String>,
    pub monitoring_token: Option<String>,
    pub oidc_issuer: Option<String>,
    pub service_cidr: String,
    /// `securityProfile.workloadIdentity.enabled`: pods get the webhook's injection.
    pub workload_identity: bool,
    pub tenant_id: String,
    /// Entra integration: its admin groups and whether Azure RBAC authorizes.
    pub entra: Option<EntraView>,
    /// The managed cluster's ARM id.
    pub resource_id: String,
}

#[derive(Debug, Clone)]
pub struct EntraView {
    pub admin_groups: Vec<String>,
    pub azure_rbac: bool,
}

/// The cluster document whose `resourceUID` is `uid`.
pub async fn cluster_by_uid(
    cloud: &Cloud,
    uid: &str,
) -> Result<Option<aksemu_store::Doc>, ArmError> {
    let store = cloud.store();
    let Some(index) = store.get(CLUSTER_UIDS, uid).await.map_err(store_err)? else {
        return Ok(None);
    };
    let key = index.body["cluster"].as_str().unwrap_or_default();
    let doc = store.get(RESOURCES, key).await.map_err(store_err)?;
    Ok(doc.filter(|d| d.body["properties"]["resourceUID"].as_str() == Some(uid)))
}

fn tokens(props: &Value, seed: Option<&str>) -> (Vec<String>, Option<String>) {
    let Some(seed) = seed.filter(|_| props["disableLocalAccounts"] != true) else {
        return (Vec::new(), None);
    };
    let mut admin = vec![token(seed, "clusterAdmin")];
    // With Entra integration the user kubeconfig signs in through Entra instead.
    if !props["aadProfile"].is_object() {
        admin.push(token(seed, "clusterUser"));
    }
    (admin, Some(token(seed, "clusterMonitoringUser")))
}

/// Views already built, by uid, with the etags of the three documents they
/// were built from: a request reads those documents' etags (point reads,
/// cached by the store) and builds the view again only when one changed.
#[derive(Default)]
pub struct Views {
    built: Mutex<HashMap<String, Built>>,
}

/// A view, the cluster key it came from and the etags it was built at.
#[derive(Clone)]
struct Built {
    key: String,
    etags: (String, String),
    view: ClusterView,
}

impl Views {
    /// The view of cluster `uid`, if it exists. The cluster and its secrets
    /// are read (point reads the store caches) to compare etags; the uid
    /// index is read only when nothing is cached, since a uid never moves to
    /// another cluster (a deleted cluster fails the cluster read).
    pub async fn view(&self, cloud: &Cloud, uid: &str) -> Result<Option<ClusterView>, ArmError> {
        let store = cloud.store();
        let cached = self.lock().get(uid).cloned();
        let key = match &cached {
            Some(b) => b.key.clone(),
            None => {
                let Some(index) = store.get_raw(CLUSTER_UIDS, uid).await.map_err(store_err)? else {
                    return Ok(None);
                };
                let v: Value = serde_json::from_str(&index.body).unwrap_or_default();
                v["cluster"].as_str().unwrap_or_default().to_string()
            }
        };
        let cluster = store.etag(RESOURCES, &key).await.map_err(store_err)?;
        let secrets = store.etag(CLUSTER_SECRETS, &key).await.map_err(store_err)?;
        let (Some(cluster), Some(secrets)) = (cluster, secrets) else {
            self.lock().remove(uid);
            return Ok(None);
        };
        let etags = (cluster, secrets);
        if let Some(b) = cached.filter(|b| b.etags == etags) {
            return Ok(Some(b.view));
        }
        let fresh = view(cloud, uid).await?;
        let mut built = self.lock();
        match &fresh {
            Some(v) => built.insert(
                uid.to_string(),
                Built {
                    key,
                    etags,
                    view: v.clone(),
                },
            ),
            None => built.remove(uid),
        };
        Ok(fresh)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Built>> {
        self.built.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The view of cluster `uid`, if it exists, read now.
pub async fn view(cloud: &Cloud, uid: &str) -> Result<Option<ClusterView>, ArmError> {
    let Some(doc) = cluster_by_uid(cloud, uid).await? else {
        return Ok(None);
    };
    let props = &doc.body["properties"];
    let secrets = cloud
        .store()
        .get(CLUSTER_SECRETS, &doc.key)
        .await
        .map_err(store_err)?;
    let seed = secrets
        .as_ref()
        .and_then(|s| s.body["credentialSeed"].as_str());
    let (admin_tokens, monitoring_token) = tokens(props, seed);
    let issuer = &props["oidcIssuerProfile"];
    Ok(Some(ClusterView {
        uid: uid.to_string(),
        kubernetes_version: props["currentKubernetesVersion"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        admin_tokens,
        monitoring_token,
        oidc_issuer: (issuer["enabled"] == true)
            .then(|| issuer["issuerURL"].as_str().map(str::to_string))
            .flatten(),
        service_cidr: props["networkProfile"]["serviceCidr"]
            .as_str()
            .unwrap_or("10.0.0.0/16")
            .to_string(),
        workload_identity: props["securityProfile"]["workloadIdentity"]["enabled"] == true,
        tenant_id: cloud.entra.tenant_id.clone(),
        entra: props["aadProfile"].is_object().then(|| EntraView {
            admin_groups: props["aadProfile"]["adminGroupObjectIDs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_ascii_lowercase)
                .collect(),
            azure_rbac: props["aadProfile"]["enableAzureRBAC"] == true,
        }),
        resource_id: doc.id.clone(),
    }))
}

/// The `resourceUID` of the cluster whose API server name is `fqdn`
/// (`<prefix>-<hex>.hcp.<region>.azmk8s.io`, random once chosen, so found by
/// a scan of the clusters: it is asked once per proxied connection).
pub async fn uid_by_fqdn(cloud: &Cloud, fqdn: &str) -> Result<Option<String>, ArmError> {
    let found = aksemu_arm::providers::tracked::find_anywhere(cloud, &MANAGED_CLUSTERS, |b| {
        b["properties"]["fqdn"]
            .as_str()
            .is_some_and(|f| f.eq_ignore_ascii_case(fqdn))
    })
    .await?;
    Ok(found.and_then(|d| {
        d.body["properties"]["resourceUID"]
            .as_str()
            .map(str::to_string)
    }))
}
