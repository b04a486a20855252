//! Tables of custom resources: `Name`, then the CRD version's
//! `additionalPrinterColumns` (or `Age` when it lists none), each cell the
//! first value of the column's JSONPath, typed as the column says.

use serde_json::{Value, json};

use super::{age, jsonpath};
use crate::crd::Custom;

fn age_column() -> Value {
    json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"})
}

fn columns(c: &Custom) -> Vec<Value> {
    if c.columns.is_empty() {
        vec![age_column()]
    } else {
        c.columns.clone()
    }
}

pub fn column_defs(c: &Custom) -> Value {
    let mut defs = vec![json!({"name": "Name", "type": "string", "format": "name",
        "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        "priority": 0})];
    for col in columns(c) {
        defs.push(json!({
            "name": col["name"], "type": col["type"],
            "format": col["format"].as_str().unwrap_or_default(),
            "description": col["description"].as_str().unwrap_or_default(),
            "priority": col["priority"].as_i64().unwrap_or(0),
        }));
    }
    Value::Array(defs)
}

/// A cell as kube-apiserver's table convertor types it (dates as ages).
fn cell(kind: &str, v: &Value, now: time::OffsetDateTime) -> Value {
    match (kind, v) {
        ("date", Value::String(_)) => match age::parse_time(Some(v)) {
            Some(t) => json!(age::since(Some(t), now)),
            None => Value::Null,
        },
        ("string", Value::String(_)) => v.clone(),
        ("string", other) => json!(other.to_string()),
        ("integer", _) => v.as_i64().map_or(Value::Null, |i| json!(i)),
        ("number", _) => v.as_f64().map_or(Value::Null, |f| json!(f)),
        ("boolean", _) => v.as_bool().map_or(Value::Null, |b| json!(b)),
        _ => v.clone(),
    }
}

pub fn cells(c: &Custom, obj: &Value, now: time::OffsetDateTime) -> Vec<Value> {
    let mut out = vec![obj["metadata"]["name"].clone()];
    for col in columns(c) {
        let path = col["jsonPath"].as_str().unwrap_or_default();
        let kind = col["type"].as_str().unwrap_or("string");
        out.push(jsonpath::first(obj, path).map_or(Value::Null, |v| cell(kind, v, now)));
    }
    out
}
