//! `metadata.managedFields`: which manager owns which fields, kept on every
//! write as kube-apiserver's field manager does. Creates and updates give
//! their manager what they set or changed (taking it from others); server-side
//! apply owns exactly its configuration, conflicts with other owners of the
//! values it would change (409 with a cause per field) unless forced, and
//! removes fields its manager stopped applying that nobody else owns.

mod diff;
mod entries;
pub mod fieldset;
mod last_applied;

use serde_json::{Value, json};

use crate::error::{Cause, KubeError};
use crate::patch::strategic::{merge_key, merges_primitives};
use crate::resources::ResourceType;
use crate::schema::Schema;
use entries::Entry;
use fieldset::{FieldSet, KeysOf, Path, Step, display, of_object, value_at};

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

/// Fields ownership does not count: the server's own, and `status` unless
/// the write is to status (or the type has no status subresource).
fn skip(with_status: bool) -> impl Fn(&[&str], &str) -> bool {
    move |path, field| match path {
        [] => matches!(field, "apiVersion" | "kind") || (field == "status" && !with_status),
        ["metadata"] => SKIP_META.contains(&field),
        _ => false,
    }
}

/// A `KeysOf` that can be kept across awaits.
pub type KeysFn = dyn Fn(&[&str]) -> Option<Vec<String>> + Send + Sync;

/// How lists of a type's objects are keyed: the built-in merge keys, or a
/// custom resource's `x-kubernetes-list-type: map` keys.
pub fn keys_for(rt: &ResourceType) -> Box<KeysFn> {
    match rt.custom {
        // Every object's metadata lists are keyed as the built-in kinds' are.
        Some(c) => Box::new(move |path: &[&str]| match path.first() {
            Some(&"metadata") => match merge_key("ConfigMap", path) {
                Some(k) => Some(vec![k.to_string()]),
                None => merges_primitives("ConfigMap", path).then(Vec::new),
            },
            _ => schema_keys(&c.schema, path),
        }),
        None => {
            let kind = rt.kind;
            Box::new(move |path: &[&str]| match merge_key(kind, path) {
                Some(k) => Some(vec![k.to_string()]),
                None => merges_primitives(kind, path).then(Vec::new),
            })
        }
    }
}

fn schema_keys(schema: &Value, path: &[&str]) -> Option<Vec<String>> {
    let mut s = Schema::inline(schema);
    for f in path {
        if s.type_name() == Some("array") {
            s = s.items()?;
        }
        s = s.property(f)?;
    }
    match s.node["x-kubernetes-list-type"].as_str() {
        Some("set") => return Some(Vec::new()),
        Some("map") => {}
        _ => return None,
    }
    let keys: Vec<String> = s.node["x-kubernetes-list-map-keys"]
        .as_array()?
        .iter()
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect();
    (!keys.is_empty()).then_some(keys)
}

/// The fields an object sets, as ownership counts them.
pub fn fields(obj: &Value, keys: KeysOf<'_>, with_status: bool) -> FieldSet {
    of_object(obj, keys, &skip(with_status))
}

/// The FieldsV1 set of a built-in object.
#[cfg(test)]
pub fn fields_of(kind: &str, obj: &Value) -> Value {
    let keys = |p: &[&str]| merge_key(kind, p).map(|k| vec![k.to_string()]);
    fields(obj, &keys, false).to_v1()
}

/// Who writes, and how it is recorded.
pub struct Writer<'a> {
    pub manager: &'a str,
    pub keys: Box<KeysFn>,
    pub now: String,
    pub subresource: Option<&'a str>,
    /// Whether `status` fields count (a status write, or a type without
    /// a status subresource).
    pub status: bool,
}

impl<'a> Writer<'a> {
    /// `manager` writing objects of `rt` (to `subresource`) at `now`.
    pub fn new(
        rt: &ResourceType,
        manager: &'a str,
        now: String,
        subresource: Option<&'a str>,
    ) -> Self {
        Writer {
            manager,
            keys: keys_for(rt),
            now,
            subresource,
            status: subresource == Some("status") || rt.sub("status").is_none(),
        }
    }

    fn entry(&self, operation: &str, api_version: &Value, set: FieldSet) -> Entry {
        let meta = (
            self.manager.to_string(),
            operation.to_string(),
            api_version.clone(),
            json!(self.now),
            self.subresource.map(str::to_string),
        );
        Entry::new(meta, set)
    }
}

/// A new object: its writer owns every field it has.
pub fn created(obj: &mut Value, w: &Writer<'_>, operation: &str, applied: &Value) {
    let set = fields(applied, &*w.keys, w.status);
    let e = w.entry(operation, &obj["apiVersion"], set);
    entries::store(obj, vec![e]);
}

/// Whether a request set managedFields itself; `[{}]` resets them.
enum Given {
    Keep,
    Reset,
    Replace(Vec<Entry>),
}

fn given(old: &Value, new: &Value) -> Given {
    let g = &new["metadata"]["managedFields"];
    match g.as_array() {
        Some(a) if a.len() == 1 && a[0] == json!({}) => Given::Reset,
        Some(a) if !a.is_empty() && *g != old["metadata"]["managedFields"] => {
            Given::Replace(entries::read_given(new))
        }
        _ => Given::Keep,
    }
}

/// Paths of `new` whose value differs from `old` (list items: new ones).
fn changed(old: &Value, new: &Value, new_set: &FieldSet) -> FieldSet {
    FieldSet(
        new_set
            .0
            .iter()
            .filter(|p| match p.last() {
                Some(Step::Key(_) | Step::Value(_)) => value_at(old, p).is_none(),
                _ => value_at(old, p) != value_at(new, p),
            })
            .cloned()
            .collect(),
    )
}

/// An update (PUT or a non-apply PATCH) of `old` into `new` by `w`.
pub fn updated(old: &Value, new: &mut Value, w: &Writer<'_>) {
    let mut list = match given(old, new) {
        Given::Reset => {
            if let Some(m) = new["metadata"].as_object_mut() {
                m.remove("managedFields");
            }
            return;
        }
        Given::Replace(list) => list,
        Given::Keep => entries::read(old),
    };
    let (modified, removed) = diff::diff(old, new, &*w.keys, &skip(w.status));
    let lost = modified.union(&removed);
    for e in &mut list {
        e.lose(&lost);
    }
    let mine = |e: &Entry| e.is(w.manager, "Update", w.subresource);
    let prev = list.iter().position(mine).map(|i| list.remove(i));
    if modified.is_empty() {
        list.extend(prev);
    } else {
        let mut set = prev.map(Entry::into_set).unwrap_or_default();
        set.0.extend(modified.0);
        list.push(w.entry("Update", &new["apiVersion"], set));
    }
    entries::store(new, list);
}

/// One field another manager owns that an apply would change.
struct Conflict {
    owner: String,
    path: Path,
}

/// A server-side apply of `config` by `w` that merged `live` into `merged`.
/// Fails with the conflicts unless `force` (which takes the fields over).
pub fn applied(
    live: &Value,
    merged: &mut Value,
    config: &Value,
    w: &Writer<'_>,
    force: bool,
) -> Result<(), KubeError> {
    let mut list = entries::read(live);
    let cfg = fields(config, &*w.keys, w.status);
    let mine = |e: &Entry| e.is(w.manager, "Apply", w.subresource);
    let prev = list
        .iter()
        .position(mine)
        .map(|i| list.remove(i).into_set())
        .unwrap_or_default();
    let modified = changed(live, config, &cfg);
    // kubectl moving from client-side to server-side apply: what its
    // last-applied annotation still says is not a conflict.
    let allowed = if w.manager == last_applied::KUBECTL {
        last_applied::allowed(live, &*w.keys, w.status)
    } else {
        FieldSet::default()
    };
    let conflicts: Vec<Conflict> = modified
        .0
        .iter()
        .filter(|p| !matches!(p.last(), Some(Step::Key(_) | Step::Value(_))))
        .filter(|p| !allowed.contains(p))
        .flat_map(|p| {
            list.iter().filter(|e| e.owns(p)).map(|e| Conflict {
                owner: e.describe(),
                path: p.clone(),
            })
        })
        .collect();
    if !conflicts.is_empty() && !force {
        return Err(conflict_error(conflicts));
    }
    for e in &mut list {
        e.lose(&modified);
    }
    // Fields this manager applied before and no longer applies go, unless
    // somebody else owns them too.
    for p in prev.difference(&cfg).0.iter().rev() {
        if !list.iter().any(|e| e.owns(p)) {
            fieldset::remove_at(merged, p);
        }
    }
    if w.manager == last_applied::KUBECTL {
        last_applied::sync(live, merged, config);
    }
    list.push(w.entry("Apply", &config["apiVersion"], cfg));
    entries::store(merged, list);
    Ok(())
}

/// kube-apiserver's apply conflict: 409 with one cause per field.
fn conflict_error(conflicts: Vec<Conflict>) -> KubeError {
    let message = if let [c] = conflicts.as_slice() {
        format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            c.owner,
            display(&c.path)
        )
    } else {
        let mut owners: Vec<&str> = conflicts.iter().map(|c| c.owner.as_str()).collect();
        owners.sort_unstable();
        owners.dedup();
        let mut lines = Vec::new();
        for o in owners {
            lines.push(format!("conflicts with {o}:"));
            for c in conflicts.iter().filter(|c| c.owner == o) {
                lines.push(format!("- {}", display(&c.path)));
            }
        }
        format!(
            "Apply failed with {} conflicts: {}",
            conflicts.len(),
            lines.join("\n")
        )
    };
    let causes = conflicts
        .iter()
        .map(|c| Cause {
            reason: "FieldManagerConflict",
            message: format!("conflict with {}", c.owner),
            field: display(&c.path),
        })
        .collect();
    KubeError::ApplyConflict { message, causes }
}

/// The field manager of a request: `fieldManager`, else the default.
pub fn manager(param: Option<&str>, fallback: &str) -> String {
    param
        .filter(|m| !m.is_empty())
        .unwrap_or(fallback)
        .to_string()
}

#[cfg(test)]
mod tests;
