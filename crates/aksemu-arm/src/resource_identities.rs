//! ARM's side of `aksemu_entra::ResourceIdentities`: the managed-identity
//! endpoints read a host's identity block and user-assigned identities from the
//! resource documents ARM stores.

use std::sync::Arc;

use aksemu_core::{ArmError, ResourceId};
use aksemu_entra::{ResourceIdentities, UserAssigned};
use aksemu_store::{Store, store_err};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::Value;

use crate::collections::RESOURCES;

/// The part of a user-assigned identity's document the endpoint needs.
#[derive(Deserialize)]
struct Stored {
    properties: Option<Ids>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Ids {
    client_id: Option<String>,
    principal_id: Option<String>,
}

pub struct StoredIdentities {
    store: Arc<dyn Store>,
}

impl StoredIdentities {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl ResourceIdentities for StoredIdentities {
    async fn identity_block(&self, id: &ResourceId) -> Result<Option<(String, Value)>, ArmError> {
        let doc = self
            .store
            .get(RESOURCES, id.key())
            .await
            .map_err(store_err)?;
        Ok(doc.map(|mut d| (d.id, d.body["identity"].take())))
    }

    async fn user_assigned(&self, id: &ResourceId) -> Result<Option<UserAssigned>, ArmError> {
        let doc = self.store.get_raw(RESOURCES, id.key()).await;
        Ok(doc.map_err(store_err)?.and_then(|d| {
            // Only the ids are read, not the whole document into a JSON tree.
            let stored: Stored = serde_json::from_str(&d.body).ok()?;
            let p = stored.properties?;
            Some(UserAssigned {
                client_id: p.client_id?,
                principal_id: p.principal_id?,
                resource_id: d.id,
            })
        }))
    }

    async fn federated_credentials(
        &self,
        id: &ResourceId,
    ) -> Result<Vec<aksemu_identity::federation::FederatedCredential>, ArmError> {
        let store = aksemu_store::read_only::ReadOnly::new(self.store.as_ref());
        crate::federated_store::for_identity(&store, id).await
    }
}
