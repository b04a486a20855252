//! Structural defaulting of custom resources: a field its schema gives a
//! `default` is set when absent (and nulls of non-nullable fields are
//! dropped first, as kube-apiserver does before defaulting).

use serde_json::Value;

use super::Schema;

pub fn apply_defaults(s: Schema<'_>, v: &mut Value) {
    match v {
        Value::Object(o) => {
            o.retain(|k, child| {
                !child.is_null() || s.property(k).is_none_or(|cs| cs.node["nullable"] == true)
            });
            if let Some(props) = s.node["properties"].as_object() {
                for (k, p) in props {
                    if !o.contains_key(k)
                        && let Some(d) = p.get("default")
                    {
                        o.insert(k.clone(), d.clone());
                    }
                }
            }
            for (k, child) in o.iter_mut() {
                if let Some(cs) = s.property(k) {
                    apply_defaults(cs, child);
                }
            }
        }
        Value::Array(items) => {
            if let Some(is) = s.items() {
                for item in items {
                    apply_defaults(is, item);
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
    fn defaults_fill_what_is_missing() {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
            "size": {"type": "integer", "default": 3},
            "tier": {"type": "string"},
            "nested": {"type": "object", "default": {}, "properties": {"on": {"type": "boolean", "default": true}}}}}}});
        let mut obj = json!({"spec": {"tier": null}});
        apply_defaults(Schema::inline(&schema), &mut obj);
        assert_eq!(obj["spec"], json!({"size": 3, "nested": {"on": true}}));
    }
}
