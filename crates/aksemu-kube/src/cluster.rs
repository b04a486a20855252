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
    /// Entra integration: Entra tokens for the AKS server application sign in.
    pub entra: Option<EntraAuth>,
    /// The managed cluster's ARM id: the scope of Azure RBAC data actions.
    pub resource_id: String,
}

#[derive(Debug, Clone, Default)]
pub struct EntraAuth {
    /// `aadProfile.adminGroupObjectIDs` (lower case): their members are cluster-admin.
    pub admin_groups: Vec<String>,
    /// `aadProfile.enableAzureRBAC`: Azure role assignments authorize requests.
    pub azure_rbac: bool,
}

/// An Entra caller, as the cluster's token verifier found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraCaller {
    /// `upn` for users, the object id for service principals and managed identities.
    pub username: String,
    pub object_id: String,
    /// Group object ids: from the token, or the directory on group overage.
    pub groups: Vec<String>,
}

/// Verifies Entra access tokens for the AKS server application
/// (`6dae42f8-4368-4678-94ff-3960e28e3630`); the server implements it with
/// the token service's keys, so this crate depends on no Entra crate.
#[async_trait]
pub trait EntraTokens: Send + Sync {
    /// The caller, or why the token is refused.
    async fn verify(&self, token: &str) -> Result<EntraCaller, String>;
}

#[async_trait]
pub trait Clusters: Send + Sync {
    /// The cluster whose API server path carries `uid`, if any.
    async fn cluster(&self, uid: &str) -> Result<Option<ClusterInfo>, String>;
}

/// Azure RBAC for Kubernetes authorization: whether the caller's role
/// assignments (its own and its groups') grant a data action at a scope, as
/// AKS's authorization webhook asks Azure. The server implements it with the
/// cloud's evaluator (propagation and the cloud clock included).
#[async_trait]
pub trait AzureRbac: Send + Sync {
    async fn allows(&self, object_id: &str, groups: &[String], action: &str, scope: &str) -> bool;
}
