//! The entries of `metadata.managedFields`, read into field sets and written
//! back (entries that own nothing are dropped, as kube-apiserver drops them).

use serde_json::{Value, json};

use super::fieldset::FieldSet;

#[derive(Debug, Clone)]
pub struct Entry {
    pub manager: String,
    pub operation: String,
    pub api_version: Value,
    pub time: Value,
    pub subresource: Option<String>,
    pub set: FieldSet,
}

impl Entry {
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
            "fieldsV1": self.set.to_v1(),
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
                set: FieldSet::from_v1(&e["fieldsV1"]),
            })
        })
        .collect()
}

/// Writes the entries that own something into the object.
pub fn store(obj: &mut Value, list: Vec<Entry>) {
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let items: Vec<Value> = list
        .iter()
        .filter(|e| !e.set.is_empty())
        .map(Entry::to_json)
        .collect();
    if items.is_empty() {
        meta.remove("managedFields");
    } else {
        meta.insert("managedFields".into(), Value::Array(items));
    }
}
