//! The cloud's identity as bootstrap recorded it: its tenant, subscription and
//! administrator.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bootstrap {
    pub tenant_id: String,
    pub tenant_domain: String,
    pub subscription_id: String,
    pub admin_app_id: String,
    pub admin_object_id: String,
}
