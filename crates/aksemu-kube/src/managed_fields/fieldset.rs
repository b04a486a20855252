//! Field sets as structured-merge-diff keeps them: a set of paths, each
//! naming a leaf field or a keyed list item (the `.` of FieldsV1). Read from
//! and written to FieldsV1 (`f:<field>`, `k:{<keys>}`, `v:<value>`, `i:<n>`),
//! computed from an object, and used to read, compare and remove values.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

/// One step of a path. A key is kept as compact JSON so that paths order
/// and compare as FieldsV1 writes them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Field(String),
    Key(String),
    Value(String),
    Index(usize),
}

pub type Path = Vec<Step>;

/// The longest list whose items are owned one by one.
pub(super) const MAX_ITEMS: usize = 1000;

/// The merge keys of the list at a path of field names, if it is a map list
/// (`Some([])`: a set, whose items are owned one by one by value).
pub type KeysOf<'a> = &'a (dyn Fn(&[&str]) -> Option<Vec<String>> + Sync);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet(pub BTreeSet<Path>);

impl FieldSet {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, p: &Path) -> bool {
        self.0.contains(p)
    }

    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        FieldSet(self.0.difference(&other.0).cloned().collect())
    }

    pub fn union(&self, other: &FieldSet) -> FieldSet {
        FieldSet(self.0.union(&other.0).cloned().collect())
    }

    /// Reads a FieldsV1 document; a malformed one reads as what it holds.
    pub fn from_v1(v: &Value) -> FieldSet {
        let mut set = BTreeSet::new();
        read_v1(v, &mut Vec::new(), &mut set);
        FieldSet(set)
    }

    /// Writes the set as FieldsV1.
    pub fn to_v1(&self) -> Value {
        let mut root = json!({});
        for path in &self.0 {
            let mut node = &mut root;
            for step in path {
                node = node
                    .as_object_mut()
                    .expect("FieldsV1 nodes are objects")
                    .entry(encode(step))
                    .or_insert_with(|| json!({}));
            }
            if matches!(path.last(), Some(Step::Key(_) | Step::Index(_)))
                && let Some(o) = node.as_object_mut()
            {
                o.insert(".".into(), json!({}));
            }
        }
        root
    }
}

pub(super) fn encode(step: &Step) -> String {
    match step {
        Step::Field(f) => format!("f:{f}"),
        Step::Key(k) => format!("k:{k}"),
        Step::Value(v) => format!("v:{v}"),
        Step::Index(i) => format!("i:{i}"),
    }
}

fn decode(s: &str) -> Option<Step> {
    let (tag, rest) = s.split_at_checked(2)?;
    Some(match tag {
        "f:" => Step::Field(rest.to_string()),
        "k:" => Step::Key(canonical(rest)),
        "v:" => Step::Value(canonical(rest)),
        "i:" => Step::Index(rest.parse().ok()?),
        _ => return None,
    })
}

/// Compact JSON of a JSON text, so `{"a": 1}` and `{"a":1}` are one key.
fn canonical(s: &str) -> String {
    serde_json::from_str::<Value>(s)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| s.to_string())
}

fn read_v1(v: &Value, path: &mut Path, out: &mut BTreeSet<Path>) {
    let Some(o) = v.as_object() else { return };
    for (k, child) in o {
        if k == "." {
            if !path.is_empty() {
                out.insert(path.clone());
            }
            continue;
        }
        let Some(step) = decode(k) else { continue };
        path.push(step);
        match child.as_object() {
            Some(c) if !c.is_empty() => read_v1(child, path, out),
            _ => {
                out.insert(path.clone());
            }
        }
        path.pop();
    }
}

/// The fields an object sets. `skip(path, field)` leaves fields out (the
/// server's own metadata, `status`); lists with merge keys are walked item by
/// item, other lists are one atomic leaf.
pub fn of_object(obj: &Value, keys: KeysOf<'_>, skip: &dyn Fn(&[&str], &str) -> bool) -> FieldSet {
    let mut out = BTreeSet::new();
    let mut names = Vec::new();
    walk(obj, keys, skip, &mut Vec::new(), &mut names, &mut out);
    FieldSet(out)
}

pub(super) fn walk(
    v: &Value,
    keys: KeysOf<'_>,
    skip: &dyn Fn(&[&str], &str) -> bool,
    path: &mut Path,
    names: &mut Vec<String>,
    out: &mut BTreeSet<Path>,
) {
    match v {
        Value::Object(o) if !o.is_empty() => {
            for (k, child) in o {
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                if skip(&refs, k) {
                    continue;
                }
                path.push(Step::Field(k.clone()));
                names.push(k.clone());
                walk(child, keys, skip, path, names, out);
                names.pop();
                path.pop();
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let Some(key_names) = keys(&refs) else {
                out.insert(path.clone());
                return;
            };
            // A list too long to own item by item is owned whole (the cost of
            // comparing item paths grows with the square of its length).
            if items.len() > MAX_ITEMS {
                out.insert(path.clone());
                return;
            }
            if key_names.is_empty() {
                for item in items {
                    path.push(Step::Value(item.to_string()));
                    out.insert(path.clone());
                    path.pop();
                }
                return;
            }
            for item in items {
                let Some(key) = item_key(item, &key_names) else {
                    continue;
                };
                path.push(Step::Key(key));
                out.insert(path.clone());
                walk(item, keys, skip, path, names, out);
                path.pop();
            }
        }
        _ => {
            if !path.is_empty() {
                out.insert(path.clone());
            }
        }
    }
}

/// The `k:` key of a list item: its merge key fields as compact JSON.
pub fn item_key(item: &Value, key_names: &[String]) -> Option<String> {
    let mut m = Map::new();
    for k in key_names {
        if let Some(v) = item.get(k) {
            m.insert(k.clone(), v.clone());
        }
    }
    (!m.is_empty()).then(|| Value::Object(m).to_string())
}

/// What a `k:` or `v:` step matches, parsed once per step (not per item).
enum Want {
    Key(serde_json::Map<String, Value>),
    Value(Value),
    Nothing,
}

impl Want {
    fn of(step: &Step) -> Want {
        match step {
            Step::Key(k) => match serde_json::from_str(k) {
                Ok(Value::Object(m)) => Want::Key(m),
                _ => Want::Nothing,
            },
            Step::Value(v) => serde_json::from_str(v).map_or(Want::Nothing, Want::Value),
            _ => Want::Nothing,
        }
    }

    fn matches(&self, item: &Value) -> bool {
        match self {
            Want::Key(m) => m.iter().all(|(k, v)| item.get(k) == Some(v)),
            Want::Value(v) => item == v,
            Want::Nothing => false,
        }
    }
}

/// The value a path names in an object.
pub fn value_at<'a>(obj: &'a Value, path: &[Step]) -> Option<&'a Value> {
    let mut cur = obj;
    for step in path {
        cur = match step {
            Step::Field(f) => cur.get(f)?,
            Step::Key(_) | Step::Value(_) => {
                let want = Want::of(step);
                cur.as_array()?.iter().find(|i| want.matches(i))?
            }
            Step::Index(i) => cur.as_array()?.get(*i)?,
        };
    }
    Some(cur)
}

/// Removes what a path names from an object (a field, or a list item).
pub fn remove_at(obj: &mut Value, path: &[Step]) {
    let Some((last, parent_path)) = path.split_last() else {
        return;
    };
    let mut cur = obj;
    for step in parent_path {
        let next = match step {
            Step::Field(f) => cur.get_mut(f.as_str()),
            Step::Key(_) | Step::Value(_) => {
                let want = Want::of(step);
                cur.as_array_mut()
                    .and_then(|a| a.iter_mut().find(|i| want.matches(i)))
            }
            Step::Index(i) => cur.as_array_mut().and_then(|a| a.get_mut(*i)),
        };
        let Some(n) = next else { return };
        cur = n;
    }
    match last {
        Step::Field(f) => {
            if let Some(o) = cur.as_object_mut() {
                o.remove(f);
            }
        }
        Step::Key(_) | Step::Value(_) => {
            let want = Want::of(last);
            if let Some(a) = cur.as_array_mut() {
                a.retain(|i| !want.matches(i));
            }
        }
        Step::Index(_) => {}
    }
}

/// A path as structured-merge-diff prints it: `.spec.containers[name="web"].image`.
pub fn display(path: &[Step]) -> String {
    let mut s = String::new();
    for step in path {
        match step {
            Step::Field(f) => {
                s.push('.');
                s.push_str(f);
            }
            Step::Key(k) => {
                let parts: Vec<String> = match serde_json::from_str::<Value>(k) {
                    Ok(Value::Object(m)) => m.iter().map(|(k, v)| format!("{k}={v}")).collect(),
                    _ => vec![k.clone()],
                };
                s.push_str(&format!("[{}]", parts.join(",")));
            }
            Step::Value(v) => s.push_str(&format!("[={v}]")),
            Step::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(path: &[&str]) -> Option<Vec<String>> {
        (path.last() == Some(&"containers")).then(|| vec!["name".to_string()])
    }

    #[test]
    fn fields_v1_round_trip_and_paths() {
        let obj = json!({"spec": {"replicas": 2, "containers": [{"name": "web", "image": "nginx"}],
            "args": ["a"], "empty": {}}});
        let set = of_object(&obj, &keys, &|_, _| false);
        let v1 = set.to_v1();
        assert_eq!(v1["f:spec"]["f:replicas"], json!({}));
        assert_eq!(
            v1["f:spec"]["f:containers"]["k:{\"name\":\"web\"}"],
            json!({".": {}, "f:image": {}, "f:name": {}})
        );
        assert_eq!(FieldSet::from_v1(&v1), set);
        let img = set
            .0
            .iter()
            .find(|p| p.last() == Some(&Step::Field("image".into())))
            .unwrap();
        assert_eq!(display(img), ".spec.containers[name=\"web\"].image");
        assert_eq!(value_at(&obj, img), Some(&json!("nginx")));
        let mut o = obj.clone();
        remove_at(&mut o, &img[..img.len() - 1]);
        assert_eq!(o["spec"]["containers"], json!([]));
    }
}
