//! Why syncing a load balancer failed: text for the Warning event, or the
//! cluster is gone (nothing to report).

use crate::cloud::arm::ArmFailure;

#[derive(Debug, Clone)]
pub enum SyncError {
    Gone,
    Text(String),
}

impl SyncError {
    pub fn prefixed(prefix: &str, e: ArmFailure) -> Self {
        match SyncError::from(e) {
            SyncError::Text(t) => SyncError::Text(format!("{prefix}{t}")),
            gone => gone,
        }
    }
}

impl From<ArmFailure> for SyncError {
    fn from(e: ArmFailure) -> Self {
        match e {
            ArmFailure::NoCluster => SyncError::Gone,
            other => SyncError::Text(other.to_string()),
        }
    }
}
