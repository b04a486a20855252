//! ARM resource ids and scopes. ARM compares them case-insensitively but hands them
//! back in the casing they were created with, so a `ResourceId` carries both: the
//! original text and a normalised key used for every comparison and lookup.

use std::fmt;
use std::hash::{Hash, Hasher};

use crate::error::ArmError;

#[derive(Debug, Clone)]
pub struct ResourceId {
    id: String,
    key: String,
}

/// Collapses runs of `/` and drops a trailing `/`, so `//subscriptions//x/` and
/// `/subscriptions/x` are the same path.
pub fn collapse_slashes(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(seg);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// The normalised form of an id or name: what two equal ids have in common.
/// ARM compares ids ordinally ignoring case, folding a character only to the
/// lower case that folds back to it: `K` and `k` are one, the Kelvin sign
/// (U+212A), which lower-cases to `k` but is not its upper case, stays itself.
pub fn normalise(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars().map(fold).collect()
}

/// `c`'s lower case when that is one character whose upper case is `c` again.
fn fold(c: char) -> char {
    let mut lower = c.to_lowercase();
    let (Some(l), None) = (lower.next(), lower.next()) else {
        return c;
    };
    let mut upper = l.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) if u == c => l,
        _ => c,
    }
}

impl ResourceId {
    /// Parses an id or scope (`/`, `/subscriptions/{s}`, `…/resourceGroups/{rg}`, any
    /// resource below). It must be absolute.
    pub fn parse(raw: &str) -> Result<Self, ArmError> {
        // `.` and `..` would name another scope than the one written.
        let dot_segment = raw.split('/').any(|seg| seg == "." || seg == "..");
        if !raw.starts_with('/') || dot_segment {
            return Err(ArmError::InvalidResourceId(raw.to_string()));
        }
        Ok(Self::from_path(&collapse_slashes(raw)))
    }

    fn from_path(id: &str) -> Self {
        Self {
            key: normalise(id),
            id: id.to_string(),
        }
    }

    pub fn root() -> Self {
        Self::from_path("/")
    }

    pub fn subscription(subscription_id: &str) -> Self {
        Self::from_path(&format!("/subscriptions/{subscription_id}"))
    }

    pub fn resource_group(subscription_id: &str, name: &str) -> Self {
        Self::from_path(&format!(
            "/subscriptions/{subscription_id}/resourceGroups/{name}"
        ))
    }

    /// `self` + `/seg1/seg2…`
    pub fn child(&self, segments: &[&str]) -> Self {
        let mut id = if self.id == "/" {
            String::new()
        } else {
            self.id.clone()
        };
        for s in segments {
            id.push('/');
            id.push_str(s);
        }
        Self::from_path(&id)
    }

    pub fn as_str(&self) -> &str {
        &self.id
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn segments(&self) -> Vec<&str> {
        self.id.split('/').filter(|s| !s.is_empty()).collect()
    }

    pub fn subscription_id(&self) -> Option<&str> {
        let segs = self.segments();
        match segs.as_slice() {
            [first, sub, ..] if first.eq_ignore_ascii_case("subscriptions") => Some(sub),
            _ => None,
        }
    }

    pub fn resource_group_name(&self) -> Option<&str> {
        let segs = self.segments();
        match segs.as_slice() {
            [s, _, rg, name, ..]
                if s.eq_ignore_ascii_case("subscriptions")
                    && rg.eq_ignore_ascii_case("resourcegroups") =>
            {
                Some(name)
            }
            _ => None,
        }
    }

    /// True when `self` is `scope` or lies below it.
    pub fn is_within(&self, scope: &ResourceId) -> bool {
        scope.key == "/"
            || self.key == scope.key
            || (self.key.starts_with(&scope.key) && self.key.as_bytes()[scope.key.len()] == b'/')
    }

    /// The scopes that contain `self`, from the root down to `self`: `/`, the
    /// subscription, the group, then each resource level (`providers/ns/type/name`,
    /// then `childType/childName` pairs).
    pub fn ancestors_or_self(&self) -> Vec<ResourceId> {
        let segs = self.segments();
        let mut cuts = vec![0];
        let is = |i: usize, name: &str| segs.get(i).is_some_and(|s| s.eq_ignore_ascii_case(name));
        let mut i = 0;
        if is(0, "subscriptions") && segs.len() >= 2 {
            i = 2;
            cuts.push(i);
            if is(2, "resourcegroups") && segs.len() >= 4 {
                i = 4;
                cuts.push(i);
            }
        }
        while i < segs.len() {
            let step = if is(i, "providers") { 4 } else { 2 };
            if segs.len() < i + step {
                break;
            }
            i += step;
            cuts.push(i);
        }
        if cuts.last() != Some(&segs.len()) {
            cuts.push(segs.len());
        }
        cuts.into_iter()
            .map(|n| {
                if n == 0 {
                    ResourceId::root()
                } else {
                    ResourceId::from_path(&format!("/{}", segs[..n].join("/")))
                }
            })
            .collect()
    }

    /// The key prefix that every id strictly below `self` starts with.
    pub fn descendant_prefix(&self) -> String {
        if self.key == "/" {
            "/".to_string()
        } else {
            format!("{}/", self.key)
        }
    }
}

impl PartialEq for ResourceId {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for ResourceId {}

impl Hash for ResourceId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kelvin_is_not_k_and_dot_segments_are_refused() {
        let ascii = ResourceId::parse("/subscriptions/s/resourceGroups/k").unwrap();
        let kelvin = ResourceId::parse("/subscriptions/s/resourceGroups/\u{212A}").unwrap();
        assert_ne!(ascii.key(), kelvin.key());
        let upper = ResourceId::parse("/subscriptions/s/resourceGroups/\u{c9}T\u{c9}").unwrap();
        assert_eq!(upper.key(), "/subscriptions/s/resourcegroups/\u{e9}t\u{e9}");
        assert!(ResourceId::parse("/subscriptions/s/resourceGroups/a/../b").is_err());
        assert!(ResourceId::parse("/subscriptions/s/./resourceGroups/a").is_err());
    }

    #[test]
    fn equal_ignoring_case_but_keeps_original() {
        let a = ResourceId::parse("/subscriptions/S/resourceGroups/MyRG")
            .unwrap_or_else(|e| panic!("{e}"));
        let b = ResourceId::parse("//subscriptions/s/resourcegroups/myrg/")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "/subscriptions/S/resourceGroups/MyRG");
        assert_eq!(b.resource_group_name(), Some("myrg"));
        assert_eq!(a.subscription_id(), Some("S"));
    }

    #[test]
    fn within_is_segment_aware() {
        let rg = ResourceId::resource_group("s", "rg");
        let inside = rg.child(&["providers", "Microsoft.X", "t", "n"]);
        let sibling = ResourceId::resource_group("s", "rg2");
        assert!(inside.is_within(&rg));
        assert!(rg.is_within(&rg));
        assert!(!sibling.is_within(&rg));
        assert!(rg.is_within(&ResourceId::root()));
        assert!(rg.is_within(&ResourceId::subscription("S")));
    }

    #[test]
    fn ancestors() {
        let id = ResourceId::parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a")
            .unwrap_or_else(|e| panic!("{e}"));
        let a: Vec<String> = id
            .ancestors_or_self()
            .iter()
            .map(|x| x.as_str().to_string())
            .collect();
        assert_eq!(
            a,
            vec![
                "/",
                "/subscriptions/s",
                "/subscriptions/s/resourceGroups/rg",
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a",
            ]
        );
        assert_eq!(ResourceId::root().ancestors_or_self().len(), 1);
    }

    #[test]
    fn relative_ids_are_rejected() {
        assert!(ResourceId::parse("subscriptions/x").is_err());
    }
}
