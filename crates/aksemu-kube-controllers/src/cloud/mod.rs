//! The cloud side of a cluster: components that act on Azure as one of the
//! cluster's identities through `ClusterCloud` (the same request path as any
//! ARM client), and report what happened as Kubernetes events.

pub mod arm;
pub mod azure_error;
pub mod disks;
pub mod images;
pub mod loadbalancer;
pub mod tracker;

use std::sync::Arc;

use aksemu_core::cluster_cloud::ClusterCloud;

use crate::client::Client;

/// One cluster's cloud-controller context.
pub struct Ctx<'a> {
    pub c: &'a Client,
    pub cloud: &'a Arc<dyn ClusterCloud>,
    pub uid: &'a str,
    /// The cloud clock's time.
    pub now: time::OffsetDateTime,
}
