//! What a handler is given: the API, the cluster, the request and the
//! gate's `Authorized`; and how it answers with an object.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::cluster::ClusterInfo;
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
}

impl Ctx<'_> {
    pub fn uid(&self) -> &str {
        &self.cluster.uid
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.api.clock.now()
    }

    /// An object (or a Table of it, when asked for).
    pub fn object(&self, status: u16, rt: &ResourceType, obj: &Value) -> KubeResponse {
        if self.req.wants_table() {
            let meta = json!({"resourceVersion": obj["metadata"]["resourceVersion"]});
            let t = table::table(rt, std::slice::from_ref(obj), self.now(), true, meta);
            return KubeResponse::json(status, &t);
        }
        KubeResponse::json(status, obj)
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
