//! The names of Kubernetes users and groups the server itself assigns.

pub const MASTERS: &str = "system:masters";
pub const AUTHENTICATED: &str = "system:authenticated";
/// The user the clusterMonitoringUser kubeconfig signs in as.
pub const MONITORING_USER: &str = "clusterMonitoringUser";
