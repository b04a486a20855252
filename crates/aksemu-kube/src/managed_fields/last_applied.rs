//! The client-side apply annotation under server-side apply, as
//! kube-apiserver treats it for the `kubectl` manager: conflicts on fields the
//! annotation holds with the live value are allowed (the user is moving from
//! `kubectl apply` to `kubectl apply --server-side`), and an existing
//! annotation is kept in step with what is applied, so going back works.

use serde_json::{Value, json};

use super::fieldset::{FieldSet, KeysOf, value_at};

pub const ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The manager kube-apiserver does this for.
pub const KUBECTL: &str = "kubectl";

fn last_applied(live: &Value) -> Option<Value> {
    let text = live["metadata"]["annotations"][ANNOTATION].as_str()?;
    serde_json::from_str(text).ok()
}

/// The fields whose conflicts the annotation allows: those it holds with the
/// value the object still has.
pub fn allowed(live: &Value, keys: KeysOf<'_>, with_status: bool) -> FieldSet {
    let Some(last) = last_applied(live) else {
        return FieldSet::default();
    };
    let set = super::fields(&last, keys, with_status);
    FieldSet(
        set.0
            .into_iter()
            .filter(|p| value_at(live, p) == value_at(&last, p))
            .collect(),
    )
}

/// Rewrites an existing annotation to the applied configuration.
pub fn sync(live: &Value, merged: &mut Value, config: &Value) {
    if last_applied(live).is_none() {
        return;
    }
    let mut c = config.clone();
    if let Some(a) = c["metadata"]["annotations"].as_object_mut() {
        a.remove(ANNOTATION);
    }
    let Some(meta) = merged["metadata"].as_object_mut() else {
        return;
    };
    let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
    if let Some(a) = annotations.as_object_mut() {
        a.insert(ANNOTATION.into(), json!(c.to_string()));
    }
}
