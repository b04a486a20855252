//! OpenAPI v3: a root listing one document per group-version (full prefixed
//! `serverRelativeURL`s with a `?hash=`), and per document a `patch`
//! operation per kind carrying the GVK extension and the `fieldValidation`
//! parameter (how kubectl decides to let the server validate), with the
//! kinds' schemas: the upstream ones for built-in kinds, the CRD's for
//! custom resources.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::crd::Catalog;
use crate::resources::ResourceType;
use crate::schema::builtin::BUILTIN;

/// The document path of a group-version: `api/v1` or `apis/apps/v1`.
fn doc_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// A stable hash of what the server serves: the binary's, and the custom
/// types' (so clients fetch a document again when a CRD changes).
fn hash(types: Catalog<'_>, group: &str, version: &str) -> String {
    let mut text = format!("aksemu-openapi-{}", env!("CARGO_PKG_VERSION"));
    for t in types
        .crds
        .types()
        .filter(|t| t.group == group && t.version == version)
    {
        if let Some(c) = t.custom {
            text.push_str(&c.schema.to_string());
            text.push_str(t.plural);
        }
    }
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes());
    d.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// `/openapi/v3`. `prefix`: the cluster's path prefix (`/aksemu/clusters/<uid>`).
pub fn root(types: Catalog<'_>, prefix: &str) -> Value {
    let mut paths = Map::new();
    for g in types.groups() {
        for v in types.versions(g) {
            let h = hash(types, g, v);
            let p = doc_path(g, v);
            paths.insert(
                p.clone(),
                json!({"serverRelativeURL": format!("{prefix}/openapi/v3/{p}?hash={h}")}),
            );
        }
    }
    json!({ "paths": paths })
}

fn patch_operation(group: &str, version: &str, kind: &str, schema: &str) -> Value {
    let body = json!({"schema": {"$ref": format!("#/components/schemas/{schema}")}});
    json!({
        "operationId": format!("patch{kind}"),
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": kind},
        "parameters": [
            {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "force", "in": "query", "schema": {"type": "boolean", "uniqueItems": true}},
            {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
        ],
        "requestBody": {"content": {
            "application/apply-patch+yaml": body,
            "application/json-patch+json": body,
            "application/merge-patch+json": body,
            "application/strategic-merge-patch+json": body,
        }},
        "responses": {"200": {"description": "OK"}, "201": {"description": "Created"}},
    })
}

/// `/openapi/v3/<doc path>`, if that group-version is served.
pub fn document(types: Catalog<'_>, path: &str) -> Option<Value> {
    let (group, version) = match path.split('/').collect::<Vec<_>>().as_slice() {
        ["api", v] => ("", *v),
        ["apis", g, v] => (*g, *v),
        _ => return None,
    };
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for t in types
        .all()
        .filter(|t| t.group == group && t.version == version)
    {
        let name = add_schema(t, &mut schemas);
        let base = if t.namespaced {
            format!(
                "/{}/namespaces/{{namespace}}/{}/{{name}}",
                doc_path(group, version),
                t.plural
            )
        } else {
            format!("/{}/{}/{{name}}", doc_path(group, version), t.plural)
        };
        paths.insert(
            base,
            json!({"patch": patch_operation(group, version, t.kind, &name)}),
        );
    }
    if paths.is_empty() {
        return None;
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "aksemu"},
        "paths": paths,
        "components": {"schemas": schemas},
    }))
}

/// A custom kind's schema name, as kube-apiserver builds it
/// (`io.cert-manager.v1.Certificate`).
fn custom_name(t: &ResourceType) -> String {
    let reversed: Vec<&str> = t.group.split('.').rev().collect();
    format!("{}.{}.{}", reversed.join("."), t.version, t.kind)
}

/// Adds a kind's schema (and, for built-in kinds, every schema it refers to)
/// to `schemas`; returns its name.
fn add_schema(t: &ResourceType, schemas: &mut Map<String, Value>) -> String {
    let gvk = json!([{"group": t.group, "version": t.version, "kind": t.kind}]);
    if let Some(c) = t.custom {
        let name = custom_name(t);
        let mut s = if c.schema.is_object() {
            c.schema.clone()
        } else {
            json!({"type": "object"})
        };
        s["x-kubernetes-group-version-kind"] = gvk;
        schemas.insert(name.clone(), s);
        return name;
    }
    let Some(name) = BUILTIN.name_of(t.group, t.kind) else {
        schemas.insert(
            t.kind.to_string(),
            json!({"type": "object", "x-kubernetes-group-version-kind": gvk}),
        );
        return t.kind.to_string();
    };
    let name = name.to_string();
    let mut todo = vec![name.clone()];
    let mut seen = BTreeSet::new();
    while let Some(n) = todo.pop() {
        if !seen.insert(n.clone()) {
            continue;
        }
        let Some(s) = BUILTIN.defs.get(&n) else {
            continue;
        };
        refs(s, &mut todo);
        let mut s = s.clone();
        if n == name {
            s["x-kubernetes-group-version-kind"] = gvk.clone();
        }
        schemas.insert(n, s);
    }
    name
}

/// The schema names a schema refers to.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if let Some(r) = o.get("$ref").and_then(Value::as_str)
                && let Some(n) = r.strip_prefix("#/components/schemas/")
            {
                out.push(n.to_string());
            }
            o.values().for_each(|c| refs(c, out));
        }
        Value::Array(a) => a.iter().for_each(|c| refs(c, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_and_documents() {
        let crds = Default::default();
        let types = Catalog { crds: &crds };
        let r = root(types, "/aksemu/clusters/x");
        let url = r["paths"]["apis/apps/v1"]["serverRelativeURL"]
            .as_str()
            .unwrap();
        assert!(url.starts_with("/aksemu/clusters/x/openapi/v3/apis/apps/v1?hash="));
        let d = document(types, "apis/apps/v1").unwrap();
        let op = &d["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
        assert_eq!(op["x-kubernetes-group-version-kind"]["kind"], "Deployment");
        assert!(
            op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "fieldValidation")
        );
        assert!(document(types, "apis/nope/v1").is_none());
        let spec = &d["components"]["schemas"]["io.k8s.api.apps.v1.DeploymentSpec"];
        assert_eq!(spec["properties"]["replicas"]["type"], "integer");
    }
}
