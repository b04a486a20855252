//! Fields a schema does not declare: listed (kube's `unknown field
//! "spec.foo"` for `fieldValidation`) and pruned (custom resources keep only
//! what their schema declares, unless it preserves unknown fields).

use serde_json::Value;

use super::{At, Schema};

/// The paths of the fields `v` has that `s` does not declare.
pub fn unknown_fields(s: Schema<'_>, v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(s, v, &mut At::default(), &mut out);
    out
}

fn walk<'v>(s: Schema<'_>, v: &'v Value, at: &mut At<'v>, out: &mut Vec<String>) {
    // Below a node that keeps unknown fields, its declared fields are still
    // held to their schemas (as kube prunes them).
    if s.open() && !s.has_properties() {
        return;
    }
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                at.field(k);
                match s.property(k) {
                    Some(cs) => walk(cs, child, at, out),
                    None if !s.open() => out.push(at.render()),
                    None => {}
                }
                at.pop();
            }
        }
        Value::Array(items) => {
            if let Some(is) = s.items() {
                for (i, item) in items.iter().enumerate() {
                    at.index(i);
                    walk(is, item, at, out);
                    at.pop();
                }
            }
        }
        _ => {}
    }
}

/// Removes the fields `s` does not declare (a custom resource's pruning).
pub fn prune(s: Schema<'_>, v: &mut Value) {
    if s.open() && !s.has_properties() {
        return;
    }
    match v {
        Value::Object(o) => {
            if !s.open() {
                o.retain(|k, _| s.property(k).is_some());
            }
            for (k, child) in o.iter_mut() {
                if let Some(cs) = s.property(k) {
                    prune(cs, child);
                }
            }
        }
        Value::Array(items) => {
            if let Some(is) = s.items() {
                for item in items {
                    prune(is, item);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_and_pruned() {
        let schema = json!({"type": "object", "properties": {
            "metadata": {"type": "object"},
            "spec": {"type": "object", "properties": {
                "size": {"type": "integer"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "items": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "string"}}}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                         "properties": {"db": {"type": "object", "properties": {"host": {"type": "string"}}}}}}}}});
        let mut obj = json!({"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "a", "labels": {"k": "v"}},
            "spec": {"size": 1, "colour": "red", "labels": {"a": "b"}, "items": [{"n": "x", "m": 1}],
                     "free": {"any": {"thing": 1}, "db": {"host": "h", "port": 1}}},
            "extra": true});
        let s = Schema::inline(&schema);
        assert_eq!(
            unknown_fields(s, &obj),
            [
                "extra",
                "spec.colour",
                "spec.free.db.port",
                "spec.items[0].m"
            ]
        );
        assert_eq!(
            crate::schema::inspect(s, &obj, false).1,
            unknown_fields(s, &obj)
        );
        prune(s, &mut obj);
        assert_eq!(obj["metadata"]["name"], "a");
        assert!(obj.get("extra").is_none() && obj["spec"].get("colour").is_none());
        assert_eq!(obj["spec"]["items"], json!([{"n": "x"}]));
        assert_eq!(obj["spec"]["free"]["any"]["thing"], 1);
        assert_eq!(obj["spec"]["free"]["db"], json!({"host": "h"}));
    }
}
