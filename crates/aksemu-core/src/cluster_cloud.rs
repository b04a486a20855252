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

/// An image of a registry of this cloud (`<name>.azurecr.io/<repo>:<tag>` or
/// `…@sha256:…`): what a pull must authorise. Other images are public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryImage<'a> {
    /// The registry host without a port or a trailing dot, lower-cased (how a
    /// resolver sees it).
    pub host: String,
    pub repo: &'a str,
    /// The tag, or the digest of a digest reference.
    pub reference: &'a str,
}

impl<'a> RegistryImage<'a> {
    /// The reference, if `image` names a registry of this cloud.
    pub fn of(image: &'a str) -> Option<Self> {
        let (raw_host, rest) = image.split_once('/')?;
        let h = raw_host.rsplit_once(':').map_or(raw_host, |(h, _)| h);
        let host = h.trim_end_matches('.').to_ascii_lowercase();
        let ours = [".azurecr.io", ".azurecr.cn", ".azurecr.us"]
            .iter()
            .any(|s| host.ends_with(s));
        if !ours {
            return None;
        }
        let (repo, reference) = match rest.split_once('@') {
            Some((named, digest)) => (named.rsplit_once(':').map_or(named, |(r, _)| r), digest),
            None => match rest.rsplit_once(':') {
                Some((r, t)) if !t.contains('/') => (r, t),
                _ => (rest, "latest"),
            },
        };
        Some(Self {
            host,
            repo,
            reference,
        })
    }
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
    /// Pulls `image` (of a registry of this cloud, `RegistryImage::of`) on one
    /// of cluster `uid`'s nodes, as its kubelet identity (the registry's token
    /// exchange, then the manifest).
    async fn pull_image(&self, uid: &str, image: &str) -> Result<ImagePull, CloudCallError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_images() {
        let r = |i| RegistryImage::of(i).map(|r| (r.host, r.repo, r.reference));
        assert_eq!(
            r("myacr.azurecr.io/app:v1"),
            Some(("myacr.azurecr.io".into(), "app", "v1"))
        );
        assert_eq!(
            r("MyAcr.azurecr.io/team/app"),
            Some(("myacr.azurecr.io".into(), "team/app", "latest"))
        );
        assert_eq!(
            r("myacr.azurecr.io:443/app:v1"),
            Some(("myacr.azurecr.io".into(), "app", "v1"))
        );
        assert_eq!(
            r("myacr.azurecr.io./app"),
            Some(("myacr.azurecr.io".into(), "app", "latest"))
        );
        assert_eq!(
            r("myacr.azurecr.io/app:v1@sha256:ab"),
            Some(("myacr.azurecr.io".into(), "app", "sha256:ab"))
        );
        assert_eq!(r("nginx:1.27"), None);
        assert_eq!(r("mcr.microsoft.com/oss/kube-proxy:v1"), None);
    }
}
