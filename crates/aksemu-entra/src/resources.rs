//! What the managed-identity endpoints need to know of ARM resources. ARM owns
//! those documents; it implements this trait, so the identity plane reads them
//! without depending on ARM (the trait breaks the entra → arm edge).

use aksemu_core::{ArmError, ResourceId};
use async_trait::async_trait;
use serde_json::Value;

/// A user-assigned identity as a host presents it.
pub struct UserAssigned {
    /// The identity's ARM id, as stored (`xms_mirid`).
    pub resource_id: String,
    pub client_id: String,
    pub principal_id: String,
}

#[async_trait]
pub trait ResourceIdentities: Send + Sync {
    /// A resource's ARM id (as stored) and its `identity` block, if it exists.
    async fn identity_block(&self, id: &ResourceId) -> Result<Option<(String, Value)>, ArmError>;

    /// A user-assigned identity, if it exists.
    async fn user_assigned(&self, id: &ResourceId) -> Result<Option<UserAssigned>, ArmError>;

    /// The federated identity credentials of user-assigned identity `id`.
    async fn federated_credentials(
        &self,
        id: &ResourceId,
    ) -> Result<Vec<aksemu_identity::federation::FederatedCredential>, ArmError>;
}

/// The issuers this cloud runs itself (clusters' OIDC issuers): their keys are
/// known in process, so a federated exchange never fetches anything.
#[async_trait]
pub trait FederatedIssuers: Send + Sync {
    /// The current keys of `issuer` (exactly as a token names it), or `None`
    /// when it is not an issuer of this cloud.
    async fn keys(&self, issuer: &str) -> Option<Vec<std::sync::Arc<aksemu_identity::SigningKey>>>;
}
