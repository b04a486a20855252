//! The seam between a managed cluster (ARM side) and its Kubernetes API: the
//! AKS provider describes what a cluster is (its version and its nodes, one per
//! scale-set instance) and the Kubernetes side makes its objects match. Both
//! sides depend on this trait only, never on each other; the server wires them.

use async_trait::async_trait;

/// A node as the agent pool defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaneNode {
    /// `aks-nodepool1-12345678-vmss000000`.
    pub name: String,
    pub pool: String,
    /// `System` or `User`.
    pub mode: String,
    pub vm_size: String,
    /// `Linux` or `Windows`.
    pub os_type: String,
    pub os_sku: String,
    /// The node's Kubernetes version (the pool's orchestrator version).
    pub kubernetes_version: String,
    /// `1` … `3`, or empty when the pool has no zones.
    pub zone: String,
    /// `azure:///subscriptions/…/virtualMachineScaleSets/<vmss>/virtualMachines/<i>`.
    pub provider_id: String,
    pub internal_ip: String,
    pub max_pods: u32,
    pub kubelet_client_id: String,
    pub node_image_version: String,
}

/// A cluster as its Kubernetes side needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaneCluster {
    /// The cluster's `resourceUID` (its API server path).
    pub uid: String,
    pub name: String,
    pub resource_group: String,
    pub node_resource_group: String,
    pub location: String,
    pub kubernetes_version: String,
    pub service_cidr: String,
    pub dns_service_ip: String,
    /// The CA that signs the API server's certificate (what pods trust:
    /// the `kube-root-ca.crt` ConfigMap of every namespace).
    pub ca_pem: String,
    /// The add-ons enabled (`addonProfiles` keys): their pods run in the cluster.
    pub addons: Vec<String>,
    pub nodes: Vec<PlaneNode>,
}

#[async_trait]
pub trait ClusterPlane: Send + Sync {
    /// Creates what a new cluster starts with and makes its nodes match
    /// `cluster.nodes` (adding, updating and removing Node objects).
    async fn sync(&self, cluster: &PlaneCluster) -> Result<(), String>;
    /// Removes every Kubernetes object of the cluster.
    async fn remove(&self, uid: &str) -> Result<(), String>;
    /// A new service-account signing key; the old one keeps verifying (and
    /// stays in the issuer's JWKS) for a grace period.
    async fn rotate_service_account_keys(&self, uid: &str) -> Result<(), String>;
}
