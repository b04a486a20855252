//! Directory objects: applications (with password credentials) and service
//! principals. Serialised as stored; the Graph shape is rendered elsewhere.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordCredential {
    pub key_id: String,
    pub display_name: Option<String>,
    /// First three characters of the secret, as Graph reports.
    pub hint: String,
    pub secret_hash: String,
    #[serde(with = "time::serde::rfc3339")]
    pub start_date_time: OffsetDateTime,
    /// `None`: never expires (the bootstrap administrator's secret).
    #[serde(with = "time::serde::rfc3339::option")]
    pub end_date_time: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// Object id of the application object.
    pub id: String,
    pub app_id: String,
    pub display_name: String,
    pub tenant_id: String,
    pub password_credentials: Vec<PasswordCredential>,
    /// Workload identity federation: assertions these credentials match sign in.
    #[serde(default)]
    pub federated_identity_credentials: Vec<crate::federation::FederatedCredential>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    /// Object id: the principal id role assignments name.
    pub id: String,
    pub app_id: String,
    pub display_name: String,
    pub tenant_id: String,
    /// "Application" or "ManagedIdentity".
    pub service_principal_type: String,
    pub service_principal_names: Vec<String>,
    pub account_enabled: bool,
}
