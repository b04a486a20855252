//! ARM's side of `aksemu_entra::ResourceIdentities`: the managed-identity
//! endpoints read a host's identity block and user-assigned identities from the
//! resource documents ARM stores.

use std::sync::Arc;

use aksemu_core::{ArmError, ResourceId};
use aksemu_entra::{ResourceIdentities, UserAssigned};
use aksemu_store::{Store, store_err};
use async_trait::async_trait;
use serde_json::Value;

use crate::collections::RESOURCES;

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
        let doc = self
            .store
            .get(RESOURCES, id.key())
            .await
            .map_err(store_err)?;
        Ok(doc.and_then(|d| {
            let p = &d.body["properties"];
            Some(UserAssigned {
                client_id: p["clientId"].as_str()?.to_string(),
                principal_id: p["principalId"].as_str()?.to_string(),
                resource_id: d.id.clone(),
            })
        }))
    }
}
