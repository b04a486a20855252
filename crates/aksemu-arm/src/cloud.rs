//! The emulated cloud: the context every ARM handler gets. It holds the store
//! and clock, the identity plane (`Entra`: tenant, directory, tokens), the
//! subscription, the RBAC service, and the registry of providers and job kinds.

use std::sync::Arc;

use aksemu_core::{ArmError, Clock, VirtualClock};
use aksemu_identity::SigningKey;
use aksemu_store::read_only::ReadOnly;
use aksemu_store::{Store, StoreError, Write};

use aksemu_entra::{Bootstrap, Entra, EntraSettings};

use crate::rbac::propagation::Propagation;
use crate::rbac::{Rbac, Touched, rbac_changed};
use crate::resource_identities::StoredIdentities;

/// The provider registry, over this context.
pub type Registry = crate::registry::Registry<Cloud>;

pub struct Cloud {
    /// Private: reads go through `store()`, writes through `commit`.
    store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    /// The same clock, for moving it (admin API).
    pub virtual_clock: Arc<VirtualClock>,
    /// The identity plane: tenant, directory, token service and verification,
    /// Graph, managed-identity endpoints.
    pub entra: Entra,
    pub subscription_id: String,
    pub rbac: Rbac,
    registry: Registry,
    /// The local CA's certificate (PEM), which kubeconfigs tell clients to trust.
    pub ca_pem: std::sync::OnceLock<String>,
}

/// What `Cloud::new` is built from besides the store.
pub struct Settings {
    pub keys: Vec<SigningKey>,
    pub token_lifetime_secs: i64,
    pub rbac_propagation: Propagation,
    pub registry: Registry,
    /// How many authorization decisions the decision log keeps.
    pub decision_log: usize,
}

impl Cloud {
    pub fn now_rfc3339(&self) -> String {
        aksemu_core::clock::rfc3339(self.clock.now())
    }

    /// What a decision is made against: this cloud's tenant and
    /// administrator, `index` (none for the admin API), the clock's `now`.
    pub fn decider<'a>(
        &'a self,
        index: Option<&'a aksemu_authz::AssignmentIndex>,
        now: i64,
    ) -> aksemu_authz::Decider<'a> {
        aksemu_authz::Decider {
            tenant_id: &self.entra.tenant_id,
            administrator: &self.entra.admin_object_id,
            index,
            now,
        }
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The store, for reading.
    pub fn store(&self) -> ReadOnly<'_> {
        ReadOnly::new(self.store.as_ref())
    }

    /// Applies a batch in one transaction and then brings the RBAC index in
    /// step with what it changed (assignments, custom roles), telling other
    /// replicas too; every write of the ARM plane passes here, so no caller
    /// can forget the reload.
    pub async fn commit(&self, mut writes: Vec<Write>) -> Result<Vec<String>, StoreError> {
        let touched = Touched::of(&writes);
        if !touched.is_empty() {
            writes.push(rbac_changed());
        }
        let etags = self.store.apply(writes).await?;
        if let Err(e) = self.rbac.reload(&touched).await {
            // The batch is committed; a failed reload is caught up by the next one.
            tracing::error!(error = %e, "reloading the RBAC index failed");
        }
        Ok(etags)
    }

    /// Builds the cloud over an opened, bootstrapped store and loads the RBAC index.
    pub async fn new(
        store: Arc<dyn Store>,
        clock: Arc<VirtualClock>,
        boot: &Bootstrap,
        settings: Settings,
    ) -> Result<Arc<Self>, ArmError> {
        let rbac = Rbac::load(
            store.clone(),
            clock.clone(),
            settings.rbac_propagation,
            crate::rbac::decisions::DecisionLog::new(settings.decision_log),
        )
        .await?;
        let entra_settings = EntraSettings {
            keys: settings.keys,
            token_lifetime_secs: settings.token_lifetime_secs,
            resources: Arc::new(StoredIdentities::new(store.clone())),
        };
        Ok(Arc::new(Self {
            entra: Entra::new(store.clone(), clock.clone(), boot, entra_settings),
            store,
            clock: clock.clone(),
            virtual_clock: clock,
            subscription_id: boot.subscription_id.clone(),
            rbac,
            registry: settings.registry,
            ca_pem: Default::default(),
        }))
    }
}
