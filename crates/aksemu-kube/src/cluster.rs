//! What the API server needs to know about a cluster, through an interface
//! the server implements from the managed-cluster records (this crate does not
//! know ARM).

use async_trait::async_trait;

/// Whom a kubeconfig's static token stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaticRole {
    /// `clusterAdmin`, and `clusterUser` on clusters without Entra integration.
    Admin,
    /// `clusterMonitoringUser`: read-only, no secrets.
    Monitoring,
}

#[derive(Debug, Clone)]
pub struct ClusterInfo {
    pub uid: String,
    pub kubernetes_version: String,
    /// The static tokens the cluster's kubeconfigs carry (none when local
    /// accounts are disabled).
    pub static_tokens: Vec<(String, StaticRole)>,
    /// The OIDC issuer URL, when the issuer is enabled: service-account tokens
    /// are issued by it instead of the API server URL.
    pub oidc_issuer: Option<String>,
    /// `10.0.0.0/16`: where Service cluster IPs come from.
    pub service_cidr: String,
    /// Workload identity on: labelled pods get the webhook's injection.
    pub workload_identity: bool,
    /// The tenant the cluster's identities belong to (`AZURE_TENANT_ID`).
    pub tenant_id: String,
}

#[async_trait]
pub trait Clusters: Send + Sync {
    /// The cluster whose API server path carries `uid`, if any.
    async fn cluster(&self, uid: &str) -> Result<Option<ClusterInfo>, String>;
}
