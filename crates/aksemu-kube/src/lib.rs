//! A Kubernetes API server for every managed cluster: discovery and OpenAPI,
//! the built-in resource types in the project's store, RBAC, watches from the
//! store's change feed, patches of every kind, service-account tokens and the
//! review APIs. No HTTP types: the server hands in a `KubeRequest` and writes
//! out the `KubeResponse`. It knows clusters only through `Clusters` and
//! drives their objects through `ClusterPlane`; it does not depend on ARM.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod aks_system;
pub mod api;
pub mod authn;
pub mod azure_rbac;
mod body;
pub mod bootstrap;
pub mod cluster;
pub mod crd;
pub mod ctx;
mod defaults;
mod delete;
pub mod discovery;
mod duplicates;
pub mod error;
pub mod feed;
pub mod gate;
mod gc;
mod limit_ranger;
mod logs;
mod managed_fields;
mod meta;
mod nodes;
pub mod objects;
pub mod oidc;
pub mod openapi;
pub mod patch;
pub mod plane;
pub mod pod_identity;
pub mod protobuf;
pub mod quantity;
pub mod rbac;
mod read;
mod rendered;
pub mod request;
mod resource_ops;
pub mod resource_quota;
pub mod resources;
mod reviews;
pub mod route;
pub mod sa_tokens;
pub mod schema;
pub mod selectors;
mod service_account;
mod subresources;
pub mod system_tokens;
pub mod table;
mod typed;
mod users;
mod validate;
pub mod watch;
mod workload_identity;
mod write;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aksemu_core::Clock;
use aksemu_store::Store;

pub use cluster::{
    AzureRbac, ClusterInfo, Clusters, EntraAuth, EntraCaller, EntraTokens, StaticRole,
};
pub use error::KubeError;
pub use request::{KubeBody, KubeRequest, KubeResponse};

pub struct KubeApi {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) clusters: Arc<dyn Clusters>,
    /// Service-account signing keys by cluster uid.
    /// With the etag of the document they were read from.
    pub(crate) keys: Mutex<HashMap<String, (String, Arc<sa_tokens::KeySet>)>>,
    pub(crate) feed: feed::Feed,
    /// Objects as last rendered for a GET.
    pub(crate) rendered: rendered::Rendered,
    /// Entra token verification, plugged in by the server (Entra-integrated clusters).
    pub(crate) entra: std::sync::OnceLock<Arc<dyn EntraTokens>>,
    /// Azure RBAC decisions, plugged in by the server.
    pub(crate) azure_rbac: std::sync::OnceLock<Arc<dyn AzureRbac>>,
    /// Each cluster's custom resource types.
    pub(crate) crds: crd::Registry,
}

impl KubeApi {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        clusters: Arc<dyn Clusters>,
    ) -> Arc<Self> {
        Arc::new(Self {
            feed: feed::Feed::new(store.clone()),
            store,
            clock,
            clusters,
            keys: Mutex::new(HashMap::new()),
            rendered: rendered::Rendered::default(),
            entra: std::sync::OnceLock::new(),
            azure_rbac: std::sync::OnceLock::new(),
            crds: crd::Registry::default(),
        })
    }

    /// Plugs in Azure RBAC decisions (once).
    pub fn set_azure_rbac(&self, rbac: Arc<dyn AzureRbac>) {
        let _ = self.azure_rbac.set(rbac);
    }

    /// Plugs in Entra token verification (once).
    pub fn set_entra_tokens(&self, tokens: Arc<dyn EntraTokens>) {
        let _ = self.entra.set(tokens);
    }
}

impl KubeApi {
    /// Every change to Kubernetes objects from now on (all clusters), for
    /// the controllers.
    pub async fn changes(&self) -> tokio::sync::broadcast::Receiver<Arc<aksemu_store::Change>> {
        self.feed.subscribe().await
    }

    /// The cloud clock's time (what controllers schedule by).
    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// The clusters whose Kubernetes side exists, by uid.
    pub async fn cluster_uids(&self) -> Result<Vec<String>, KubeError> {
        let docs = self.store.list(plane::CLUSTERS, "").await?;
        Ok(docs.into_iter().map(|d| d.key).collect())
    }
}
