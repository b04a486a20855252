//! A CRD object → its resource types, one per served version, interned: the
//! same definition always yields the same `&'static` type, so memory grows
//! only with distinct definitions, not with reads or re-applies.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use serde_json::{Value, json};

use super::Custom;
use crate::resources::{GPU, RW, ResourceType, Storage, Sub};

static INTERNED: LazyLock<Mutex<HashMap<String, &'static ResourceType>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// How many distinct CRD version definitions one process keeps (each one's
/// types live as long as the process).
pub const MAX_DEFINITIONS: usize = 10_000;

/// Whether another distinct definition may still be built.
pub fn has_room() -> bool {
    INTERNED.lock().unwrap_or_else(|p| p.into_inner()).len() < MAX_DEFINITIONS
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

fn leak_list(v: &Value) -> &'static [&'static str] {
    let items: Vec<&'static str> = v
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(leak)
        .collect();
    Box::leak(items.into_boxed_slice())
}

/// Whether the CRD's names were accepted and it serves.
fn established(crd: &Value) -> bool {
    crd["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Established" && c["status"] == "True")
}

/// The served versions' types of one CRD.
pub fn types_of(crd: &Value) -> Vec<&'static ResourceType> {
    if !established(crd) || crd["metadata"].get("deletionTimestamp").is_some() {
        return Vec::new();
    }
    let spec = &crd["spec"];
    let storage = spec["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["storage"] == true)
        .and_then(|v| v["name"].as_str())
        .unwrap_or_default();
    spec["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["served"] == true)
        .map(|v| intern(crd, v, storage))
        .collect()
}

fn intern(crd: &Value, version: &Value, storage: &str) -> &'static ResourceType {
    let spec = &crd["spec"];
    let id = json!([
        crd["metadata"]["name"],
        spec["group"],
        spec["names"],
        spec["scope"],
        version,
        storage
    ])
    .to_string();
    let mut map = INTERNED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(t) = map.get(&id) {
        return t;
    }
    let t: &'static ResourceType = Box::leak(Box::new(make(crd, version, storage)));
    map.insert(id, t);
    t
}

fn subresources(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    v: &Value,
) -> &'static [Sub] {
    let mut subs = Vec::new();
    if v["subresources"].get("status").is_some() {
        subs.push(Sub {
            name: "status",
            kind: (group, version, kind),
            verbs: GPU,
        });
    }
    if v["subresources"].get("scale").is_some() {
        subs.push(Sub {
            name: "scale",
            kind: ("autoscaling", "v1", "Scale"),
            verbs: GPU,
        });
    }
    Box::leak(subs.into_boxed_slice())
}

fn make(crd: &Value, v: &Value, storage: &str) -> ResourceType {
    let spec = &crd["spec"];
    let names = &spec["names"];
    let group = leak(spec["group"].as_str().unwrap_or_default());
    let version = leak(v["name"].as_str().unwrap_or_default());
    let kind = leak(names["kind"].as_str().unwrap_or_default());
    let singular = names["singular"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| kind.to_ascii_lowercase());
    let custom = Custom {
        crd: crd["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        storage_version: storage.to_string(),
        schema: v["schema"]["openAPIV3Schema"].clone(),
        columns: v["additionalPrinterColumns"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
        scale: v["subresources"].get("scale").cloned(),
        status: v["subresources"].get("status").is_some(),
    };
    ResourceType {
        group,
        version,
        kind,
        plural: leak(names["plural"].as_str().unwrap_or_default()),
        singular: leak(&singular),
        short_names: leak_list(&names["shortNames"]),
        categories: leak_list(&names["categories"]),
        namespaced: spec["scope"] != "Cluster",
        verbs: RW,
        subresources: subresources(group, version, kind, v),
        storage: Storage::Stored,
        custom: Some(Box::leak(Box::new(custom))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_versions_become_types_once() {
        let crd = json!({"metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wd"], "categories": ["all"]},
                "versions": [
                    {"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
                     "schema": {"openAPIV3Schema": {"type": "object"}}},
                    {"name": "v1beta1", "served": false, "storage": false}]},
            "status": {"conditions": [{"type": "Established", "status": "True"}]}});
        let t = types_of(&crd);
        assert_eq!(t.len(), 1);
        assert_eq!(
            (t[0].kind, t[0].singular, t[0].short_names),
            ("Widget", "widget", &["wd"][..])
        );
        assert!(t[0].sub("status").is_some() && t[0].sub("scale").is_none());
        assert!(std::ptr::eq(t[0], types_of(&crd)[0]));
    }
}
