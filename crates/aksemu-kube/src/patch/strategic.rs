//! Strategic merge patch (`application/strategic-merge-patch+json`) as kube-apiserver applies it.
//!
//! Follows k8s.io/apimachinery/pkg/util/strategicpatch `StrategicMergeMapPatch` (the server
//! side: parallel lists are merged, unmatched nulls ignored), including its list ordering: a
//! merged list keeps the patch's order for patched items and interleaves server-only items by
//! their old position, so items new to the list come first unless `$setElementOrder` says
//! otherwise. Deliberate differences, all because we have no typed decode afterwards to drop
//! unknown fields or fill zero values:
//! - a patch value for a field absent from the original is merged into an empty value instead
//!   of being copied verbatim, so nested directives and nulls never reach the result;
//! - `$patch: delete` on a map removes the field (Go leaves `{}`, a zero struct);
//! - `$patch: merge` is accepted as the no-op default (Go rejects it);
//! - `$deleteFromPrimitiveList/<f>` only ever removes values, it never creates or replaces `f`.

use serde_json::{Map, Value};

use super::merge_keys::{Strategy, Ty, field, root};
pub use super::merge_keys::{merge_key, merges_primitives};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    #[error("{0}")]
    Invalid(String),
}

type Result<T> = std::result::Result<T, PatchError>;
type Object = Map<String, Value>;

const DIRECTIVE_MARKER: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const SET_ELEMENT_ORDER: &str = "$setElementOrder";
const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList";

const ERR_RETAIN_KEYS: &str = "invalid patch format of retainKeys";
const ERR_SET_ORDER: &str = "invalid patch format of setElementOrder list";
const ERR_PRIMITIVE_LIST: &str = "invalid patch format of primitive list";

/// Applies `patch` (the body of an `application/strategic-merge-patch+json` request) to `original`.
pub fn strategic_merge(
    kind: &str,
    original: &Value,
    patch: &Value,
) -> std::result::Result<Value, PatchError> {
    let Value::Object(original) = original else {
        return Err(invalid("the object to patch is not a JSON object"));
    };
    let Value::Object(patch) = patch else {
        return Err(invalid("a strategic merge patch must be a JSON object"));
    };
    let merged = merge_map(original.clone(), patch.clone(), Some(root(kind)))?;
    // A top-level `$patch: delete` empties the object, as it does in Go.
    Ok(Value::Object(merged.unwrap_or_default()))
}

/// Merges `patch` into `original` (a value of type `ty`); `None` means `$patch: delete`.
fn merge_map(mut original: Object, mut patch: Object, ty: Option<Ty>) -> Result<Option<Object>> {
    if let Some(directive) = patch.remove(DIRECTIVE_MARKER) {
        match directive.as_str() {
            Some("delete") => return Ok(None),
            // Replace wholesale, but still resolve the directives and nulls inside the new value.
            Some("replace") => original = Object::new(),
            Some("merge") => {}
            _ => return Err(bad_patch_type(&directive, &patch)),
        }
    }
    let directives = Directives::take_from(&mut patch)?;
    if let Some(keys) = &directives.retain_keys {
        retain_keys(&mut original, &patch, keys)?;
    }
    let orders = prepare_orders(directives.set_order, &original, &patch, ty)?;
    for (key, value) in patch {
        merge_field(&mut original, key, value, ty)?;
    }
    for (key, values) in &directives.delete_from {
        delete_from_list(&mut original, key, values);
    }
    for order in orders {
        order.apply(&mut original);
    }
    Ok(Some(original))
}

/// Merges one patch field into `original`, keeping its position in the map.
fn merge_field(original: &mut Object, key: String, value: Value, ty: Option<Ty>) -> Result<()> {
    // Server side ignores unmatched nulls: null only ever deletes, it is never stored.
    if value.is_null() {
        remove_in_place(original, &key);
        return Ok(());
    }
    let (child, strategy) = field(ty, &key);
    match original.get_mut(&key) {
        Some(slot) => {
            let current = std::mem::take(slot);
            match merge_value(Some(current), value, child, strategy)? {
                Some(merged) => *slot = merged,
                None => {
                    remove_in_place(original, &key);
                }
            }
        }
        None => {
            if let Some(merged) = merge_value(None, value, child, strategy)? {
                original.insert(key, merged);
            }
        }
    }
    Ok(())
}

/// Merges a patch value into the current value of a field (`None` = absent); `None` = delete.
fn merge_value(
    current: Option<Value>,
    patch: Value,
    ty: Option<Ty>,
    strategy: Option<Strategy>,
) -> Result<Option<Value>> {
    match patch {
        Value::Null => Ok(None),
        Value::Object(patch) => {
            // A type change (or a `replace` struct) replaces: merge into nothing.
            let base = match current {
                Some(Value::Object(map)) if strategy != Some(Strategy::ReplaceMap) => map,
                _ => Object::new(),
            };
            Ok(merge_map(base, patch, ty)?.map(Value::Object))
        }
        Value::Array(patch) => {
            let base = match current {
                Some(Value::Array(list)) => list,
                _ => Vec::new(),
            };
            merge_list(base, patch, ty, strategy).map(|list| Some(Value::Array(list)))
        }
        scalar => Ok(Some(scalar)),
    }
}

fn merge_list(
    original: Vec<Value>,
    patch: Vec<Value>,
    ty: Option<Ty>,
    strategy: Option<Strategy>,
) -> Result<Vec<Value>> {
    match strategy {
        Some(Strategy::MergeByKey(key)) => merge_keyed_list(original, patch, ty, key),
        Some(Strategy::MergePrimitives) => merge_primitive_list(original, patch),
        _ => replace_list(patch, ty),
    }
}

/// A list without merge strategy is replaced by the patch's list, cleaned of directives.
fn replace_list(patch: Vec<Value>, ty: Option<Ty>) -> Result<Vec<Value>> {
    let mut out = Vec::with_capacity(patch.len());
    for element in patch {
        match element {
            Value::Object(map) => {
                // `{"$patch": "replace"}` is redundant here: the list is replaced anyway.
                let bare_marker = map.len() == 1
                    && matches!(
                        map.get(DIRECTIVE_MARKER).and_then(Value::as_str),
                        Some("replace" | "merge")
                    );
                if !bare_marker && let Some(map) = merge_map(Object::new(), map, ty)? {
                    out.push(Value::Object(map));
                }
            }
            // Lists of lists carry no patch metadata for their inner elements.
            Value::Array(inner) => out.push(Value::Array(replace_list(inner, None)?)),
            other => out.push(other),
        }
    }
    Ok(out)
}

/// `patchStrategy: merge` without a key: an ordered set union (e.g. finalizers).
fn merge_primitive_list(original: Vec<Value>, patch: Vec<Value>) -> Result<Vec<Value>> {
    if let Some(bad) = original
        .iter()
        .chain(&patch)
        .find(|v| v.is_object() || v.is_array())
    {
        return Err(invalid(format!(
            "cannot merge lists without merge key: element {bad} is not a primitive"
        )));
    }
    let server = original.clone();
    let mut merged: Vec<Value> = Vec::with_capacity(original.len() + patch.len());
    for value in original.into_iter().chain(patch.iter().cloned()) {
        if !merged.iter().any(|m| same(m, &value)) {
            merged.push(value);
        }
    }
    Ok(normalize_order(merged, &patch, &server, None))
}

/// `patchStrategy: merge` with `patchMergeKey`: element-wise merge by the key's value.
fn merge_keyed_list(
    original: Vec<Value>,
    patch: Vec<Value>,
    ty: Option<Ty>,
    key: &'static str,
) -> Result<Vec<Value>> {
    if let Some(bad) = original.iter().find(|v| !v.is_object()) {
        return Err(not_an_object(bad, key));
    }
    let (server, regular) = apply_special_elements(original, patch, key)?;
    let server_ids = ids(&server, Some(key));
    let patch_ids: Vec<Value> = regular.iter().filter_map(|m| m.get(key).cloned()).collect();
    let merged = merge_elements(server, regular, ty, key)?;
    Ok(normalize_order(merged, &patch_ids, &server_ids, Some(key)))
}

/// Applies the `$patch` elements of a keyed patch list: deletions are applied to the original,
/// `replace` discards it. Returns the remaining original and the regular patch elements.
fn apply_special_elements(
    original: Vec<Value>,
    patch: Vec<Value>,
    key: &'static str,
) -> Result<(Vec<Value>, Vec<Object>)> {
    let mut server = original;
    let mut regular = Vec::with_capacity(patch.len());
    let mut replace = false;
    for element in patch {
        let Value::Object(mut map) = element else {
            return Err(not_an_object(&element, key));
        };
        let Some(directive) = map.get(DIRECTIVE_MARKER).cloned() else {
            regular.push(map);
            continue;
        };
        match directive.as_str() {
            Some("delete") => {
                let id = map.get(key).ok_or_else(|| no_merge_key(&map, key))?;
                server.retain(|e| !key_matches(e, key, id));
            }
            // Keep going so that every other `$patch` element is still validated and pruned.
            Some("replace") => replace = true,
            Some("merge") => {
                map.remove(DIRECTIVE_MARKER);
                if !map.is_empty() {
                    regular.push(map);
                }
            }
            _ => return Err(bad_patch_type(&directive, &map)),
        }
    }
    if replace {
        server.clear();
    }
    Ok((server, regular))
}

/// Merges each patch element into the first original element with the same key, or appends it.
fn merge_elements(
    mut server: Vec<Value>,
    regular: Vec<Object>,
    ty: Option<Ty>,
    key: &'static str,
) -> Result<Vec<Value>> {
    for element in regular {
        let id = element
            .get(key)
            .cloned()
            .ok_or_else(|| no_merge_key(&element, key))?;
        if let Some(slot) = server.iter_mut().find(|e| key_matches(e, key, &id)) {
            let base = match std::mem::take(slot) {
                Value::Object(map) => map,
                _ => Object::new(),
            };
            *slot = Value::Object(merge_map(base, element, ty)?.unwrap_or_default());
        } else if let Some(map) = merge_map(Object::new(), element, ty)? {
            server.push(Value::Object(map));
        }
    }
    Ok(server)
}

/// `$retainKeys`: the patch may only set listed fields, and unlisted original fields are cleared.
fn retain_keys(original: &mut Object, patch: &Object, keys: &[Value]) -> Result<()> {
    let listed = |k: &str| keys.iter().any(|v| v.as_str() == Some(k));
    if let Some((k, _)) = patch.iter().find(|(k, v)| !v.is_null() && !listed(k)) {
        return Err(invalid(format!(
            "{ERR_RETAIN_KEYS}: field {k:?} is set but not listed in {RETAIN_KEYS}"
        )));
    }
    original.retain(|k, _| listed(k));
    Ok(())
}

/// `$deleteFromPrimitiveList/<field>`: removes those values; never creates the list.
fn delete_from_list(original: &mut Object, field: &str, values: &[Value]) {
    if let Some(Value::Array(list)) = original.get_mut(field) {
        list.retain(|e| !values.iter().any(|v| same(e, v)));
    }
}

/// The parallel directives of one patch map, removed from it before merging.
#[derive(Default)]
struct Directives {
    retain_keys: Option<Vec<Value>>,
    set_order: Vec<(String, Vec<Value>)>,
    delete_from: Vec<(String, Vec<Value>)>,
}

impl Directives {
    fn take_from(patch: &mut Object) -> Result<Self> {
        let keys: Vec<String> = patch
            .keys()
            .filter(|k| {
                *k == RETAIN_KEYS
                    || k.starts_with(SET_ELEMENT_ORDER)
                    || k.starts_with(DELETE_FROM_PRIMITIVE_LIST)
            })
            .cloned()
            .collect();
        let mut out = Self::default();
        for key in keys {
            let Some(value) = patch.remove(&key) else {
                continue;
            };
            if key == RETAIN_KEYS {
                out.retain_keys = Some(into_list(value, ERR_RETAIN_KEYS)?);
            } else if key.starts_with(SET_ELEMENT_ORDER) {
                let field = parallel_field(&key, SET_ELEMENT_ORDER, ERR_SET_ORDER)?;
                out.set_order
                    .push((field, into_list(value, ERR_SET_ORDER)?));
            } else {
                let field = parallel_field(&key, DELETE_FROM_PRIMITIVE_LIST, ERR_PRIMITIVE_LIST)?;
                out.delete_from
                    .push((field, into_list(value, ERR_PRIMITIVE_LIST)?));
            }
        }
        Ok(out)
    }
}

/// `<prefix>/<field>` → `field`.
fn parallel_field(key: &str, prefix: &str, err: &str) -> Result<String> {
    match key
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('/'))
    {
        Some(field) if !field.is_empty() => Ok(field.to_owned()),
        _ => Err(invalid(format!("{err}: bad directive key {key:?}"))),
    }
}

fn into_list(value: Value, err: &str) -> Result<Vec<Value>> {
    match value {
        Value::Array(list) => Ok(list),
        other => Err(invalid(format!("{err}: expected a list, got {other}"))),
    }
}

/// A validated `$setElementOrder/<field>`, applied once the field has been merged.
struct PendingOrder {
    field: String,
    key: Option<&'static str>,
    /// Identities (merge key values, or the primitives) in the requested order.
    order: Vec<Value>,
    /// Identities in the original list, before the merge.
    server: Vec<Value>,
}

impl PendingOrder {
    fn apply(self, original: &mut Object) {
        if let Some(Value::Array(list)) = original.get_mut(&self.field) {
            let merged = std::mem::take(list);
            *list = normalize_order(merged, &self.order, &self.server, self.key);
        }
    }
}

fn prepare_orders(
    set_order: Vec<(String, Vec<Value>)>,
    original: &Object,
    patch: &Object,
    ty: Option<Ty>,
) -> Result<Vec<PendingOrder>> {
    let mut pending = Vec::with_capacity(set_order.len());
    for (name, order) in set_order {
        let key = match field(ty, &name).1 {
            Some(Strategy::MergeByKey(key)) => Some(key),
            Some(Strategy::MergePrimitives) => None,
            // Only merging lists have an order to set; for others the directive is moot.
            _ => continue,
        };
        let order = order_ids(order, key)?;
        if let Some(Value::Array(list)) = patch.get(&name) {
            validate_order(list, &order, key)?;
        }
        let server = match original.get(&name) {
            Some(Value::Array(list)) => ids(list, key),
            _ => Vec::new(),
        };
        pending.push(PendingOrder {
            field: name,
            key,
            order,
            server,
        });
    }
    Ok(pending)
}

fn order_ids(order: Vec<Value>, key: Option<&str>) -> Result<Vec<Value>> {
    let Some(key) = key else { return Ok(order) };
    order
        .into_iter()
        .map(|item| match item {
            Value::Object(mut map) => map.remove(key).ok_or_else(|| no_merge_key(&map, key)),
            other => Err(invalid(format!(
                "{ERR_SET_ORDER}: {other} is not an object"
            ))),
        })
        .collect()
}

/// The patch list's items must appear in the `$setElementOrder` list, in the same relative order.
fn validate_order(patch_list: &[Value], order: &[Value], key: Option<&str>) -> Result<()> {
    if order.is_empty() {
        return Ok(());
    }
    let mut remaining = order.iter();
    let items = patch_list
        .iter()
        .filter(|e| e.get(DIRECTIVE_MARKER).is_none())
        .filter_map(|e| identity(e, key));
    for item in items {
        if !remaining.any(|o| same(o, item)) {
            return Err(invalid(format!(
                "the order in patch list {} doesn't match {SET_ELEMENT_ORDER} list {}",
                Value::Array(patch_list.to_vec()),
                Value::Array(order.to_vec()),
            )));
        }
    }
    Ok(())
}

/// Go's `normalizeElementOrder`: items named in `patch_order` follow it, the others keep their
/// `server_order`, and the two runs are interleaved so a server-only item stays before a patch
/// item it preceded on the server. Items unknown to the server therefore go first.
fn normalize_order(
    merged: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    key: Option<&str>,
) -> Vec<Value> {
    let (mut from_patch, mut server_only): (Vec<Value>, Vec<Value>) = merged
        .into_iter()
        .partition(|e| position(patch_order, e, key).is_some());
    sort_by_position(&mut from_patch, patch_order, key);
    sort_by_position(&mut server_only, server_order, key);

    let mut out = Vec::with_capacity(from_patch.len() + server_only.len());
    let mut left = server_only.into_iter().peekable();
    let mut right = from_patch.into_iter().peekable();
    while let (Some(l), Some(r)) = (left.peek(), right.peek()) {
        let left_first = matches!(
            (position(server_order, l, key), position(server_order, r, key)),
            (Some(i), Some(j)) if i < j
        );
        out.extend(if left_first {
            left.next()
        } else {
            right.next()
        });
    }
    out.extend(left);
    out.extend(right);
    out
}

/// Stable sort by position in `order`; unknown items keep their relative order at the end.
fn sort_by_position(items: &mut [Value], order: &[Value], key: Option<&str>) {
    items.sort_by_cached_key(|e| position(order, e, key).unwrap_or(usize::MAX));
}

fn position(order: &[Value], element: &Value, key: Option<&str>) -> Option<usize> {
    let id = identity(element, key)?;
    order.iter().position(|o| same(o, id))
}

/// What identifies a list element: its merge key value, or the primitive itself.
fn identity<'a>(element: &'a Value, key: Option<&str>) -> Option<&'a Value> {
    match key {
        Some(key) => element.get(key),
        None => Some(element),
    }
}

fn ids(list: &[Value], key: Option<&str>) -> Vec<Value> {
    list.iter()
        .filter_map(|e| identity(e, key).cloned())
        .collect()
}

fn key_matches(element: &Value, key: &str, id: &Value) -> bool {
    element.get(key).is_some_and(|v| same(v, id))
}

/// JSON equality where `80` and `80.0` are the same number (Go decodes both to float64).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || matches!((x.as_f64(), y.as_f64()), (Some(p), Some(q)) if p == q)
        }
        _ => a == b,
    }
}

/// Removes `key` without disturbing the order of the other fields, should serde_json's
/// `preserve_order` be enabled (its `remove` swaps the last field into the hole).
fn remove_in_place(map: &mut Object, key: &str) {
    map.retain(|k, _| k != key);
}

fn invalid(msg: impl Into<String>) -> PatchError {
    PatchError::Invalid(msg.into())
}

fn to_json(map: &Object) -> String {
    serde_json::to_string(map).unwrap_or_default()
}

fn bad_patch_type(directive: &Value, map: &Object) -> PatchError {
    invalid(format!(
        "unknown patch type: {directive} in map: {}; {DIRECTIVE_MARKER} must be \"merge\", \"replace\" or \"delete\"",
        to_json(map)
    ))
}

fn no_merge_key(map: &Object, key: &str) -> PatchError {
    invalid(format!(
        "map: {} does not contain declared merge key: {key}",
        to_json(map)
    ))
}

fn not_an_object(element: &Value, key: &str) -> PatchError {
    invalid(format!(
        "list element {element} must be an object with merge key {key:?}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn apply(kind: &str, original: Value, patch: Value) -> Value {
        match strategic_merge(kind, &original, &patch) {
            Ok(v) => {
                assert_no_directives(&v);
                v
            }
            Err(e) => panic!("patch failed: {e}"),
        }
    }

    fn apply_err(kind: &str, original: Value, patch: Value) -> String {
        match strategic_merge(kind, &original, &patch) {
            Err(PatchError::Invalid(msg)) => msg,
            Ok(v) => panic!("expected an error, got {v}"),
        }
    }

    fn is_directive(key: &str) -> bool {
        key == DIRECTIVE_MARKER
            || key == RETAIN_KEYS
            || key.starts_with(SET_ELEMENT_ORDER)
            || key.starts_with(DELETE_FROM_PRIMITIVE_LIST)
    }

    fn assert_no_directives(v: &Value) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    assert!(!is_directive(k), "directive {k} leaked into {v}");
                    assert_no_directives(child);
                }
            }
            Value::Array(list) => list.iter().for_each(assert_no_directives),
            _ => {}
        }
    }

    fn deployment(containers: Value) -> Value {
        json!({"metadata": {"name": "d"}, "spec": {"replicas": 1, "template": {
            "metadata": {"labels": {"app": "d"}}, "spec": {"containers": containers}}}})
    }

    fn containers(v: &Value) -> &Value {
        &v["spec"]["template"]["spec"]["containers"]
    }

    fn names(list: &Value) -> Vec<&str> {
        list.as_array()
            .map(|l| l.iter().filter_map(|e| e["name"].as_str()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn service_port_change_from_kubectl_apply() {
        let original = json!({"metadata": {"name": "s"}, "spec": {"selector": {"app": "s"},
            "ports": [{"name": "http", "port": 80, "targetPort": 80, "protocol": "TCP"}]}});
        let patch = json!({"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"x"}},"spec":{"$setElementOrder/ports":[{"port":8080}],"ports":[{"name":"http","port":8080,"targetPort":8080},{"$patch":"delete","port":80}]}});
        let out = apply("Service", original, patch);
        assert_eq!(
            out["spec"]["ports"],
            json!([{"name": "http", "port": 8080, "targetPort": 8080}])
        );
        assert_eq!(
            out["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"],
            "x"
        );
        assert_eq!(out["spec"]["selector"], json!({"app": "s"}));
    }

    #[test]
    fn deployment_replicas_and_env() {
        let original = deployment(
            json!([{"name": "web", "image": "nginx", "env": [{"name": "A", "value": "1"}]}]),
        );
        let patch = json!({"spec":{"replicas":3,"template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],"containers":[{"$setElementOrder/env":[{"name":"A"}],"env":[{"name":"A","value":"2"}],"name":"web"}]}}}});
        let out = apply("Deployment", original, patch);
        assert_eq!(out["spec"]["replicas"], 3);
        assert_eq!(
            containers(&out),
            &json!([{"name": "web", "image": "nginx", "env": [{"name": "A", "value": "2"}]}])
        );
        assert_eq!(out["spec"]["template"]["metadata"]["labels"]["app"], "d");
    }

    #[test]
    fn null_deletes_a_label_and_unmatched_null_is_ignored() {
        let original = json!({"metadata": {"labels": {"a": "1", "b": "2"}}});
        let patch = json!({"metadata": {"labels": {"a": null, "zzz": null}}});
        let out = apply("ConfigMap", original, patch);
        assert_eq!(out["metadata"]["labels"], json!({"b": "2"}));
    }

    #[test]
    fn retain_keys_clears_unlisted_fields() {
        let original = json!({"spec": {"strategy": {"type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}}});
        let patch = json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}});
        let out = apply("Deployment", original, patch);
        assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"}));
    }

    #[test]
    fn retain_keys_in_a_volume_element() {
        let original = json!({"spec": {"volumes": [
            {"name": "cfg", "configMap": {"name": "c"}},
            {"name": "other", "emptyDir": {}}]}});
        let patch = json!({"spec": {"$setElementOrder/volumes": [{"name": "cfg"}, {"name": "other"}],
            "volumes": [{"$retainKeys": ["name", "secret"], "name": "cfg",
                         "secret": {"secretName": "s"}, "configMap": null}]}});
        let out = apply("Pod", original, patch);
        assert_eq!(
            out["spec"]["volumes"],
            json!([{"name": "cfg", "secret": {"secretName": "s"}}, {"name": "other", "emptyDir": {}}])
        );
    }

    #[test]
    fn retain_keys_rejects_unlisted_or_malformed() {
        let original = json!({"spec": {"strategy": {"type": "RollingUpdate"}}});
        let patch = json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {}}}});
        assert!(apply_err("Deployment", original.clone(), patch).contains("retainKeys"));
        let patch = json!({"spec": {"strategy": {"$retainKeys": "type"}}});
        assert!(apply_err("Deployment", original, patch).contains("retainKeys"));
    }

    #[test]
    fn delete_from_primitive_list_finalizers() {
        let original = json!({"metadata": {"finalizers": ["a", "b", "c"]}});
        let patch = json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["b", "zzz"]}});
        let out = apply("Namespace", original, patch);
        assert_eq!(out["metadata"]["finalizers"], json!(["a", "c"]));

        // Never creates the list.
        let out = apply(
            "Pod",
            json!({"metadata": {}}),
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["x"]}}),
        );
        assert_eq!(out, json!({"metadata": {}}));
    }

    #[test]
    fn finalizers_merge_as_an_ordered_set() {
        let original = json!({"metadata": {"finalizers": ["a", "b"]}});
        let patch = json!({"metadata": {"finalizers": ["b", "c"]}});
        // As in Go: patch items keep patch order, new ones go before server-only ones.
        let out = apply("SomeCustomKind", original, patch);
        assert_eq!(out["metadata"]["finalizers"], json!(["a", "b", "c"]));
        let out = apply(
            "Pod",
            json!({"metadata": {"finalizers": ["a"]}}),
            json!({"metadata": {"finalizers": ["x"]}}),
        );
        assert_eq!(out["metadata"]["finalizers"], json!(["x", "a"]));
    }

    #[test]
    fn patch_replace_element_replaces_the_list() {
        let original = deployment(json!([{"name": "a", "image": "x"}, {"name": "b"}]));
        let patch = json!({"spec": {"template": {"spec": {"containers": [
            {"$patch": "replace"}, {"name": "c", "image": "y"}]}}}});
        let out = apply("Deployment", original, patch);
        assert_eq!(containers(&out), &json!([{"name": "c", "image": "y"}]));
    }

    #[test]
    fn patch_replace_and_delete_on_maps() {
        let original = json!({"spec": {"selector": {"matchLabels": {"a": "1", "b": "2"}},
            "template": {"metadata": {"labels": {"a": "1"}, "annotations": {"x": "y"}}}}});
        let patch = json!({"spec": {"selector": {"$patch": "replace", "matchLabels": {"c": "3"}},
            "template": {"metadata": {"annotations": {"$patch": "delete"}}}}});
        let out = apply("Deployment", original, patch);
        assert_eq!(out["spec"]["selector"], json!({"matchLabels": {"c": "3"}}));
        assert_eq!(
            out["spec"]["template"]["metadata"],
            json!({"labels": {"a": "1"}})
        );
    }

    #[test]
    fn patch_merge_is_the_default() {
        let original = json!({"metadata": {"labels": {"a": "1"}}});
        let patch = json!({"metadata": {"labels": {"$patch": "merge", "b": "2"}}});
        let out = apply("Pod", original, patch);
        assert_eq!(out["metadata"]["labels"], json!({"a": "1", "b": "2"}));
    }

    #[test]
    fn replace_strategy_struct_is_replaced() {
        let original =
            json!({"spec": {"selector": {"matchLabels": {"a": "1"}}, "minAvailable": 1}});
        let patch = json!({"spec": {"selector": {"matchExpressions": []}}});
        let out = apply("PodDisruptionBudget", original, patch);
        assert_eq!(out["spec"]["selector"], json!({"matchExpressions": []}));
        assert_eq!(out["spec"]["minAvailable"], 1);
    }

    #[test]
    fn bad_directives_are_rejected() {
        let original = deployment(json!([{"name": "web"}]));
        let msg = apply_err(
            "Deployment",
            original.clone(),
            json!({"spec": {"$patch": "foo"}}),
        );
        assert!(msg.contains("unknown patch type"), "{msg}");
        let msg = apply_err("Pod", json!({}), json!({"metadata": {"$patch": 1}}));
        assert!(msg.contains("unknown patch type"), "{msg}");
        let msg = apply_err(
            "Deployment",
            original.clone(),
            json!({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}}),
        );
        assert!(
            msg.contains("does not contain declared merge key: name"),
            "{msg}"
        );
        let msg = apply_err(
            "Deployment",
            original.clone(),
            json!({"spec": {"template": {"spec": {"containers": [{"$patch": "delete"}]}}}}),
        );
        assert!(msg.contains("merge key"), "{msg}");
        let msg = apply_err(
            "Deployment",
            original.clone(),
            json!({"spec": {"template": {"spec": {"containers": ["web"]}}}}),
        );
        assert!(msg.contains("must be an object"), "{msg}");
        let msg = apply_err(
            "Deployment",
            original.clone(),
            json!({"spec": {"template": {"spec": {"containers": [{"$patch": "bogus", "name": "web"}]}}}}),
        );
        assert!(msg.contains("unknown patch type"), "{msg}");
        let msg = apply_err(
            "Deployment",
            original,
            json!({"spec": {"template": {"spec": {"$setElementOrder/containers": {"name": "web"}}}}}),
        );
        assert!(msg.contains("setElementOrder"), "{msg}");
        let msg = apply_err("Pod", json!({}), json!({"$setElementOrderX": []}));
        assert!(msg.contains("setElementOrder"), "{msg}");
        let msg = apply_err("Pod", json!({}), json!({"$deleteFromPrimitiveList/x": "a"}));
        assert!(msg.contains("primitive list"), "{msg}");
        let msg = apply_err(
            "Pod",
            json!({"metadata": {"finalizers": ["a"]}}),
            json!({"metadata": {"finalizers": [{"a": 1}]}}),
        );
        assert!(msg.contains("without merge key"), "{msg}");
        assert!(!apply_err("Pod", json!({}), json!([1])).is_empty());
        assert!(!apply_err("Pod", json!(1), json!({})).is_empty());
    }

    #[test]
    fn new_items_go_first_without_set_element_order() {
        // Go's normalizeElementOrder puts items the server does not know before the rest.
        let original = deployment(json!([{"name": "web", "image": "nginx"}]));
        let patch = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "sidecar", "image": "envoy"}]}}}});
        let out = apply("Deployment", original, patch);
        assert_eq!(names(containers(&out)), ["sidecar", "web"]);
    }

    #[test]
    fn set_element_order_places_new_items() {
        let original = deployment(json!([{"name": "web", "image": "nginx"}]));
        let patch = json!({"spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "web"}, {"name": "sidecar"}],
            "containers": [{"name": "sidecar", "image": "envoy"}]}}}});
        let out = apply("Deployment", original, patch);
        assert_eq!(names(containers(&out)), ["web", "sidecar"]);
        assert_eq!(containers(&out)[0]["image"], "nginx");
    }

    #[test]
    fn set_element_order_interleaves_server_only_items() {
        // apimachinery patch_test.go "set elements order in a list with server-only items 2/3".
        let original = json!({"spec": {"hostAliases": [
            {"ip": "1", "x": "a"}, {"ip": "2"}, {"ip": "7"}, {"ip": "9"}, {"ip": "8"}, {"ip": "3"}, {"ip": "4"}]}});
        let patch = json!({"spec": {"$setElementOrder/hostAliases":
            [{"ip": "2"}, {"ip": "1"}, {"ip": "4"}, {"ip": "3"}]}});
        let out = apply("Pod", original, patch);
        let ips: Vec<&str> = out["spec"]["hostAliases"]
            .as_array()
            .map(|l| l.iter().filter_map(|e| e["ip"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(ips, ["2", "1", "7", "9", "8", "4", "3"]);
        assert_eq!(out["spec"]["hostAliases"][1], json!({"ip": "1", "x": "a"}));
    }

    #[test]
    fn set_element_order_on_primitives() {
        // apimachinery patch_test.go "add an item in a list of primitives and preserve order".
        let original = json!({"spec": {"podCIDRs": [1, 4, 2]}});
        let patch = json!({"spec": {"$setElementOrder/podCIDRs": [3, 1, 2], "podCIDRs": [3]}});
        let out = apply("Node", original, patch);
        assert_eq!(out["spec"]["podCIDRs"], json!([3, 1, 4, 2]));
    }

    #[test]
    fn set_element_order_with_duplicates_is_stable() {
        let original = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "1"}, {"name": "2", "v": "dup1"}, {"name": "3"}, {"name": "2", "v": "dup2"}, {"name": "4"}]}}}});
        let patch = json!({"spec": {"template": {"spec": {"$setElementOrder/containers":
            [{"name": "2"}, {"name": "1"}, {"name": "4"}, {"name": "3"}, {"name": "2"}]}}}});
        let out = apply("StatefulSet", original, patch);
        assert_eq!(names(containers(&out)), ["2", "2", "1", "4", "3"]);
        assert_eq!(containers(&out)[1]["v"], "dup2");
    }

    #[test]
    fn set_element_order_must_match_patch_order() {
        let original = json!({"spec": {"ports": [{"port": 1}, {"port": 3}, {"port": 2}]}});
        let patch = json!({"spec": {"$setElementOrder/ports": [{"port": 1}, {"port": 2}, {"port": 3}],
            "ports": [{"port": 3, "name": "c"}, {"port": 1, "name": "a"}]}});
        assert!(apply_err("Service", original, patch).contains("doesn't match"));
    }

    #[test]
    fn lists_without_merge_key_are_replaced() {
        let original = json!({"spec": {"tolerations": [{"key": "a"}], "containers": [
            {"name": "web", "args": ["x", "y"], "resizePolicy": [{"resourceName": "cpu"}]}]}});
        let patch = json!({"spec": {"tolerations": [{"key": "b"}], "containers": [
            {"name": "web", "args": ["z"], "resizePolicy": [{"resourceName": "memory"}]}]}});
        let out = apply("Pod", original, patch);
        assert_eq!(out["spec"]["tolerations"], json!([{"key": "b"}]));
        assert_eq!(out["spec"]["containers"][0]["args"], json!(["z"]));
        assert_eq!(
            out["spec"]["containers"][0]["resizePolicy"],
            json!([{"resourceName": "memory"}])
        );

        let role = json!({"rules": [{"verbs": ["get"]}], "metadata": {"labels": {"a": "1"}}});
        let out = apply(
            "Role",
            role,
            json!({"rules": [{"verbs": ["list"]}, {"$patch": "replace"}]}),
        );
        assert_eq!(out["rules"], json!([{"verbs": ["list"]}]));
        assert_eq!(out["metadata"]["labels"]["a"], "1");
    }

    #[test]
    fn unknown_kinds_merge_maps_and_object_meta() {
        let original = json!({"metadata": {"ownerReferences": [{"uid": "u1", "name": "a"}]},
            "spec": {"a": {"b": 1}, "list": [{"name": "x"}]}});
        let patch = json!({"metadata": {"ownerReferences": [{"uid": "u2", "name": "b"}]},
            "spec": {"a": {"c": 2}, "list": [{"name": "y"}]}});
        let out = apply("Widget", original, patch);
        assert_eq!(
            out["spec"],
            json!({"a": {"b": 1, "c": 2}, "list": [{"name": "y"}]})
        );
        assert_eq!(
            out["metadata"]["ownerReferences"],
            json!([{"uid": "u2", "name": "b"}, {"uid": "u1", "name": "a"}])
        );
    }

    #[test]
    fn directives_in_new_values_are_resolved() {
        let original = json!({"metadata": {"name": "p"}});
        let patch = json!({"spec": {
            "$setElementOrder/containers": [{"name": "a"}],
            "containers": [{"name": "a", "$setElementOrder/env": [{"name": "E"}],
                "env": [{"name": "E", "value": "1"}, {"$patch": "delete", "name": "F"}],
                "resources": {"$patch": "replace", "limits": {"cpu": "1", "memory": null}}}],
            "affinity": {"$patch": "delete"},
            "securityContext": {"$retainKeys": ["runAsUser"], "runAsUser": 1},
            "tolerations": [{"$patch": "replace"}, {"key": "k", "x": {"$patch": "merge"}}]}});
        let out = apply("Pod", original, patch);
        assert_eq!(
            out["spec"],
            json!({"containers": [{"name": "a", "env": [{"name": "E", "value": "1"}],
                "resources": {"limits": {"cpu": "1"}}}],
                "securityContext": {"runAsUser": 1},
                "tolerations": [{"key": "k", "x": {}}]})
        );
    }

    #[test]
    fn type_changes_and_empty_lists() {
        let original = deployment(json!([{"name": "web"}]));
        // An empty patch list for a merging list changes nothing, as in Go.
        let out = apply(
            "Deployment",
            original.clone(),
            json!({"spec": {"template": {"spec": {"containers": []}}}}),
        );
        assert_eq!(names(containers(&out)), ["web"]);
        let out = apply("Deployment", original, json!({"spec": {"template": "x"}}));
        assert_eq!(out["spec"]["template"], "x");
        let out = apply("Pod", json!({"a": [1]}), json!({"a": {"b": null, "c": 1}}));
        assert_eq!(out, json!({"a": {"c": 1}}));
    }

    #[test]
    fn merge_keys_match_numbers_by_value() {
        let original = json!({"spec": {"ports": [{"port": 80, "name": "a"}]}});
        let patch = json!({"spec": {"ports": [{"port": 80.0, "name": "b"}]}});
        let out = apply("Service", original, patch);
        assert_eq!(out["spec"]["ports"].as_array().map(Vec::len), Some(1));
        assert_eq!(out["spec"]["ports"][0]["name"], "b");
    }

    #[test]
    fn cronjob_pod_template_and_node_status() {
        let original = json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {
            "containers": [{"name": "c", "image": "a", "env": [{"name": "X", "value": "1"}]}]}}}}}});
        let patch = json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {
            "containers": [{"name": "c", "env": [{"name": "Y", "value": "2"}]}]}}}}}});
        let out = apply("CronJob", original, patch);
        let c = &out["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(c["image"], "a");
        assert_eq!(names(&c["env"]), ["Y", "X"]);

        let node = json!({"status": {"conditions": [{"type": "Ready", "status": "False"},
            {"type": "MemoryPressure", "status": "False"}]}});
        let patch = json!({"status": {"conditions": [{"type": "Ready", "status": "True"}]}});
        let out = apply("Node", node, patch);
        assert_eq!(
            out["status"]["conditions"],
            json!([{"type": "Ready", "status": "True"}, {"type": "MemoryPressure", "status": "False"}])
        );
    }

    #[test]
    fn merge_key_table_pod_templates() {
        let pod_spec = ["spec", "template", "spec"];
        let at = |prefix: &[&'static str], rest: &[&'static str]| -> Vec<&'static str> {
            prefix.iter().chain(rest).copied().collect()
        };
        for kind in [
            "Deployment",
            "ReplicaSet",
            "DaemonSet",
            "StatefulSet",
            "Job",
        ] {
            assert_eq!(
                merge_key(kind, &at(&pod_spec, &["containers"])),
                Some("name")
            );
            assert_eq!(merge_key(kind, &at(&pod_spec, &["volumes"])), Some("name"));
            assert_eq!(merge_key(kind, &["status", "conditions"]), Some("type"));
        }
        let cron = ["spec", "jobTemplate", "spec", "template", "spec"];
        assert_eq!(
            merge_key("CronJob", &at(&cron, &["initContainers", "env"])),
            Some("name")
        );
        assert_eq!(
            merge_key("Pod", &["spec", "containers", "ports"]),
            Some("containerPort")
        );
        assert_eq!(
            merge_key("Pod", &["spec", "containers", "volumeMounts"]),
            Some("mountPath")
        );
        assert_eq!(
            merge_key("Pod", &["spec", "containers", "volumeDevices"]),
            Some("devicePath")
        );
        assert_eq!(
            merge_key("Pod", &["spec", "ephemeralContainers", "env"]),
            Some("name")
        );
        assert_eq!(merge_key("Pod", &["spec", "hostAliases"]), Some("ip"));
        assert_eq!(
            merge_key("Pod", &["spec", "topologySpreadConstraints"]),
            Some("topologyKey")
        );
        assert_eq!(
            merge_key("Pod", &["spec", "imagePullSecrets"]),
            Some("name")
        );
        assert_eq!(merge_key("Pod", &["spec", "schedulingGates"]), Some("name"));
        assert_eq!(merge_key("Pod", &["spec", "resourceClaims"]), Some("name"));
        assert_eq!(merge_key("Pod", &["status", "conditions"]), Some("type"));
        assert_eq!(merge_key("Pod", &["spec", "tolerations"]), None);
        // Atomic in core/v1 (`+listType=atomic`, no patchStrategy tag).
        assert_eq!(
            merge_key("Pod", &["spec", "containers", "resizePolicy"]),
            None
        );
    }

    #[test]
    fn merge_key_table_other_kinds() {
        assert_eq!(merge_key("Service", &["spec", "ports"]), Some("port"));
        assert_eq!(merge_key("Node", &["status", "addresses"]), Some("type"));
        assert_eq!(merge_key("Node", &["status", "conditions"]), Some("type"));
        assert_eq!(merge_key("ServiceAccount", &["secrets"]), Some("name"));
        assert_eq!(
            merge_key("PersistentVolumeClaim", &["status", "conditions"]),
            Some("type")
        );
        assert_eq!(merge_key("Role", &["rules"]), None);
        assert_eq!(merge_key("Ingress", &["spec", "rules"]), None);
        assert_eq!(merge_key("NetworkPolicy", &["spec", "ingress"]), None);
        for kind in ["ConfigMap", "Ingress", "Deployment", "Whatever"] {
            assert_eq!(
                merge_key(kind, &["metadata", "ownerReferences"]),
                Some("uid")
            );
            assert!(merges_primitives(kind, &["metadata", "finalizers"]));
        }
        assert_eq!(
            merge_key(
                "Deployment",
                &["spec", "template", "metadata", "ownerReferences"]
            ),
            Some("uid")
        );
        assert!(merges_primitives("Node", &["spec", "podCIDRs"]));
        assert!(!merges_primitives("Pod", &["spec", "containers"]));
        assert_eq!(merge_key("Pod", &[]), None);
        assert_eq!(merge_key("Pod", &["spec", "nope", "containers"]), None);
    }

    /// xorshift64*: a tiny deterministic generator, so the fuzz test needs no dependency.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            let i = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
            items.get(i).copied().unwrap_or("x")
        }
    }

    const KEYS: &[&str] = &[
        "spec",
        "template",
        "containers",
        "name",
        "env",
        "ports",
        "port",
        "metadata",
        "finalizers",
        "value",
        "status",
        "conditions",
        "type",
        "volumes",
        "selector",
    ];
    const DIRECTIVE_KEYS: &[&str] = &[
        "$patch",
        "$retainKeys",
        "$setElementOrder/containers",
        "$setElementOrder/env",
        "$deleteFromPrimitiveList/finalizers",
        "$setElementOrder/finalizers",
        "$setElementOrder",
    ];
    const STRINGS: &[&str] = &["delete", "replace", "merge", "web", "name", "x", "spec"];

    fn random_value(rng: &mut Rng, depth: u32, directives: bool) -> Value {
        let choice = if depth == 0 {
            rng.below(4)
        } else {
            rng.below(7)
        };
        match choice {
            0 => Value::Null,
            1 => json!(rng.below(3)),
            2 => json!(rng.pick(STRINGS)),
            3 => json!(rng.below(2) == 0),
            4 | 5 => {
                let mut map = Object::new();
                for _ in 0..rng.below(4) {
                    let key = if directives && rng.below(3) == 0 {
                        rng.pick(DIRECTIVE_KEYS)
                    } else {
                        rng.pick(KEYS)
                    };
                    map.insert(key.to_owned(), random_value(rng, depth - 1, directives));
                }
                Value::Object(map)
            }
            _ => Value::Array(
                (0..rng.below(4))
                    .map(|_| random_value(rng, depth - 1, directives))
                    .collect(),
            ),
        }
    }

    #[test]
    fn random_inputs_never_panic_or_leak_directives() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let kinds = ["Deployment", "Pod", "Service", "Node", "CronJob", "Widget"];
        let (mut ok, mut failed) = (0, 0);
        for _ in 0..4000 {
            let kind = rng.pick(&kinds);
            let mut original = random_value(&mut rng, 5, false);
            let mut patch = random_value(&mut rng, 5, true);
            // Half of the cases are shaped like a pod template so the merge-key paths are hit.
            if rng.below(2) == 0 {
                original = deployment(original);
                patch = json!({"spec": {"template": {"spec": {"containers": patch}}}});
            }
            match strategic_merge(kind, &original, &patch) {
                Ok(v) => {
                    assert_no_directives(&v);
                    ok += 1;
                }
                Err(PatchError::Invalid(msg)) => {
                    assert!(!msg.is_empty());
                    failed += 1;
                }
            }
        }
        assert!(ok > 100 && failed > 100, "ok={ok} failed={failed}");
    }
}
