//! The `$filter` forms clients send for lookups: `prop eq 'v'`,
//! `startswith(prop,'v')`, `servicePrincipalNames/any(c:c eq 'v')` (Graph), and
//! the ARM role filters built on the same literals.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Eq {
        property: String,
        value: String,
    },
    StartsWith {
        property: String,
        value: String,
    },
    AnyEq {
        collection: String,
        value: String,
    },
    /// `a and b …`: every clause holds (az's `displayName eq … and mailNickname eq …`).
    All(Vec<Filter>),
}

/// Parses a quoted OData string literal (`'it''s'` → `it's`), returning it and the rest.
pub fn literal(s: &str) -> Option<(String, &str)> {
    let s = s.trim_start().strip_prefix('\'')?;
    let mut out = String::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if chars.peek().map(|(_, n)| *n) == Some('\'') {
                out.push('\'');
                chars.next();
            } else {
                return Some((out, &s[i + 1..]));
            }
        } else {
            out.push(c);
        }
    }
    None
}

/// The clauses of `a and b …`, split outside string literals.
fn clauses(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    let lower = s.to_ascii_lowercase();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            quoted = !quoted;
        } else if !quoted && lower.as_bytes()[i..].starts_with(b" and ") {
            out.push(&s[start..i]);
            i += 5;
            start = i;
            continue;
        }
        i += 1;
    }
    out.push(&s[start..]);
    out
}

/// `None`: not a form aksemu understands (callers answer with their API's error).
pub fn parse(raw: &str) -> Option<Filter> {
    match clauses(raw.trim()).as_slice() {
        [one] => clause(one),
        many => many
            .iter()
            .map(|c| clause(c))
            .collect::<Option<Vec<_>>>()
            .map(Filter::All),
    }
}

fn clause(raw: &str) -> Option<Filter> {
    let s = raw.trim();
    if let Some(rest) = s.strip_prefix("startswith(") {
        let (property, rest) = rest.split_once(',')?;
        let (value, rest) = literal(rest)?;
        if rest.trim() != ")" {
            return None;
        }
        return Some(Filter::StartsWith {
            property: property.trim().to_string(),
            value,
        });
    }
    if let Some((collection, rest)) = s.split_once("/any(") {
        // `c:c eq 'v')`
        let (var, rest) = rest.split_once(':')?;
        let rest = rest.trim_start().strip_prefix(var.trim())?;
        let rest = rest.trim_start().strip_prefix("eq")?;
        let (value, rest) = literal(rest)?;
        if rest.trim() != ")" {
            return None;
        }
        return Some(Filter::AnyEq {
            collection: collection.trim().to_string(),
            value,
        });
    }
    let (property, rest) = s.split_once(' ')?;
    let rest = rest.trim_start().strip_prefix("eq")?;
    let (value, rest) = literal(rest)?;
    if !rest.trim().is_empty() {
        return None;
    }
    Some(Filter::Eq {
        property: property.to_string(),
        value,
    })
}

impl Filter {
    /// Graph compares these properties case-insensitively.
    pub fn matches(&self, object: &Value) -> bool {
        let text = |p: &str| object[p].as_str().map(str::to_lowercase);
        match self {
            Filter::Eq { property, value } => text(property) == Some(value.to_lowercase()),
            Filter::StartsWith { property, value } => {
                text(property).is_some_and(|t| t.starts_with(&value.to_lowercase()))
            }
            Filter::AnyEq { collection, value } => object[collection].as_array().is_some_and(|a| {
                a.iter()
                    .any(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(value)))
            }),
            Filter::All(all) => all.iter().all(|f| f.matches(object)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conjunctions_outside_literals() {
        let f = parse("displayName eq 'a and b' and mailNickname eq 'x'").unwrap();
        assert!(f.matches(&json!({"displayName": "A and B", "mailNickname": "x"})));
        assert!(!f.matches(&json!({"displayName": "a and b", "mailNickname": "y"})));
        assert_eq!(parse("displayName eq 'a' and"), None);
    }

    #[test]
    fn forms_az_sends() {
        assert_eq!(
            parse("displayName eq 'my app'").unwrap(),
            Filter::Eq {
                property: "displayName".into(),
                value: "my app".into()
            }
        );
        assert_eq!(
            parse("startswith(displayName,'ci-bot')").unwrap(),
            Filter::StartsWith {
                property: "displayName".into(),
                value: "ci-bot".into()
            }
        );
        let any = parse("servicePrincipalNames/any(c:c eq 'abc')").unwrap();
        assert!(any.matches(&json!({"servicePrincipalNames": ["ABC", "x"]})));
        assert_eq!(
            parse("displayName eq 'it''s'").unwrap(),
            Filter::Eq {
                property: "displayName".into(),
                value: "it's".into()
            }
        );
        assert!(parse("displayName ne 'x'").is_none());
        assert!(parse("displayName eq 'x' or 1").is_none());
    }
}
