//! Microsoft.ContainerService: managed clusters with their identities, agent
//! pools, the node resource group AKS builds, kubeconfigs and versions.

pub mod acting;
pub mod addons;
pub mod api_server;
pub mod cluster;
pub mod credentials;
pub mod defaults;
pub mod identity;
pub mod pools;
pub mod reconcile;
pub mod versions;
