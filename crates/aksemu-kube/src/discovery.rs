//! Discovery documents, generated from the type table: aggregated discovery
//! (`apidiscovery.k8s.io` v2 and v2beta1, chosen by the Accept header, with the
//! exact content type kubectl switches on) and the legacy documents (`/api`,
//! `/apis`, `/api/v1`, `/apis/<g>/<v>`), which `auth can-i` always reads.

use serde_json::{Value, json};

use crate::crd::Catalog;
use crate::resources::ResourceType;

/// The aggregated-discovery version the Accept header asks for, if any.
pub fn aggregated_version(accept: Option<&str>) -> Option<&'static str> {
    let accept = accept?;
    for part in accept.split(',') {
        if !part.contains("g=apidiscovery.k8s.io") || !part.contains("as=APIGroupDiscoveryList") {
            continue;
        }
        if part.contains("v=v2beta1") {
            return Some("v2beta1");
        }
        if part.contains("v=v2") {
            return Some("v2");
        }
    }
    None
}

/// The content type of an aggregated answer.
pub fn aggregated_content_type(version: &str) -> String {
    format!("application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList")
}

fn scope(t: &ResourceType) -> &'static str {
    if t.namespaced {
        "Namespaced"
    } else {
        "Cluster"
    }
}

fn aggregated_resource(t: &ResourceType) -> Value {
    let mut r = json!({
        "resource": t.plural,
        "responseKind": {"group": t.group, "version": t.version, "kind": t.kind},
        "scope": scope(t),
        "singularResource": t.singular,
        "verbs": t.verbs,
    });
    if !t.short_names.is_empty() {
        r["shortNames"] = json!(t.short_names);
    }
    if !t.categories.is_empty() {
        r["categories"] = json!(t.categories);
    }
    if !t.subresources.is_empty() {
        r["subresources"] = t
            .subresources
            .iter()
            .map(|s| {
                json!({"subresource": s.name,
                       "responseKind": {"group": s.kind.0, "version": s.kind.1, "kind": s.kind.2},
                       "verbs": s.verbs})
            })
            .collect();
    }
    r
}

fn aggregated_group(types: Catalog<'_>, group: &str) -> Value {
    let versions: Vec<Value> = types
        .versions(group)
        .into_iter()
        .map(|v| {
            let resources: Vec<Value> = types
                .all()
                .filter(|t| t.group == group && t.version == v)
                .map(aggregated_resource)
                .collect();
            json!({"version": v, "resources": resources, "freshness": "Current"})
        })
        .collect();
    json!({"metadata": {"name": group, "creationTimestamp": null}, "versions": versions})
}

/// `/api` (`legacy`) or `/apis` as an `APIGroupDiscoveryList`.
pub fn aggregated(types: Catalog<'_>, legacy: bool, version: &str) -> Value {
    let items: Vec<Value> = types
        .groups()
        .into_iter()
        .filter(|g| g.is_empty() == legacy)
        .map(|g| aggregated_group(types, g))
        .collect();
    json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": format!("apidiscovery.k8s.io/{version}"),
        "metadata": {},
        "items": items,
    })
}

/// Legacy `/api`.
pub fn api_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

fn group_entry(types: Catalog<'_>, group: &str) -> Value {
    let vs: Vec<Value> = types
        .versions(group)
        .into_iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    let preferred = vs.first().cloned().unwrap_or(Value::Null);
    json!({"name": group, "versions": vs, "preferredVersion": preferred})
}

/// Legacy `/apis`.
pub fn api_group_list(types: Catalog<'_>) -> Value {
    let groups: Vec<Value> = types
        .groups()
        .into_iter()
        .filter(|g| !g.is_empty())
        .map(|g| group_entry(types, g))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// Legacy `/apis/<group>`, if the group is served.
pub fn api_group(types: Catalog<'_>, group: &str) -> Option<Value> {
    if group.is_empty() || types.versions(group).is_empty() {
        return None;
    }
    let mut g = group_entry(types, group);
    g["kind"] = json!("APIGroup");
    g["apiVersion"] = json!("v1");
    Some(g)
}

/// Legacy `/api/v1` or `/apis/<group>/<version>`, if served.
pub fn resource_list(catalog: Catalog<'_>, group: &str, version: &str) -> Option<Value> {
    let types: Vec<&ResourceType> = catalog
        .all()
        .filter(|t| t.group == group && t.version == version)
        .collect();
    if types.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for t in types {
        let mut r = json!({
            "name": t.plural, "singularName": t.singular, "namespaced": t.namespaced,
            "kind": t.kind, "verbs": t.verbs,
        });
        if !t.short_names.is_empty() {
            r["shortNames"] = json!(t.short_names);
        }
        if !t.categories.is_empty() {
            r["categories"] = json!(t.categories);
        }
        resources.push(r);
        for s in t.subresources {
            let mut sr = json!({"name": format!("{}/{}", t.plural, s.name), "singularName": "",
                                "namespaced": t.namespaced, "kind": s.kind.2, "verbs": s.verbs});
            if s.kind.0 != group || s.kind.1 != version {
                sr["group"] = json!(s.kind.0);
                sr["version"] = json!(s.kind.1);
            }
            resources.push(sr);
        }
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_negotiation() {
        let a =
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
        assert_eq!(aggregated_version(Some(a)), Some("v2"));
        let b = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        assert_eq!(aggregated_version(Some(b)), Some("v2beta1"));
        assert_eq!(aggregated_version(Some("application/json")), None);
    }

    #[test]
    fn documents_carry_the_types() {
        let crds = Default::default();
        let types = Catalog { crds: &crds };
        let core = aggregated(types, true, "v2");
        assert_eq!(core["items"][0]["metadata"]["name"], "");
        let apis = aggregated(types, false, "v2");
        assert!(
            apis["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g["metadata"]["name"] == "apps")
        );
        let v1 = resource_list(types, "", "v1").unwrap();
        assert!(
            v1["resources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["name"] == "pods/status")
        );
        assert!(resource_list(types, "nope", "v1").is_none());
    }
}
