//! The emulated cloud: its store, clock, signing keys and identity (tenant and
//! subscription), shared by every surface.

use std::sync::{Arc, RwLock, RwLockReadGuard};

use aksemu_authz::{Assignment, AssignmentIndex, Authorized, builtin::builtin_role};
use aksemu_core::{ArmError, Clock, Principal, ResourceId, VirtualClock};
use aksemu_identity::SigningKey;
use aksemu_store::{Doc, Store, StoreError};

use std::collections::HashMap;

use aksemu_authz::RoleDefinition;

use crate::bootstrap::Bootstrap;
use crate::collections::{ASSIGNMENTS_BY_PRINCIPAL, ROLE_ASSIGNMENTS, ROLE_DEFINITIONS};
use crate::providers::role_definitions::CustomRole;

pub struct Cloud {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    /// The same clock, for moving it (admin API).
    pub virtual_clock: Arc<VirtualClock>,
    /// The current signing key first; older keys still verify.
    pub keys: Vec<SigningKey>,
    pub tenant_id: String,
    pub tenant_domain: String,
    pub subscription_id: String,
    /// The bootstrap administrator: its object id (directory writes) and appId.
    pub admin_object_id: String,
    pub admin_app_id: String,
    /// Access-token lifetime (real time).
    pub token_lifetime_secs: i64,
    pub verified_tokens: crate::authn::VerifiedTokens,
    rbac: RwLock<AssignmentIndex>,
    custom_roles: RwLock<HashMap<String, RoleDefinition>>,
    pub(crate) imds_tokens: crate::imds::TokenCache,
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

    /// Builds the cloud over an opened, bootstrapped store and loads the RBAC index.
    pub async fn new(
        store: Arc<dyn Store>,
        clock: Arc<VirtualClock>,
        keys: Vec<SigningKey>,
        boot: &Bootstrap,
        token_lifetime_secs: i64,
    ) -> Result<Arc<Self>, ArmError> {
        let all = store.list(ROLE_ASSIGNMENTS, "").await.map_err(store_err)?;
        let store_ref: &dyn Store = store.as_ref();
        let custom = load_custom_roles(store_ref).await?;
        let index = AssignmentIndex::from_assignments(all.iter().filter_map(assignment_of));
        Ok(Arc::new(Self {
            store,
            clock: clock.clone(),
            virtual_clock: clock,
            keys,
            tenant_id: boot.tenant_id.clone(),
            tenant_domain: boot.tenant_domain.clone(),
            subscription_id: boot.subscription_id.clone(),
            admin_object_id: boot.admin_object_id.clone(),
            admin_app_id: boot.admin_app_id.clone(),
            token_lifetime_secs,
            verified_tokens: Default::default(),
            rbac: RwLock::new(index),
            custom_roles: RwLock::new(custom),
            imds_tokens: Default::default(),
        }))
    }

    pub fn rbac(&self) -> RwLockReadGuard<'_, AssignmentIndex> {
        self.rbac.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Reloads one principal's assignments from the store into the index, after a
    /// change to them was committed.
    pub async fn reload_assignments(&self, principal_id: &str) -> Result<(), ArmError> {
        let prefix = format!("{}|", principal_id.to_lowercase());
        let docs = self
            .store
            .list(ASSIGNMENTS_BY_PRINCIPAL, &prefix)
            .await
            .map_err(store_err)?;
        let fresh: Vec<Assignment> = docs.iter().filter_map(assignment_of).collect();
        self.rbac
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .replace(principal_id, fresh);
        Ok(())
    }

    /// Reloads custom role definitions after one changed.
    pub async fn reload_custom_roles(&self) -> Result<(), ArmError> {
        let fresh = load_custom_roles(self.store.as_ref()).await?;
        *self.custom_roles.write().unwrap_or_else(|p| p.into_inner()) = fresh;
        Ok(())
    }

    pub fn custom_role(&self, guid: &str) -> Option<RoleDefinition> {
        self.custom_roles
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&guid.to_lowercase())
            .cloned()
    }

    /// Checks `action` at `scope` for the caller against the index.
    pub fn check(
        &self,
        principal: &Principal,
        action: &str,
        scope: &ResourceId,
    ) -> Result<Authorized, ArmError> {
        let index = self.rbac();
        let custom = self.custom_roles.read().unwrap_or_else(|p| p.into_inner());
        let roles = |g: &str| builtin_role(g).or_else(|| custom.get(g));
        aksemu_authz::check(principal, action, scope, &index, roles)
    }

    /// Whether the caller holds any role at, above or below `scope` (how Azure
    /// decides which subscriptions a principal sees).
    pub fn has_access_around(&self, principal: &Principal, scope: &ResourceId) -> bool {
        self.rbac()
            .has_any_around(&principal.object_id, scope.key())
    }

    /// Whether the caller may perform `action` at `scope`: for filtering list
    /// results item by item, after the endpoint itself was authorised.
    pub fn allows(&self, principal: &Principal, action: &str, scope: &ResourceId) -> bool {
        let index = self.rbac();
        let custom = self.custom_roles.read().unwrap_or_else(|p| p.into_inner());
        index.allows(&principal.object_id, action, scope.key(), |g: &str| {
            builtin_role(g).or_else(|| custom.get(g))
        })
    }
}

/// Reads a stored role assignment as the evaluator sees it.
fn assignment_of(d: &Doc) -> Option<Assignment> {
    let p = &d.body["properties"];
    Some(Assignment {
        id: d.id.clone(),
        scope: ResourceId::parse(p["scope"].as_str()?).ok()?,
        role_definition_id: p["roleDefinitionId"].as_str()?.to_string(),
        principal_id: p["principalId"].as_str()?.to_string(),
    })
}

async fn load_custom_roles(store: &dyn Store) -> Result<HashMap<String, RoleDefinition>, ArmError> {
    Ok(store
        .list(ROLE_DEFINITIONS, "")
        .await
        .map_err(store_err)?
        .into_iter()
        .filter_map(|d| serde_json::from_value::<CustomRole>(d.body).ok())
        .map(|c| (c.name.to_lowercase(), c.definition()))
        .collect())
}
