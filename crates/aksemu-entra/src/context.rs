//! The identity plane's context: the tenant, its signing keys, the directory in
//! the store, and the caches of verified and issued tokens. ARM's `Cloud` holds
//! one; the HTTP surfaces reach token verification through it.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, OnceLock};

use aksemu_core::VirtualClock;
use aksemu_identity::SigningKey;
use aksemu_store::Store;

use crate::imds::cache::TokenCache;
use crate::resources::{FederatedIssuers, ResourceIdentities};
use crate::tenant::Bootstrap;
use crate::verified_tokens::VerifiedTokens;

pub struct Entra {
    pub(crate) store: Arc<dyn Store>,
    /// The cloud clock (credential lifetimes; Graph's secret dates).
    pub(crate) clock: Arc<VirtualClock>,
    /// The current signing key first; older keys still verify.
    keys: Vec<SigningKey>,
    pub tenant_id: String,
    pub tenant_domain: String,
    /// The bootstrap administrator: its object id (directory writes) and appId.
    pub admin_object_id: String,
    pub admin_app_id: String,
    /// Access-token lifetime (real time).
    pub token_lifetime_secs: i64,
    pub(crate) verified_tokens: VerifiedTokens,
    pub(crate) imds_tokens: TokenCache,
    pub(crate) resources: Arc<dyn ResourceIdentities>,
    /// The clusters' OIDC issuers (set once the Kubernetes side exists).
    pub(crate) issuers: OnceLock<Arc<dyn FederatedIssuers>>,
    /// The HTTPS port the server answers on: Graph accepts tokens for this
    /// server's loopback URLs at it (never for a host a request claims).
    port: AtomicU16,
}

/// What `Entra::new` is built from besides the store, clock and tenant.
pub struct EntraSettings {
    pub keys: Vec<SigningKey>,
    pub token_lifetime_secs: i64,
    pub resources: Arc<dyn ResourceIdentities>,
}

impl Entra {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<VirtualClock>,
        tenant: &Bootstrap,
        settings: EntraSettings,
    ) -> Self {
        Self {
            store,
            clock,
            keys: settings.keys,
            tenant_id: tenant.tenant_id.clone(),
            tenant_domain: tenant.tenant_domain.clone(),
            admin_object_id: tenant.admin_object_id.clone(),
            admin_app_id: tenant.admin_app_id.clone(),
            token_lifetime_secs: settings.token_lifetime_secs,
            verified_tokens: Default::default(),
            imds_tokens: Default::default(),
            resources: settings.resources,
            issuers: OnceLock::new(),
            port: AtomicU16::new(0),
        }
    }

    pub fn signing_key(&self) -> Option<&SigningKey> {
        self.keys.first()
    }

    pub fn keys(&self) -> &[SigningKey] {
        &self.keys
    }

    /// Plugs in the issuers this cloud runs (once).
    pub fn set_issuers(&self, issuers: Arc<dyn FederatedIssuers>) {
        let _ = self.issuers.set(issuers);
    }

    /// Records the HTTPS port once the server listens.
    pub fn set_port(&self, port: u16) {
        self.port.store(port, Ordering::Relaxed);
    }

    /// This server's own base URLs (each loopback name at its port).
    pub fn own_urls(&self) -> Vec<String> {
        let port = self.port.load(Ordering::Relaxed);
        ["localhost", "127.0.0.1", "[::1]"]
            .iter()
            .map(|h| format!("https://{h}:{port}"))
            .collect()
    }
}
