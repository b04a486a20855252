//! The emulated cloud: its store, clock, signing keys and identity (tenant and
//! subscription), shared by every surface.

use std::sync::Arc;

use aksemu_authz::{Assignment, builtin::builtin_role};
use aksemu_core::{ArmError, Clock, Principal, ResourceId};
use aksemu_identity::SigningKey;
use aksemu_store::{Store, StoreError};

use crate::collections::ROLE_ASSIGNMENTS;

pub struct Cloud {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    /// The current signing key first; older keys still verify.
    pub keys: Vec<SigningKey>,
    pub tenant_id: String,
    pub tenant_domain: String,
    pub subscription_id: String,
    /// Access-token lifetime (real time).
    pub token_lifetime_secs: i64,
    pub verified_tokens: crate::authn::VerifiedTokens,
}

/// Maps a store failure to what an ARM client sees. Details go to the log only.
pub fn store_err(e: StoreError) -> ArmError {
    match e {
        StoreError::PreconditionFailed { .. } | StoreError::AlreadyExists { .. } => {
            ArmError::ConcurrentUpdate
        }
        StoreError::NotFound { .. } => ArmError::ConcurrentUpdate,
        StoreError::Unavailable(msg) | StoreError::Internal(msg) => {
            tracing::error!(error = %msg, "store failure");
            ArmError::InternalServerError
        }
    }
}

impl Cloud {
    pub fn now_rfc3339(&self) -> String {
        aksemu_core::clock::rfc3339(self.clock.now())
    }

    pub fn signing_key(&self) -> Option<&SigningKey> {
        self.keys.first()
    }

    /// The caller's role assignments (one range scan on the principal id).
    pub async fn assignments_of(&self, principal: &Principal) -> Result<Vec<Assignment>, ArmError> {
        let prefix = format!("{}|", principal.object_id.to_lowercase());
        let docs = self
            .store
            .list(ROLE_ASSIGNMENTS, &prefix)
            .await
            .map_err(store_err)?;
        Ok(docs
            .into_iter()
            .filter_map(|d| {
                let p = &d.body["properties"];
                Some(Assignment {
                    id: d.id.clone(),
                    scope: ResourceId::parse(p["scope"].as_str()?).ok()?,
                    role_definition_id: p["roleDefinitionId"].as_str()?.to_string(),
                    principal_id: p["principalId"].as_str()?.to_string(),
                })
            })
            .collect())
    }

    /// Whether the caller may perform `action` at `scope`: for filtering list
    /// results item by item, after the endpoint itself was authorised.
    pub async fn allows(
        &self,
        principal: &Principal,
        action: &str,
        scope: &ResourceId,
    ) -> Result<bool, ArmError> {
        let assignments = self.assignments_of(principal).await?;
        Ok(aksemu_authz::decide(action, scope, &assignments, builtin_role).allowed())
    }
}
