//! Label selectors (`app=web`, `env!=prod`, `tier in (a,b)`, `!legacy`, `x`)
//! and field selectors (`metadata.name=web`, `involvedObject.uid=…`,
//! `spec.nodeName!=`), as list, watch and deletecollection take them.

use serde_json::Value;

use crate::error::KubeError;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Req {
    Eq(String, String),
    Ne(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    Absent(String),
}

/// Both selectors of a request; empty matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    labels: Vec<Req>,
    fields: Vec<Req>,
}

/// Splits on commas outside parentheses.
fn split_top(s: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out.into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

fn set_values(rest: &str) -> Option<Vec<String>> {
    let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some(inner.split(',').map(|v| v.trim().to_string()).collect())
}

fn bad(kind: &str, s: &str) -> KubeError {
    KubeError::BadRequest(format!(
        "unable to parse requirement: invalid {kind} selector: {s:?}"
    ))
}

fn label_req(p: &str) -> Result<Req, KubeError> {
    if let Some(k) = p.strip_prefix('!') {
        return Ok(Req::Absent(k.trim().to_string()));
    }
    if let Some((k, v)) = p.split_once("!=") {
        return Ok(Req::Ne(k.trim().into(), v.trim().into()));
    }
    if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
        return Ok(Req::Eq(k.trim().into(), v.trim().into()));
    }
    let words: Vec<&str> = p.splitn(2, char::is_whitespace).collect();
    match words.as_slice() {
        [k] => Ok(Req::Exists(k.to_string())),
        [k, rest] => {
            let rest = rest.trim();
            if let Some(r) = rest.strip_prefix("notin") {
                set_values(r)
                    .map(|v| Req::NotIn(k.to_string(), v))
                    .ok_or_else(|| bad("label", p))
            } else if let Some(r) = rest.strip_prefix("in") {
                set_values(r)
                    .map(|v| Req::In(k.to_string(), v))
                    .ok_or_else(|| bad("label", p))
            } else {
                Err(bad("label", p))
            }
        }
        _ => Err(bad("label", p)),
    }
}

fn field_req(p: &str) -> Result<Req, KubeError> {
    if let Some((k, v)) = p.split_once("!=") {
        return Ok(Req::Ne(k.trim().into(), v.trim().into()));
    }
    match p.split_once("==").or_else(|| p.split_once('=')) {
        Some((k, v)) => Ok(Req::Eq(k.trim().into(), v.trim().into())),
        None => Err(bad("field", p)),
    }
}

impl Selector {
    pub fn parse(labels: Option<&str>, fields: Option<&str>) -> Result<Self, KubeError> {
        let labels = split_top(labels.unwrap_or_default())
            .into_iter()
            .map(label_req)
            .collect::<Result<_, _>>()?;
        let fields = split_top(fields.unwrap_or_default())
            .into_iter()
            .map(field_req)
            .collect::<Result<_, _>>()?;
        Ok(Self { labels, fields })
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.fields.is_empty()
    }

    /// The one object name an equality field selector pins, if any.
    pub fn name(&self) -> Option<&str> {
        self.fields.iter().find_map(|r| match r {
            Req::Eq(k, v) if k == "metadata.name" => Some(v.as_str()),
            _ => None,
        })
    }

    pub fn matches(&self, obj: &Value) -> bool {
        let labels = &obj["metadata"]["labels"];
        self.labels
            .iter()
            .all(|r| holds(r, |k| labels[k].as_str().map(str::to_string)))
            && self.fields.iter().all(|r| holds(r, |k| field(obj, k)))
    }
}

/// A field's value as a field selector compares it (absent → empty string).
fn field(obj: &Value, path: &str) -> Option<String> {
    let mut v = obj;
    for part in path.split('.') {
        v = v.get(part)?;
    }
    Some(match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

fn holds(r: &Req, get: impl Fn(&str) -> Option<String>) -> bool {
    match r {
        Req::Eq(k, v) => get(k).unwrap_or_default() == *v,
        Req::Ne(k, v) => get(k).unwrap_or_default() != *v,
        Req::In(k, vs) => get(k).is_some_and(|x| vs.contains(&x)),
        Req::NotIn(k, vs) => get(k).is_none_or(|x| !vs.contains(&x)),
        Req::Exists(k) => get(k).is_some(),
        Req::Absent(k) => get(k).is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_and_fields() {
        let o = json!({"metadata": {"name": "web", "labels": {"app": "web", "tier": "a"}},
                       "involvedObject": {"kind": "Service"}});
        let m = |l: &str, f: &str| Selector::parse(Some(l), Some(f)).unwrap().matches(&o);
        assert!(m("app=web", ""));
        assert!(m("app==web,tier in (a, b)", "metadata.name=web"));
        assert!(!m("app!=web", ""));
        assert!(m("tier notin (c)", "involvedObject.kind=Service"));
        assert!(m("app", ""));
        assert!(!m("!app", ""));
        assert!(m("!legacy", "spec.nodeName="));
        assert!(!m("", "metadata.name=other"));
        assert!(Selector::parse(Some("a in b"), None).is_err());
        assert!(Selector::parse(None, Some("justakey")).is_err());
    }
}
