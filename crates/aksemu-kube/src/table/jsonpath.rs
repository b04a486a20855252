//! The JSONPath subset CRD printer columns use: fields (`.spec.x`), indexes
//! (`[0]`), wildcards (`[*]`) and equality filters
//! (`[?(@.type=="Ready")]`). The first match is the cell, as kube-apiserver's
//! table convertor takes it.

use serde_json::Value;

enum Step {
    Field(String),
    Index(usize),
    All,
    Filter(Vec<String>, Value),
}

fn parse_filter(inner: &str) -> Option<Step> {
    let body = inner.strip_prefix("?(")?.strip_suffix(')')?;
    let (lhs, rhs) = body.split_once("==")?;
    let path = lhs.trim().strip_prefix('@')?;
    let fields = path
        .split('.')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let rhs = rhs.trim();
    let want = if let Some(s) = rhs
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .or_else(|| rhs.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
    {
        Value::String(s.to_string())
    } else {
        serde_json::from_str(rhs).ok()?
    };
    Some(Step::Filter(fields, want))
}

fn parse(path: &str) -> Option<Vec<Step>> {
    let path = path.trim().trim_start_matches('{').trim_end_matches('}');
    let mut steps = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = &r[..end];
            steps.push(match inner {
                "*" => Step::All,
                i if i.starts_with('?') => parse_filter(i)?,
                i => Step::Index(i.parse().ok()?),
            });
            rest = &r[end + 1..];
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if end > 0 {
                steps.push(Step::Field(r[..end].to_string()));
            }
            rest = &r[end..];
        } else {
            return None;
        }
    }
    Some(steps)
}

fn field_path<'a>(mut v: &'a Value, fields: &[String]) -> Option<&'a Value> {
    for f in fields {
        v = v.get(f)?;
    }
    Some(v)
}

/// The first value `path` finds in `obj`.
pub fn first<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    let steps = parse(path)?;
    let mut current: Vec<&Value> = vec![obj];
    for step in &steps {
        current = current
            .into_iter()
            .flat_map(|v| -> Vec<&Value> {
                match step {
                    Step::Field(f) => v.get(f).into_iter().collect(),
                    Step::Index(i) => v.get(*i).into_iter().collect(),
                    Step::All => match v {
                        Value::Array(a) => a.iter().collect(),
                        Value::Object(o) => o.values().collect(),
                        _ => Vec::new(),
                    },
                    Step::Filter(fields, want) => v
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|item| field_path(item, fields) == Some(want))
                        .collect(),
                }
            })
            .collect();
    }
    current.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn printer_column_paths() {
        let o = json!({"spec": {"secretName": "tls", "ports": [1, 2]},
            "status": {"conditions": [{"type": "Issuing", "status": "False"}, {"type": "Ready", "status": "True"}]}});
        assert_eq!(first(&o, ".spec.secretName"), Some(&json!("tls")));
        assert_eq!(first(&o, ".spec.ports[1]"), Some(&json!(2)));
        assert_eq!(
            first(&o, ".status.conditions[?(@.type==\"Ready\")].status"),
            Some(&json!("True"))
        );
        assert_eq!(
            first(&o, ".status.conditions[?(@.type=='Nope')].status"),
            None
        );
        assert_eq!(first(&o, ".spec.ports[*]"), Some(&json!(1)));
    }
}
