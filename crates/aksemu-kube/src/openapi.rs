//! OpenAPI v3, as much as kubectl needs: a root listing one document per
//! group-version (full prefixed `serverRelativeURL`s with a `?hash=`), and per
//! document a `patch` operation per kind carrying the GVK extension and the
//! `fieldValidation` parameter, which is how kubectl decides to let the server
//! validate (`fieldValidation=Strict`) instead of downloading schemas.

use serde_json::{Map, Value, json};

use crate::resources::{TYPES, groups, versions};

/// The document path of a group-version: `api/v1` or `apis/apps/v1`.
fn doc_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// A stable hash of what the server serves (changes only with the binary).
fn hash() -> String {
    let d = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        concat!("aksemu-openapi-", env!("CARGO_PKG_VERSION")).as_bytes(),
    );
    d.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// `/openapi/v3`. `prefix`: the cluster's path prefix (`/aksemu/clusters/<uid>`).
pub fn root(prefix: &str) -> Value {
    let h = hash();
    let mut paths = Map::new();
    for g in groups() {
        for v in versions(g) {
            let p = doc_path(g, v);
            paths.insert(
                p.clone(),
                json!({"serverRelativeURL": format!("{prefix}/openapi/v3/{p}?hash={h}")}),
            );
        }
    }
    json!({ "paths": paths })
}

fn patch_operation(group: &str, version: &str, kind: &str) -> Value {
    let body = json!({"schema": {"type": "object"}});
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
pub fn document(path: &str) -> Option<Value> {
    let (group, version) = match path.split('/').collect::<Vec<_>>().as_slice() {
        ["api", v] => ("", *v),
        ["apis", g, v] => (*g, *v),
        _ => return None,
    };
    let mut paths = Map::new();
    for t in TYPES
        .iter()
        .filter(|t| t.group == group && t.version == version)
    {
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
            json!({"patch": patch_operation(group, version, t.kind)}),
        );
    }
    if paths.is_empty() {
        return None;
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "aksemu"},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_and_documents() {
        let r = root("/aksemu/clusters/x");
        let url = r["paths"]["apis/apps/v1"]["serverRelativeURL"]
            .as_str()
            .unwrap();
        assert!(url.starts_with("/aksemu/clusters/x/openapi/v3/apis/apps/v1?hash="));
        let d = document("apis/apps/v1").unwrap();
        let op = &d["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
        assert_eq!(op["x-kubernetes-group-version-kind"]["kind"], "Deployment");
        assert!(
            op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "fieldValidation")
        );
        assert!(document("apis/nope/v1").is_none());
    }
}
