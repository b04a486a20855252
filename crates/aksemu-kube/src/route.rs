//! Which part of the API a path names: discovery, OpenAPI, health, or a
//! resource (type, namespace, name, subresource).

use crate::crd::Catalog;
use crate::error::{KubeError, unknown_path};
use crate::resources::ResourceType;

#[derive(Debug)]
pub struct ResourcePath {
    pub rt: &'static ResourceType,
    /// `None`: cluster-scoped, or a namespaced type across all namespaces.
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub sub: Option<String>,
}

#[derive(Debug)]
pub enum Target {
    Version,
    Health,
    ApiRoot,
    ApisRoot,
    ApiGroup(String),
    ResourceList(String, String),
    OpenApiRoot,
    OpenApiDoc(String),
    OpenApiV2,
    Resource(ResourcePath),
}

/// Parses a path under the cluster prefix.
pub fn parse(path: &str, types: Catalog<'_>) -> Result<Target, KubeError> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        ["version"] => Ok(Target::Version),
        ["healthz" | "livez" | "readyz", ..] => Ok(Target::Health),
        ["api"] => Ok(Target::ApiRoot),
        ["apis"] => Ok(Target::ApisRoot),
        ["apis", g] => Ok(Target::ApiGroup(g.to_string())),
        ["api", v] => Ok(Target::ResourceList(String::new(), v.to_string())),
        ["apis", g, v] => Ok(Target::ResourceList(g.to_string(), v.to_string())),
        ["openapi", "v3"] => Ok(Target::OpenApiRoot),
        ["openapi", "v3", rest @ ..] => Ok(Target::OpenApiDoc(rest.join("/"))),
        ["openapi", "v2"] | ["swagger-2.0.0.pb-v1"] | ["swagger.json"] => Ok(Target::OpenApiV2),
        ["api", v, rest @ ..] => resource(types, "", v, rest).map(Target::Resource),
        ["apis", g, v, rest @ ..] => resource(types, g, v, rest).map(Target::Resource),
        _ => Err(unknown_path()),
    }
}

fn resource(
    types: Catalog<'_>,
    group: &str,
    version: &str,
    rest: &[&str],
) -> Result<ResourcePath, KubeError> {
    let (namespace, rest) = match rest {
        ["namespaces", ns, plural, tail @ ..] if !matches!(*plural, "status" | "finalize") => {
            (Some(ns.to_string()), {
                let mut v = vec![*plural];
                v.extend_from_slice(tail);
                v
            })
        }
        _ => (None, rest.to_vec()),
    };
    let (plural, name, sub) = match rest.as_slice() {
        [p] => (*p, None, None),
        [p, n] => (*p, Some(n.to_string()), None),
        [p, n, s] => (*p, Some(n.to_string()), Some(s.to_string())),
        _ => return Err(unknown_path()),
    };
    let rt = types
        .find(group, version, plural)
        .ok_or_else(unknown_path)?;
    if namespace.is_some() && !rt.namespaced {
        return Err(unknown_path());
    }
    if rt.namespaced && namespace.is_none() && name.is_some() {
        return Err(unknown_path());
    }
    if let Some(s) = &sub
        && rt.sub(s).is_none()
    {
        return Err(unknown_path());
    }
    Ok(ResourcePath {
        rt,
        namespace,
        name,
        sub,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(p: &str) -> Result<Target, KubeError> {
        super::parse(
            p,
            Catalog {
                crds: &Default::default(),
            },
        )
    }

    fn res(p: &str) -> ResourcePath {
        match parse(p).unwrap() {
            Target::Resource(r) => r,
            t => panic!("{t:?}"),
        }
    }

    #[test]
    fn paths() {
        let r = res("/api/v1/namespaces/demo/pods/web/status");
        assert_eq!(
            (
                r.rt.plural,
                r.namespace.as_deref(),
                r.name.as_deref(),
                r.sub.as_deref()
            ),
            ("pods", Some("demo"), Some("web"), Some("status"))
        );
        let r = res("/api/v1/namespaces/demo");
        assert_eq!(
            (r.rt.plural, r.name.as_deref()),
            ("namespaces", Some("demo"))
        );
        let r = res("/api/v1/namespaces/demo/finalize");
        assert_eq!(r.sub.as_deref(), Some("finalize"));
        let r = res("/api/v1/pods");
        assert!(r.namespace.is_none() && r.name.is_none());
        let r = res("/apis/apps/v1/namespaces/d/deployments/web/scale");
        assert_eq!(r.sub.as_deref(), Some("scale"));
        assert!(parse("/api/v1/pods/x").is_err());
        assert!(parse("/api/v1/namespaces/d/nodes").is_err());
        assert!(parse("/api/v1/namespaces/d/pods/x/nope").is_err());
        assert!(parse("/apis/apps/v1/foos").is_err());
        assert!(
            matches!(parse("/openapi/v3/apis/apps/v1").unwrap(), Target::OpenApiDoc(p) if p == "apis/apps/v1")
        );
    }
}
