//! Microsoft.ContainerService: managed clusters with their identities, agent
//! pools, the node resource group AKS builds, kubeconfigs and versions, and
//! acting as the cluster's own identity after creation.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod acting;
pub mod addons;
pub mod api_server;
pub mod cluster;
pub mod credentials;
pub mod defaults;
pub mod identity;
pub mod lifecycle;
pub mod names;
pub mod nodes;
pub mod oidc;
pub mod plane;
pub mod pools;
pub mod provider;
pub mod reconcile;
pub mod versions;

use std::sync::Arc;

pub use provider::Aks;

/// Where the server puts the clusters' Kubernetes side once it exists (it is
/// built after the engine this provider registers with).
pub type PlaneSlot = Arc<std::sync::OnceLock<Arc<dyn aksemu_core::cluster_plane::ClusterPlane>>>;

/// Registers Microsoft.ContainerService with the engine. `operation_secs`:
/// virtual seconds a cluster operation takes. Returns the slot for the
/// clusters' Kubernetes side; while empty, clusters have no Kubernetes objects.
pub fn register(registry: &mut aksemu_arm::Registry, operation_secs: i64) -> PlaneSlot {
    let aks = Aks::new(operation_secs);
    let slot = aks.plane.clone();
    registry.provider(Arc::new(aks));
    slot
}
