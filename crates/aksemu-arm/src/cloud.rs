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
use crate::collections::{ASSIGNMENTS_BY_PRINCIPAL, ROLE_DEFINITIONS};
use crate::propagation::Propagation;
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
    /// Virtual time before a new role assignment grants (and a deleted one stops).
    pub rbac_propagation: Propagation,
    custom_roles: RwLock<HashMap<String, RoleDefinition>>,
    pub(crate) imds_tokens: crate::imds::TokenCache,
    /// The local CA's certificate (PEM), which kubeconfigs tell clients to trust.
    pub ca_pem: std::sync::OnceLock<String>,
    /// Virtual seconds an AKS cluster operation takes (`serve --aks-operation-time`).
    pub aks_operation_secs: std::sync::atomic::AtomicI64,
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
        rbac_propagation: Propagation,
    ) -> Result<Arc<Self>, ArmError> {
        // By principal: that collection also holds deleted assignments that still
        // propagate (tombstones).
        let all = store
            .list(ASSIGNMENTS_BY_PRINCIPAL, "")
            .await
            .map_err(store_err)?;
        let now = clock.now().unix_timestamp();
        let store_ref: &dyn Store = store.as_ref();
        let custom = load_custom_roles(store_ref).await?;
        let mut index = AssignmentIndex::from_assignments(
            all.iter()
                .filter_map(|d| assignment_of(d, rbac_propagation, now)),
        );
        index.resolve_roles(|g| resolve_role(g, &custom));
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
            rbac_propagation,
            custom_roles: RwLock::new(custom),
            imds_tokens: Default::default(),
            ca_pem: Default::default(),
            aks_operation_secs: Default::default(),
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
        let now = self.clock.now().unix_timestamp();
        let fresh: Vec<Assignment> = docs
            .iter()
            .filter_map(|d| assignment_of(d, self.rbac_propagation, now))
            .collect();
        let custom = self.custom_roles_snapshot();
        let mut index = self.rbac.write().unwrap_or_else(|p| p.into_inner());
        index.replace(principal_id, fresh);
        index.resolve_roles(|g| resolve_role(g, &custom));
        Ok(())
    }

    /// Reloads every principal's assignments (another replica changed some).
    pub async fn reload_all_assignments(&self) -> Result<(), ArmError> {
        let all = self
            .store
            .list(ASSIGNMENTS_BY_PRINCIPAL, "")
            .await
            .map_err(store_err)?;
        let now = self.clock.now().unix_timestamp();
        let mut index = AssignmentIndex::from_assignments(
            all.iter()
                .filter_map(|d| assignment_of(d, self.rbac_propagation, now)),
        );
        let custom = self.custom_roles_snapshot();
        index.resolve_roles(|g| resolve_role(g, &custom));
        *self.rbac.write().unwrap_or_else(|p| p.into_inner()) = index;
        Ok(())
    }

    /// Reloads custom role definitions after one changed.
    pub async fn reload_custom_roles(&self) -> Result<(), ArmError> {
        let fresh = load_custom_roles(self.store.as_ref()).await?;
        *self.custom_roles.write().unwrap_or_else(|p| p.into_inner()) = fresh.clone();
        // One lock at a time (never the roles' inside the index's): no lock-order cycle.
        self.rbac
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .resolve_roles(|g| resolve_role(g, &fresh));
        Ok(())
    }

    fn custom_roles_snapshot(&self) -> HashMap<String, RoleDefinition> {
        self.custom_roles
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
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
        let now = self.clock.now().unix_timestamp();
        aksemu_authz::check(principal, action, scope, &self.rbac(), now)
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
        let now = self.clock.now().unix_timestamp();
        self.rbac()
            .allows(&principal.object_id, action, scope.key(), now)
    }
}

/// A role definition by GUID: built-in, or one of the custom roles.
fn resolve_role(guid: &str, custom: &HashMap<String, RoleDefinition>) -> Option<RoleDefinition> {
    builtin_role(guid)
        .cloned()
        .or_else(|| custom.get(&guid.to_lowercase()).cloned())
}

fn unix(rfc3339: Option<&str>) -> Option<i64> {
    time::OffsetDateTime::parse(rfc3339?, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// Reads a stored role assignment as the evaluator sees it. With a propagation
/// delay it grants from `createdOn + delay` (at once if aksemu itself made it at
/// bootstrap: no `createdBy`); a deleted one (`deletedOn`) until `deletedOn +
/// delay`, and is dropped once that has passed. The delay may differ per
/// assignment (a seeded random delay).
fn assignment_of(d: &Doc, propagation: Propagation, now: i64) -> Option<Assignment> {
    let p = &d.body["properties"];
    let deleted = unix(p["deletedOn"].as_str());
    let window = match (propagation.is_on(), deleted) {
        (false, None) => None,
        (false, Some(_)) => return None,
        (true, deleted) => {
            let delay = propagation.delay_for(&d.id);
            let from = match p["createdBy"].as_str() {
                None => i64::MIN,
                Some(_) => {
                    unix(p["createdOn"].as_str()).map_or(i64::MIN, |c| c.saturating_add(delay))
                }
            };
            let until = deleted.map_or(i64::MAX, |t| t.saturating_add(delay));
            if until <= now {
                return None;
            }
            Some((from, until))
        }
    };
    Some(Assignment {
        id: d.id.clone(),
        scope: ResourceId::parse(p["scope"].as_str()?).ok()?,
        role_definition_id: p["roleDefinitionId"].as_str()?.to_string(),
        principal_id: p["principalId"].as_str()?.to_string(),
        window,
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
