//! `metadata.managedFields`: which manager set which fields, recorded on every
//! write as kube-apiserver does (FieldsV1: `f:<field>` for map keys,
//! `k:{<merge key>}` for keyed list items, `.` for the item itself).
//! Ownership conflicts of server-side apply are not decided here.

use serde_json::{Map, Value, json};

use crate::patch::strategic::merge_key;

/// Fields the server owns: never recorded.
const SKIP_META: &[&str] = &[
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "name",
    "namespace",
    "selfLink",
];

fn walk(kind: &str, v: &Value, path: &mut Vec<String>) -> Value {
    match v {
        Value::Object(o) => {
            let mut out = Map::new();
            for (k, child) in o {
                if path.len() == 1 && path[0] == "metadata" && SKIP_META.contains(&k.as_str()) {
                    continue;
                }
                if path.is_empty() && matches!(k.as_str(), "apiVersion" | "kind" | "status") {
                    continue;
                }
                path.push(k.clone());
                out.insert(format!("f:{k}"), walk(kind, child, path));
                path.pop();
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let refs: Vec<&str> = path.iter().map(String::as_str).collect();
            let Some(key) = merge_key(kind, &refs) else {
                return json!({});
            };
            let mut out = Map::new();
            for item in items {
                let Some(k) = item.get(key) else { continue };
                let mut fields = walk(kind, item, path);
                if let Some(f) = fields.as_object_mut() {
                    f.insert(".".into(), json!({}));
                }
                out.insert(format!("k:{}", json!({ key: k })), fields);
            }
            Value::Object(out)
        }
        _ => json!({}),
    }
}

/// The FieldsV1 set of an object.
pub fn fields_of(kind: &str, obj: &Value) -> Value {
    walk(kind, obj, &mut Vec::new())
}

/// Records that `manager` wrote `fields_from` (with `operation` Update or
/// Apply) on `obj`, replacing that manager's earlier entry for the same operation.
pub fn record(
    obj: &mut Value,
    manager: &str,
    operation: &str,
    fields_from: &Value,
    now: &str,
    subresource: Option<&str>,
) {
    let kind = obj["kind"].as_str().unwrap_or_default().to_string();
    let api_version = obj["apiVersion"].clone();
    let mut entry = json!({
        "manager": manager,
        "operation": operation,
        "apiVersion": api_version,
        "time": now,
        "fieldsType": "FieldsV1",
        "fieldsV1": fields_of(&kind, fields_from),
    });
    if let Some(s) = subresource {
        entry["subresource"] = json!(s);
    }
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let list = meta.entry("managedFields").or_insert_with(|| json!([]));
    if !list.is_array() {
        *list = json!([]);
    }
    if let Some(items) = list.as_array_mut() {
        items.retain(|e| {
            !(e["manager"] == manager
                && e["operation"] == operation
                && e.get("subresource").and_then(Value::as_str) == subresource)
        });
        items.push(entry);
    }
}

/// The field manager of a request: `fieldManager`, else derived from the
/// User-Agent-less default kube-apiserver uses.
pub fn manager(param: Option<&str>, fallback: &str) -> String {
    param
        .filter(|m| !m.is_empty())
        .unwrap_or(fallback)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_of_a_deployment() {
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "uid": "u", "labels": {"app": "web"}},
            "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "web", "image": "nginx"}]}}},
            "status": {"replicas": 2}});
        let f = fields_of("Deployment", &d);
        assert_eq!(f["f:metadata"], json!({"f:labels": {"f:app": {}}}));
        let c = &f["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"web\"}"];
        assert_eq!(c["f:image"], json!({}));
        assert_eq!(c["."], json!({}));
        assert!(f.get("f:status").is_none());
        let mut o = d.clone();
        record(&mut o, "kubectl", "Update", &d, "t", None);
        record(&mut o, "kubectl", "Update", &d, "t2", None);
        assert_eq!(o["metadata"]["managedFields"].as_array().unwrap().len(), 1);
    }
}
