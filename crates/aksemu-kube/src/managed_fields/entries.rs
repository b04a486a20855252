//! The entries of `metadata.managedFields`, read into field sets and written
//! back (entries that own nothing are dropped, as kube-apiserver drops them).

use serde_json::{Value, json};

use super::fieldset::{FieldSet, Path, Step, encode};

#[derive(Debug, Clone)]
pub struct Entry {
    pub manager: String,
    pub operation: String,
    pub api_version: Value,
    pub time: Value,
    pub subresource: Option<String>,
    /// The fields, once needed as a set (read lazily: most writes leave most
    /// entries as they are).
    set: Option<FieldSet>,
    /// The FieldsV1 it was read with, while the set still says the same (no
    /// need to parse it or write it out again).
    raw: Option<Value>,
}

/// Whether a FieldsV1 document owns `path` (a node there that is a leaf or
/// marked with `.`). Our FieldsV1 keys are canonical (compact JSON).
fn raw_owns(raw: &Value, path: &[Step]) -> bool {
    let mut node = raw;
    for step in path {
        match node.get(encode(step)) {
            Some(n) => node = n,
            None => return false,
        }
    }
    node.as_object()
        .is_some_and(|o| o.is_empty() || o.contains_key("."))
}

impl Entry {
    pub fn new(meta: (String, String, Value, Value, Option<String>), set: FieldSet) -> Entry {
        let (manager, operation, api_version, time, subresource) = meta;
        Entry {
            manager,
            operation,
            api_version,
            time,
            subresource,
            set: Some(set),
            raw: None,
        }
    }

    /// The fields as a set (parsed now if they were not yet).
    fn set_mut(&mut self) -> &mut FieldSet {
        let raw = &self.raw;
        self.set
            .get_or_insert_with(|| raw.as_ref().map(FieldSet::from_v1).unwrap_or_default())
    }

    pub fn into_set(mut self) -> FieldSet {
        self.set_mut();
        self.set.unwrap_or_default()
    }

    pub fn owns(&self, path: &Path) -> bool {
        match (&self.set, &self.raw) {
            (Some(s), _) => s.contains(path),
            (None, Some(raw)) => raw_owns(raw, path),
            (None, None) => false,
        }
    }

    fn is_empty(&self) -> bool {
        match (&self.set, &self.raw) {
            (Some(s), _) => s.is_empty(),
            (None, Some(raw)) => raw.as_object().is_none_or(|o| o.is_empty()),
            (None, None) => true,
        }
    }

    /// Gives up the fields in `gone` (in place; parsed only if it owns any).
    pub fn lose(&mut self, gone: &FieldSet) {
        if !gone.0.iter().any(|p| self.owns(p)) {
            return;
        }
        self.set_mut().0.retain(|p| !gone.contains(p));
        self.raw = None;
    }

    pub fn is(&self, manager: &str, operation: &str, subresource: Option<&str>) -> bool {
        self.manager == manager
            && self.operation == operation
            && self.subresource.as_deref() == subresource
    }

    /// How a conflict names the owner: `"mgr"`, and for updates
    /// `"mgr" using apps/v1` (with the subresource when there is one).
    pub fn describe(&self) -> String {
        let mut s = format!("{:?}", self.manager);
        if let Some(sub) = &self.subresource {
            s.push_str(&format!(" with subresource {sub:?}"));
        }
        if self.operation == "Update" {
            s.push_str(&format!(
                " using {}",
                self.api_version.as_str().unwrap_or_default()
            ));
        }
        s
    }

    fn to_json(&self) -> Value {
        let mut v = json!({
            "manager": self.manager,
            "operation": self.operation,
            "apiVersion": self.api_version,
            "time": self.time,
            "fieldsType": "FieldsV1",
            "fieldsV1": match (&self.raw, &self.set) {
                (Some(raw), _) => raw.clone(),
                (None, Some(s)) => s.to_v1(),
                (None, None) => json!({}),
            },
        });
        if let Some(s) = &self.subresource {
            v["subresource"] = json!(s);
        }
        v
    }
}

/// The entries an object carries; malformed ones are skipped.
pub fn read(obj: &Value) -> Vec<Entry> {
    obj["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some(Entry {
                manager: e["manager"].as_str()?.to_string(),
                operation: e["operation"].as_str().unwrap_or("Update").to_string(),
                api_version: e["apiVersion"].clone(),
                time: e["time"].clone(),
                subresource: e["subresource"].as_str().map(str::to_string),
                set: None,
                raw: Some(e["fieldsV1"].clone()),
            })
        })
        .collect()
}

/// The entries a client wrote itself: parsed now, so that they are written
/// back canonical (the lazy lookups assume our own encoding).
pub fn read_given(obj: &Value) -> Vec<Entry> {
    let mut list = read(obj);
    for e in &mut list {
        e.set_mut();
        e.raw = None;
    }
    list
}

/// Writes the entries that own something into the object.
pub fn store(obj: &mut Value, list: Vec<Entry>) {
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let items: Vec<Value> = list
        .iter()
        .filter(|e| !e.is_empty())
        .map(Entry::to_json)
        .collect();
    if items.is_empty() {
        meta.remove("managedFields");
    } else {
        meta.insert("managedFields".into(), Value::Array(items));
    }
}
