//! How server-side apply merges a configuration into a custom resource:
//! by its schema, as structured-merge-diff does. Maps merge field by field;
//! lists are atomic (replaced) unless `x-kubernetes-list-type` says `map`
//! (items merged by their `x-kubernetes-list-map-keys`) or `set` (union).

use serde_json::Value;

use crate::schema::Schema;

fn key_of(item: &Value, keys: &[&str]) -> Vec<Value> {
    keys.iter()
        .map(|k| item.get(*k).cloned().unwrap_or(Value::Null))
        .collect()
}

fn merge_list(s: Option<Schema<'_>>, live: &[Value], config: &[Value]) -> Vec<Value> {
    let node = s.map(|s| s.node);
    let list_type = node.and_then(|n| n["x-kubernetes-list-type"].as_str());
    match list_type {
        Some("map") => {
            let keys: Vec<&str> = node
                .and_then(|n| n["x-kubernetes-list-map-keys"].as_array())
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let items = s.and_then(Schema::items);
            let text = |v: &Value| Value::Array(key_of(v, &keys)).to_string();
            let by_key: std::collections::HashMap<String, &Value> =
                live.iter().map(|l| (text(l), l)).collect();
            let applied: std::collections::HashSet<String> = config.iter().map(text).collect();
            let mut out: Vec<Value> = config
                .iter()
                .map(|c| match by_key.get(&text(c)) {
                    Some(l) => merge(items, l, c),
                    None => c.clone(),
                })
                .collect();
            out.extend(live.iter().filter(|l| !applied.contains(&text(l))).cloned());
            out
        }
        Some("set") => {
            let have: std::collections::HashSet<String> =
                live.iter().map(Value::to_string).collect();
            let mut out = live.to_vec();
            out.extend(
                config
                    .iter()
                    .filter(|c| !have.contains(&c.to_string()))
                    .cloned(),
            );
            out
        }
        _ => config.to_vec(),
    }
}

/// `config` merged into `live` under schema `s` (unknown shape: replaced).
pub fn merge(s: Option<Schema<'_>>, live: &Value, config: &Value) -> Value {
    match (live, config) {
        (Value::Object(l), Value::Object(c)) => {
            let mut out = l.clone();
            for (k, cv) in c {
                let child = s.and_then(|s| s.property(k));
                let merged = match l.get(k) {
                    Some(lv) => merge(child, lv, cv),
                    None => cv.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (Value::Array(l), Value::Array(c)) => Value::Array(merge_list(s, l, c)),
        _ => config.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_types() {
        let schema = json!({"type": "object", "properties": {"status": {"type": "object", "properties": {
            "conditions": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"],
                           "items": {"type": "object"}},
            "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "args": {"type": "array", "items": {"type": "string"}}}}}});
        let live = json!({"status": {"conditions": [{"type": "A", "status": "True"}, {"type": "B", "status": "False"}],
            "tags": ["x"], "args": ["1", "2"], "kept": 1}});
        let config = json!({"status": {"conditions": [{"type": "B", "status": "True"}], "tags": ["y"], "args": ["3"]}});
        let m = merge(Some(Schema::inline(&schema)), &live, &config);
        assert_eq!(
            m["status"]["conditions"],
            json!([{"type": "B", "status": "True"}, {"type": "A", "status": "True"}])
        );
        assert_eq!(m["status"]["tags"], json!(["x", "y"]));
        assert_eq!(m["status"]["args"], json!(["3"]));
        assert_eq!(m["status"]["kept"], 1);
    }
}
