//! The cloud side of a cluster: components that act on Azure as one of the
//! cluster's identities through `ClusterCloud` (the same request path as any
//! ARM client), and report what happened as Kubernetes events.

pub mod arm;
pub mod azure_error;
pub mod disks;
pub mod loadbalancer;
pub mod tracker;
