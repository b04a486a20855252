//! The seam through which a cluster's components act on Azure: the cloud
//! controller (load balancers, public IPs, disks) as the cluster identity, the
//! kubelet (image pulls) as the kubelet identity. The Kubernetes side asks this
//! trait only; the server implements it with the same path an HTTPS ARM
//! request takes after TLS (sign in → authenticate → parse → gate → provider),
//! so a missing role, an expired secret or an assignment that has not
//! propagated fails here as it would for any client.

use async_trait::async_trait;
use serde_json::Value;

use crate::request::Method;

/// Which of a cluster's identities a call is made as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acting {
    /// The control-plane identity (system- or user-assigned, or the service principal).
    Cluster,
    /// `identityProfile.kubeletidentity`.
    Kubelet,
}

/// Where a cluster lives in ARM: what its components build resource ids from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub subscription: String,
    pub resource_group: String,
    pub node_resource_group: String,
    pub location: String,
    pub cluster_name: String,
    /// The subnet the first pool's nodes are in when the user brought it
    /// (`vnetSubnetID`); none when AKS made the network in the node group.
    pub node_subnet_id: Option<String>,
    /// The tenant the identities sign in to.
    pub tenant: String,
}

/// One ARM answer: the status and the JSON body (an ARM error envelope on failure).
#[derive(Debug, Clone, PartialEq)]
pub struct CloudReply {
    pub status: u16,
    pub body: Value,
}

impl CloudReply {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// What pulling an image on a node came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImagePull {
    /// Not from a registry of this cloud: pulled without a check.
    Public,
    /// Pulled from a registry of this cloud, as the kubelet identity.
    Pulled { digest: String },
    /// Refused or missing: the container runtime's error text.
    Failed(String),
}

/// Why a call could not be made at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloudCallError {
    /// The cluster is gone (or never existed).
    NoCluster,
    /// The identity could not sign in: the credential's error, as the SDK prints it.
    SignIn(String),
}

impl std::fmt::Display for CloudCallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CloudCallError::NoCluster => f.write_str("the cluster does not exist"),
            CloudCallError::SignIn(m) => f.write_str(m),
        }
    }
}

#[async_trait]
pub trait ClusterCloud: Send + Sync {
    /// Where cluster `uid` lives.
    async fn placement(&self, uid: &str) -> Result<Placement, CloudCallError>;
    /// One ARM request (`path` without host; a query it carries, like a
    /// `nextLink`'s skip token, is kept) as one of cluster `uid`'s identities.
    async fn call(
        &self,
        uid: &str,
        acting: Acting,
        method: Method,
        path: &str,
        api_version: &str,
        body: Option<&Value>,
    ) -> Result<CloudReply, CloudCallError>;
    /// Pulls `image` on one of cluster `uid`'s nodes, as its kubelet
    /// identity (the registry's token exchange, then the manifest).
    async fn pull_image(&self, uid: &str, image: &str) -> Result<ImagePull, CloudCallError>;
}
