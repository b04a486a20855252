//! What an update changed, as field sets: the paths whose value is new or
//! different, and the paths that are gone. One walk over both objects that
//! skips equal subtrees, so a controller's status write costs what it changed,
//! not the size of the object twice over.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::fieldset::{FieldSet, KeysOf, MAX_ITEMS, Path, Step, item_key, walk};

struct Diff<'a> {
    keys: KeysOf<'a>,
    skip: &'a dyn Fn(&[&str], &str) -> bool,
    changed: BTreeSet<Path>,
    removed: BTreeSet<Path>,
}

impl Diff<'_> {
    fn all(&mut self, v: &Value, path: &mut Path, names: &mut Vec<String>, gone: bool) {
        let out = if gone {
            &mut self.removed
        } else {
            &mut self.changed
        };
        walk(v, self.keys, self.skip, path, names, out);
    }

    fn objects(
        &mut self,
        o: &serde_json::Map<String, Value>,
        n: &serde_json::Map<String, Value>,
        path: &mut Path,
        names: &mut Vec<String>,
    ) {
        let refs: Vec<String> = names.clone();
        let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
        for (k, nv) in n {
            if (self.skip)(&refs, k) {
                continue;
            }
            path.push(Step::Field(k.clone()));
            names.push(k.clone());
            self.value(o.get(k), Some(nv), path, names);
            names.pop();
            path.pop();
        }
        for (k, ov) in o {
            if n.contains_key(k) || (self.skip)(&refs, k) {
                continue;
            }
            path.push(Step::Field(k.clone()));
            names.push(k.clone());
            self.all(ov, path, names, true);
            names.pop();
            path.pop();
        }
    }

    fn keyed(
        &mut self,
        o: &[Value],
        n: &[Value],
        key_names: &[String],
        path: &mut Path,
        names: &mut Vec<String>,
    ) {
        // The first item with a key is the one a path names (as `value_at` finds it).
        let mut old: HashMap<String, &Value> = HashMap::new();
        for i in o {
            if let Some(k) = item_key(i, key_names) {
                old.entry(k).or_insert(i);
            }
        }
        let mut seen = std::collections::HashSet::new();
        for item in n {
            let Some(k) = item_key(item, key_names) else {
                continue;
            };
            if !seen.insert(k.clone()) {
                continue;
            }
            path.push(Step::Key(k.clone()));
            match old.get(&k) {
                Some(prev) => self.value(Some(prev), Some(item), path, names),
                None => {
                    self.changed.insert(path.clone());
                    self.all(item, path, names, false);
                }
            }
            path.pop();
        }
        for (k, item) in old.iter().filter(|(k, _)| !seen.contains(*k)) {
            path.push(Step::Key(k.clone()));
            self.removed.insert(path.clone());
            self.all(item, path, names, true);
            path.pop();
        }
    }

    fn set(&mut self, o: &[Value], n: &[Value], path: &mut Path) {
        let old: std::collections::HashSet<String> = o.iter().map(Value::to_string).collect();
        let new: std::collections::HashSet<String> = n.iter().map(Value::to_string).collect();
        for v in new.difference(&old) {
            path.push(Step::Value(v.clone()));
            self.changed.insert(path.clone());
            path.pop();
        }
        for v in old.difference(&new) {
            path.push(Step::Value(v.clone()));
            self.removed.insert(path.clone());
            path.pop();
        }
    }

    fn value(
        &mut self,
        o: Option<&Value>,
        n: Option<&Value>,
        path: &mut Path,
        names: &mut Vec<String>,
    ) {
        match (o, n) {
            (Some(o), Some(n)) if o == n => {}
            (None, Some(n)) => self.all(n, path, names, false),
            (Some(o), None) => self.all(o, path, names, true),
            (Some(Value::Object(o)), Some(Value::Object(n))) if !o.is_empty() && !n.is_empty() => {
                self.objects(o, n, path, names)
            }
            (Some(ov @ Value::Array(o)), Some(nv @ Value::Array(n))) => {
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                match (self.keys)(&refs) {
                    Some(k)
                        if o.len().max(n.len()) <= MAX_ITEMS
                            && k.is_empty()
                            && !o.is_empty()
                            && !n.is_empty() =>
                    {
                        self.set(o, n, path)
                    }
                    Some(k)
                        if o.len().max(n.len()) <= MAX_ITEMS && !o.is_empty() && !n.is_empty() =>
                    {
                        self.keyed(o, n, &k, path, names)
                    }
                    _ => {
                        self.all(ov, path, names, true);
                        self.all(nv, path, names, false);
                    }
                }
            }
            (Some(o), Some(n)) => {
                self.all(o, path, names, true);
                self.all(n, path, names, false);
            }
            (None, None) => {}
        }
    }
}

/// (paths new or changed in `new`, paths of `old` gone from `new`).
pub fn diff(
    old: &Value,
    new: &Value,
    keys: KeysOf<'_>,
    skip: &dyn Fn(&[&str], &str) -> bool,
) -> (FieldSet, FieldSet) {
    let mut d = Diff {
        keys,
        skip,
        changed: BTreeSet::new(),
        removed: BTreeSet::new(),
    };
    d.value(Some(old), Some(new), &mut Vec::new(), &mut Vec::new());
    // A path both gone and set again (a type change) is changed, not gone.
    let removed = d.removed.difference(&d.changed).cloned().collect();
    (FieldSet(d.changed), FieldSet(removed))
}
