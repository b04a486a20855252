//! Value checks against a schema: the JSON type of every declared field (for
//! every kind), and for custom resources the OpenAPI constraints
//! kube-apiserver enforces (required, enum, pattern, bounds, lengths, item
//! counts), each reported with its field path and kube's wording.

use serde_json::Value;

use super::{At, Schema, join};

/// One value that does not fit its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub path: String,
    pub detail: Detail,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    /// `want`: the schema's type (`format` too); `got`: the JSON type found.
    /// `parent`: the schema name of the object holding the field.
    Type {
        want: String,
        format: Option<String>,
        got: &'static str,
        parent: Option<String>,
        target: Option<String>,
    },
    Required,
    Enum(Value, Vec<Value>),
    Other(String),
}

/// The JSON type of a value as OpenAPI names it.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn fits(want: &str, v: &Value) -> bool {
    match want {
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        other => json_type(v) == other,
    }
}

impl Problem {
    /// The message kube-apiserver gives a custom resource for this problem.
    pub fn message(&self) -> String {
        let p = &self.path;
        match &self.detail {
            Detail::Type { want, got, .. } => {
                format!("Invalid value: \"{got}\": {p} in body must be of type {want}: \"{got}\"")
            }
            Detail::Required => "Required value".into(),
            Detail::Enum(v, allowed) => {
                let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
                format!(
                    "Unsupported value: {v}: supported values: {}",
                    list.join(", ")
                )
            }
            Detail::Other(m) => m.clone(),
        }
    }
}

/// Checks `v` against `s`. `full`: also the constraints beyond types (custom
/// resources; built-in kinds have their own validation).
pub fn check(s: Schema<'_>, v: &Value, full: bool) -> Vec<Problem> {
    let mut sink = Sink {
        problems: Vec::new(),
        unknown: None,
    };
    walk(s, v, &mut At::default(), None, full, &mut sink);
    sink.problems
}

/// `check`, and in the same walk the fields the schema does not declare
/// (as `unknown_fields` lists them).
pub fn inspect(s: Schema<'_>, v: &Value, full: bool) -> (Vec<Problem>, Vec<String>) {
    let mut sink = Sink {
        problems: Vec::new(),
        unknown: Some(Vec::new()),
    };
    walk(s, v, &mut At::default(), None, full, &mut sink);
    (sink.problems, sink.unknown.unwrap_or_default())
}

/// What a walk reports.
struct Sink {
    problems: Vec<Problem>,
    /// Unknown fields, when asked for.
    unknown: Option<Vec<String>>,
}

fn walk<'v>(
    s: Schema<'_>,
    v: &'v Value,
    at: &mut At<'v>,
    parent: Option<&str>,
    full: bool,
    sink: &mut Sink,
) {
    let out = &mut sink.problems;
    if v.is_null() && (s.node["nullable"] == true || !full) || s.free_form() {
        return;
    }
    if !s.int_or_string()
        && let Some(want) = s.type_name()
        && !fits(want, v)
    {
        out.push(Problem {
            path: at.render(),
            detail: Detail::Type {
                want: want.to_string(),
                format: s.node["format"].as_str().map(str::to_string),
                got: json_type(v),
                parent: parent.map(str::to_string),
                target: s.name.map(str::to_string),
            },
        });
        return;
    }
    if s.int_or_string() && !(v.is_string() || v.is_i64() || v.is_u64()) {
        let path = at.render();
        out.push(Problem {
            path: path.clone(),
            detail: Detail::Other(format!(
                "Invalid value: \"{}\": {path} in body must be of type integer,string: \"{}\"",
                json_type(v),
                json_type(v)
            )),
        });
        return;
    }
    if full {
        constraints(s, v, at, out);
    }
    children(s, v, at, full, sink);
}

fn children<'v>(s: Schema<'_>, v: &'v Value, at: &mut At<'v>, full: bool, sink: &mut Sink) {
    if s.open() && !s.has_properties() {
        return;
    }
    match v {
        Value::Object(o) => {
            if full {
                for r in s.node["required"].as_array().into_iter().flatten() {
                    if let Some(name) = r.as_str()
                        && !o.contains_key(name)
                    {
                        sink.problems.push(Problem {
                            path: join(&at.render(), name),
                            detail: Detail::Required,
                        });
                    }
                }
            }
            for (k, child) in o {
                if let Some(cs) = s.property(k) {
                    at.field(k);
                    walk(cs, child, at, s.name, full, sink);
                    at.pop();
                } else if let Some(unknown) = sink.unknown.as_mut()
                    && !s.open()
                {
                    unknown.push(join(&at.render(), k));
                }
            }
        }
        Value::Array(items) => {
            if let Some(is) = s.items() {
                for (i, item) in items.iter().enumerate() {
                    at.index(i);
                    walk(is, item, at, s.name, full, sink);
                    at.pop();
                }
            }
        }
        _ => {}
    }
}

/// Whether `text` matches a schema's `pattern` (`None`: not a pattern we
/// can read). Compiled patterns are kept: every write of a kind checks the same ones.
fn matches(pattern: &str, text: &str) -> Option<bool> {
    static CACHE: std::sync::LazyLock<
        std::sync::Mutex<std::collections::HashMap<String, Option<regex::Regex>>>,
    > = std::sync::LazyLock::new(Default::default);
    let cached = CACHE
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(pattern)
        .cloned();
    // Compiled outside the lock: a slow pattern holds up nobody else.
    let re = cached.unwrap_or_else(|| {
        let re = regex::RegexBuilder::new(pattern)
            .size_limit(1 << 20)
            .build()
            .ok();
        let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() > 1024 {
            cache.clear();
        }
        cache.insert(pattern.to_string(), re.clone());
        re
    });
    re.map(|re| re.is_match(text))
}

fn other(out: &mut Vec<Problem>, path: String, message: String) {
    out.push(Problem {
        path,
        detail: Detail::Other(message),
    });
}

fn constraints(s: Schema<'_>, v: &Value, at: &At<'_>, out: &mut Vec<Problem>) {
    if let Some(allowed) = s.node["enum"].as_array()
        && !allowed.contains(v)
    {
        out.push(Problem {
            path: at.render(),
            detail: Detail::Enum(v.clone(), allowed.clone()),
        });
    }
    numeric(s.node, v, at, out);
    textual(s.node, v, at, out);
    counted(s.node, v, at, out);
}

fn numeric(n: &Value, v: &Value, at: &At<'_>, out: &mut Vec<Problem>) {
    let Some(x) = v.as_f64() else { return };
    if n["minimum"].as_f64().is_some_and(|min| x < min) {
        let m = &n["minimum"];
        {
            let path = at.render();
            other(
                out,
                path.clone(),
                format!(
                    "Invalid value: {v}: {path} in body should be greater than or equal to {m}"
                ),
            );
        }
    }
    if n["maximum"].as_f64().is_some_and(|max| x > max) {
        let m = &n["maximum"];
        {
            let path = at.render();
            other(
                out,
                path.clone(),
                format!("Invalid value: {v}: {path} in body should be less than or equal to {m}"),
            );
        }
    }
}

fn textual(n: &Value, v: &Value, at: &At<'_>, out: &mut Vec<Problem>) {
    let Some(text) = v.as_str() else { return };
    let len = text.chars().count() as u64;
    if let Some(min) = n["minLength"].as_u64().filter(|min| len < *min) {
        {
            let path = at.render();
            other(
                out,
                path.clone(),
                format!("Invalid value: {v}: {path} in body should be at least {min} chars long"),
            );
        }
    }
    if let Some(max) = n["maxLength"].as_u64().filter(|max| len > *max) {
        other(
            out,
            at.render(),
            format!("Too long: may not be more than {max} bytes"),
        );
    }
    if let Some(p) = n["pattern"].as_str()
        && matches(p, text) == Some(false)
    {
        {
            let path = at.render();
            other(
                out,
                path.clone(),
                format!("Invalid value: {v}: {path} in body should match '{p}'"),
            );
        }
    }
}

fn counted(n: &Value, v: &Value, at: &At<'_>, out: &mut Vec<Problem>) {
    let Some(items) = v.as_array() else { return };
    let len = items.len() as u64;
    if let Some(min) = n["minItems"].as_u64().filter(|min| len < *min) {
        {
            let path = at.render();
            other(
                out,
                path.clone(),
                format!("Invalid value: {len}: {path} in body should have at least {min} items"),
            );
        }
    }
    if let Some(max) = n["maxItems"].as_u64().filter(|max| len > *max) {
        other(
            out,
            at.render(),
            format!("Too many: {len}: must have at most {max} items"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_and_constraints() {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
            "required": ["name"],
            "properties": {
                "replicas": {"type": "integer", "minimum": 1},
                "name": {"type": "string", "pattern": "^[a-z]+$"},
                "mode": {"type": "string", "enum": ["a", "b"]},
                "port": {"x-kubernetes-int-or-string": true}}}}});
        let s = Schema::inline(&schema);
        let bad = json!({"spec": {"replicas": "three", "mode": "c", "port": "http"}});
        let msgs: Vec<String> = check(s, &bad, true)
            .iter()
            .map(|p| format!("{}: {}", p.path, p.message()))
            .collect();
        assert_eq!(
            msgs,
            [
                "spec.name: Required value",
                "spec.mode: Unsupported value: \"c\": supported values: \"a\", \"b\"",
                "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"",
            ]
        );
        let low = json!({"spec": {"replicas": 0, "name": "A1"}});
        assert_eq!(check(s, &low, true).len(), 2);
        assert!(
            check(
                s,
                &json!({"spec": {"name": "ok", "replicas": 2, "port": 80}}),
                true
            )
            .is_empty()
        );
    }
}
