//! A request's one path: find the cluster → parse the path → authenticate →
//! authorize (the gate) → dispatch. Errors become a `Status` here and nowhere else.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::crd::Catalog;
use crate::ctx::{Ctx, verb};
use crate::error::{KubeError, unknown_path};
use crate::gate;
use crate::rbac::Attributes;
use crate::request::{KubeRequest, KubeResponse};
use crate::route::{self, Target};
use crate::{KubeApi, authn, discovery, openapi, resource_ops};

impl KubeApi {
    /// Serves one request to the API server of cluster `uid`.
    pub async fn handle(self: &Arc<Self>, uid: &str, req: KubeRequest) -> KubeResponse {
        match self.try_handle(uid, &req).await {
            Ok(r) => r,
            Err(e) => {
                if e.code() >= 500 {
                    tracing::error!(error = %e, path = %req.path, "Kubernetes API request failed");
                }
                KubeResponse::json(e.code(), &e.status())
            }
        }
    }

    async fn try_handle(
        self: &Arc<Self>,
        uid: &str,
        req: &KubeRequest,
    ) -> Result<KubeResponse, KubeError> {
        let cluster = self
            .clusters
            .cluster(uid)
            .await
            .map_err(KubeError::Internal)?
            .ok_or_else(unknown_path)?;
        let crds = self.crds.get(self, uid).await?;
        let target = route::parse(&req.path, Catalog { crds: &crds })?;
        let public = matches!(target, Target::Version | Target::Health);
        let user = if public && req.bearer.is_none() {
            authn::anonymous()
        } else {
            authn::authenticate(self, &cluster, req.bearer.as_deref(), &req.base_url).await?
        };
        let attrs = attributes(&target, req);
        let auth = gate::authorize(self, uid, user, &attrs).await?;
        let ctx = Ctx {
            api: self,
            cluster: &cluster,
            req,
            auth,
            crds,
            warnings: Default::default(),
        };
        match target {
            Target::Resource(rp) => resource_ops::dispatch(&ctx, rp).await,
            other => non_resource(&ctx, other),
        }
    }
}

fn not_found<T>(v: Option<T>) -> Result<T, KubeError> {
    v.ok_or_else(unknown_path)
}

/// Discovery, OpenAPI, version and health.
fn non_resource(ctx: &Ctx<'_>, target: Target) -> Result<KubeResponse, KubeError> {
    let req = ctx.req;
    let types = ctx.catalog();
    let aggregated = discovery::aggregated_version(req.accept.as_deref());
    let doc = |legacy: bool, fallback: Value| match aggregated {
        Some(v) => KubeResponse::bytes(
            200,
            &discovery::aggregated_content_type(v),
            discovery::aggregated(types, legacy, v)
                .to_string()
                .into_bytes(),
        ),
        None => KubeResponse::json(200, &fallback),
    };
    Ok(match target {
        Target::Version => KubeResponse::json(200, &version(&ctx.cluster.kubernetes_version)),
        Target::Health => KubeResponse::bytes(200, "text/plain; charset=utf-8", b"ok".to_vec()),
        Target::ApiRoot => doc(
            true,
            discovery::api_versions(&server_address(&req.base_url)),
        ),
        Target::ApisRoot => doc(false, discovery::api_group_list(types)),
        Target::ApiGroup(g) => {
            KubeResponse::json(200, &not_found(discovery::api_group(types, &g))?)
        }
        Target::ResourceList(g, v) => {
            KubeResponse::json(200, &not_found(discovery::resource_list(types, &g, &v))?)
        }
        Target::OpenApiRoot => {
            KubeResponse::json(200, &openapi::root(types, &path_of(&req.base_url)))
        }
        Target::OpenApiDoc(p) => KubeResponse::json(200, &not_found(openapi::document(types, &p))?),
        Target::OpenApiV2 | Target::Resource(_) => return Err(unknown_path()),
    })
}

/// `/version` as kube-apiserver answers it.
pub fn version(current: &str) -> Value {
    let mut parts = current.split('.');
    let major = parts.next().unwrap_or_default();
    let minor = parts.next().unwrap_or_default();
    json!({
        "major": major, "minor": minor, "gitVersion": format!("v{current}"),
        "gitCommit": "aksemu", "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.24.0", "compiler": "gc", "platform": "linux/amd64",
    })
}

/// `host:port` of a base URL.
fn server_address(base_url: &str) -> String {
    let rest = base_url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(base_url);
    rest.split('/').next().unwrap_or_default().to_string()
}

/// The path part of a base URL (`/aksemu/clusters/<uid>`).
fn path_of(base_url: &str) -> String {
    let rest = base_url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(base_url);
    rest.find('/')
        .map(|i| rest[i..].to_string())
        .unwrap_or_default()
}

fn attributes(target: &Target, req: &KubeRequest) -> Attributes {
    match target {
        Target::Resource(rp) => Attributes {
            verb: verb(&req.method, rp, req.flag("watch")).to_string(),
            api_group: rp.rt.group.to_string(),
            resource: rp.rt.plural.to_string(),
            subresource: rp.sub.clone().unwrap_or_default(),
            namespace: rp
                .namespace
                .clone()
                .or_else(|| {
                    (rp.rt.kind == "Namespace").then(|| rp.name.clone().unwrap_or_default())
                })
                .unwrap_or_default(),
            name: rp.name.clone().unwrap_or_default(),
            path: None,
        },
        _ => Attributes {
            verb: req.method.to_ascii_lowercase(),
            path: Some(req.path.clone()),
            ..Attributes::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            server_address("https://127.0.0.1:8443/aksemu/clusters/x"),
            "127.0.0.1:8443"
        );
        assert_eq!(
            path_of("https://127.0.0.1:8443/aksemu/clusters/x"),
            "/aksemu/clusters/x"
        );
        assert_eq!(version("1.32.7")["minor"], "32");
    }
}
