//! The emulated cloud: the context every ARM handler gets. It holds the store
//! and clock, the cloud's identity (tenant and subscription), the RBAC service,
//! and the registry of providers and job kinds.

use std::sync::Arc;

use aksemu_core::{ArmError, Clock, VirtualClock};
use aksemu_identity::SigningKey;
use aksemu_store::Store;

use crate::rbac::Rbac;
use crate::rbac::propagation::Propagation;
use crate::tenant::Bootstrap;

/// The provider registry, over this context.
pub type Registry = crate::registry::Registry<Cloud>;

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
    pub verified_tokens: crate::verified_tokens::VerifiedTokens,
    pub rbac: Rbac,
    registry: Registry,
    pub(crate) imds_tokens: crate::imds_cache::TokenCache,
    /// The local CA's certificate (PEM), which kubeconfigs tell clients to trust.
    pub ca_pem: std::sync::OnceLock<String>,
}

/// What `Cloud::new` is built from besides the store.
pub struct Settings {
    pub keys: Vec<SigningKey>,
    pub token_lifetime_secs: i64,
    pub rbac_propagation: Propagation,
    pub registry: Registry,
}

impl Cloud {
    pub fn now_rfc3339(&self) -> String {
        aksemu_core::clock::rfc3339(self.clock.now())
    }

    pub fn signing_key(&self) -> Option<&SigningKey> {
        self.keys.first()
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Builds the cloud over an opened, bootstrapped store and loads the RBAC index.
    pub async fn new(
        store: Arc<dyn Store>,
        clock: Arc<VirtualClock>,
        boot: &Bootstrap,
        settings: Settings,
    ) -> Result<Arc<Self>, ArmError> {
        let rbac = Rbac::load(store.clone(), clock.clone(), settings.rbac_propagation).await?;
        Ok(Arc::new(Self {
            store,
            clock: clock.clone(),
            virtual_clock: clock,
            keys: settings.keys,
            tenant_id: boot.tenant_id.clone(),
            tenant_domain: boot.tenant_domain.clone(),
            subscription_id: boot.subscription_id.clone(),
            admin_object_id: boot.admin_object_id.clone(),
            admin_app_id: boot.admin_app_id.clone(),
            token_lifetime_secs: settings.token_lifetime_secs,
            verified_tokens: Default::default(),
            rbac,
            registry: settings.registry,
            imds_tokens: Default::default(),
            ca_pem: Default::default(),
        }))
    }
}
