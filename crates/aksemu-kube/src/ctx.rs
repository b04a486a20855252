//! What a handler is given: the API, the cluster, the request and the
//! gate's `Authorized`; and how it answers with an object.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::cluster::ClusterInfo;
use crate::crd::Catalog;
use crate::crd::CrdSet;
use crate::gate::Authorized;
use crate::request::{KubeRequest, KubeResponse};
use crate::resources::ResourceType;
use crate::route::ResourcePath;
use crate::{KubeApi, table};

/// Everything a handler needs about the request it serves.
pub struct Ctx<'a> {
    pub api: &'a Arc<KubeApi>,
    pub cluster: &'a ClusterInfo,
    pub req: &'a KubeRequest,
    pub auth: Authorized,
    /// The cluster's custom resource types as the request found them.
    pub crds: Arc<CrdSet>,
    /// `Warning` headers for the answer (unknown fields, unsupported rules).
    pub warnings: std::sync::Mutex<Vec<String>>,
}

impl Ctx<'_> {
    /// The types this cluster serves.
    pub fn catalog(&self) -> Catalog<'_> {
        Catalog { crds: &self.crds }
    }

    pub fn uid(&self) -> &str {
        &self.cluster.uid
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.api.clock.now()
    }

    /// Adds `Warning`s to the answer (each once, at most `MAX_WARNINGS`).
    pub fn warn(&self, messages: Vec<String>) {
        const MAX_WARNINGS: usize = 64;
        let mut w = self.warnings.lock().unwrap_or_else(|p| p.into_inner());
        for m in messages {
            if w.len() >= MAX_WARNINGS {
                break;
            }
            if !w.contains(&m) {
                w.push(m);
            }
        }
    }

    /// An object (or a Table of it, when asked for), with the warnings.
    pub fn object(&self, status: u16, rt: &ResourceType, obj: &Value) -> KubeResponse {
        let converted;
        let obj = if crate::crd::convert::differs(rt) {
            let mut o = obj.clone();
            crate::crd::convert::for_client(rt, &mut o);
            converted = o;
            &converted
        } else {
            obj
        };
        let mut r = if self.req.wants_table() {
            let meta = json!({"resourceVersion": obj["metadata"]["resourceVersion"]});
            let t = table::table(rt, std::slice::from_ref(obj), self.now(), true, meta);
            KubeResponse::json(status, &t)
        } else {
            KubeResponse::json(status, obj)
        };
        for w in self
            .warnings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            r = r.warn(w);
        }
        r
    }
}

/// The verb Kubernetes authorizes a resource request as.
pub fn verb(method: &str, rp: &ResourcePath, watch: bool) -> &'static str {
    match (method, rp.name.is_some()) {
        ("GET" | "HEAD", _) if watch => "watch",
        ("GET" | "HEAD", true) => "get",
        ("GET" | "HEAD", false) => "list",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => "",
    }
}
