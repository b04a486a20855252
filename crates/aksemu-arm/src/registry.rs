//! What providers register with the engine, so that adding one touches its own
//! module and one registration line: its namespace (types, children, actions —
//! the parser's catalogue), a handler for the endpoints in it, the kinds of
//! long-running work it runs, and what its resources own outside their key
//! range (for delete cascades). Generic over the context (`Cloud`), so the
//! registry sits below it.

use std::collections::HashMap;
use std::sync::Arc;

use aksemu_authz::Authorized;
use aksemu_core::ArmError;
use aksemu_store::Doc;
use async_trait::async_trait;
use serde_json::Value;

use crate::effects::Effects;
use crate::endpoint::{Catalogue, Endpoint, Namespace};
use crate::operation::Work;
use aksemu_core::request::{ArmRequest, ArmResponse, Method};

/// A resource provider: the endpoints of one namespace.
#[async_trait]
pub trait Provider<C: Send + Sync + 'static>: Send + Sync {
    fn namespace(&self) -> &'static Namespace;

    /// Answers an endpoint of this namespace, after the gate.
    async fn handle(
        &self,
        cx: &Arc<C>,
        auth: &Authorized,
        ep: &Endpoint,
        req: &ArmRequest,
    ) -> Result<ArmResponse, ArmError>;

    /// Long-running work this provider runs, by kind.
    fn jobs(&self) -> Vec<Arc<dyn Job<C>>> {
        Vec::new()
    }

    /// What a resource document of this namespace owns outside its own key
    /// range, removed with it (its own key range goes anyway).
    async fn owned(&self, _cx: &C, _doc: &Doc) -> Result<Effects, ArmError> {
        Ok(Effects::default())
    }

    /// A managed-identity host the admin API was asked for in this provider's
    /// terms (e.g. `{"node": …}` for a cluster's node): the resource that is
    /// the host, and the identity a process on it uses by default.
    async fn host_for(
        &self,
        _cx: &C,
        _spec: &Value,
    ) -> Result<Option<(Doc, Option<String>)>, ArmError> {
        Ok(None)
    }

    /// One request per endpoint kind of this namespace (the enforcement walk).
    fn samples(&self, _sub: &str, _rg: &str) -> Vec<(Method, String)> {
        Vec::new()
    }
}

/// A kind of long-running work, run by the operation engine.
#[async_trait]
pub trait Job<C: Send + Sync + 'static>: Send + Sync {
    /// The `kind` stored in operation records.
    fn kind(&self) -> &'static str;

    /// Virtual seconds the work takes before it runs (0: at once).
    fn duration_secs(&self) -> i64 {
        0
    }

    /// Plans the work: the writes that complete it.
    async fn run(&self, cx: &C, work: &Work) -> Result<Effects, ArmError>;

    /// The writes that record a failure (e.g. put the previous state back).
    async fn failed(&self, _cx: &C, _work: &Work) -> Result<Effects, ArmError> {
        Ok(Effects::default())
    }
}

pub struct Registry<C: Send + Sync + 'static> {
    catalogue: Catalogue,
    providers: HashMap<&'static str, Arc<dyn Provider<C>>>,
    jobs: HashMap<&'static str, Arc<dyn Job<C>>>,
}

impl<C: Send + Sync + 'static> Default for Registry<C> {
    fn default() -> Self {
        Self {
            catalogue: Catalogue::default(),
            providers: HashMap::new(),
            jobs: HashMap::new(),
        }
    }
}

impl<C: Send + Sync + 'static> Registry<C> {
    /// A namespace ARM serves without a provider of its own.
    pub fn namespace(&mut self, ns: &'static Namespace) -> &mut Self {
        self.catalogue.add(ns);
        self
    }

    pub fn provider(&mut self, p: Arc<dyn Provider<C>>) -> &mut Self {
        let ns = p.namespace();
        self.catalogue.add(ns);
        for j in p.jobs() {
            self.job(j);
        }
        self.providers.insert(ns.name, p);
        self
    }

    pub fn job(&mut self, j: Arc<dyn Job<C>>) -> &mut Self {
        self.jobs.insert(j.kind(), j);
        self
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// The provider serving a namespace, by its canonical name.
    pub fn provider_of(&self, namespace: &str) -> Option<&Arc<dyn Provider<C>>> {
        self.providers.get(namespace)
    }

    /// The provider of a resource document's type (`Namespace/type`).
    pub fn provider_of_type(&self, full_type: &str) -> Option<&Arc<dyn Provider<C>>> {
        let ns = self.catalogue.type_named(full_type)?.namespace;
        self.providers.get(ns)
    }

    pub fn providers(&self) -> impl Iterator<Item = &Arc<dyn Provider<C>>> {
        self.providers.values()
    }

    pub fn job_of(&self, kind: &str) -> Option<&Arc<dyn Job<C>>> {
        self.jobs.get(kind)
    }

    /// Samples of every endpoint kind: ARM's own and each provider's.
    pub fn samples(&self, sub: &str, rg: &str) -> Vec<(Method, String)> {
        let mut all = crate::endpoint::samples::core(sub, rg);
        let mut names: Vec<&&str> = self.providers.keys().collect();
        names.sort();
        for n in names {
            if let Some(p) = self.providers.get(*n) {
                all.extend(p.samples(sub, rg));
            }
        }
        all
    }
}
