//! The caller-indexed view of role assignments the gate evaluates against. The
//! store is the source of truth; this index is rebuilt from it at start and a
//! principal's entry is reloaded after every change to its assignments.
//!
//! It is compact, so that 100,000 assignments fit in a few MiB: scopes and role
//! ids are interned once, and an assignment is a scope number, a role number and
//! its GUID name (its full id is rebuilt from those when an explanation needs it).
//! Deciding allocates nothing; explanations are built only for denials.

use std::collections::HashMap;
use std::sync::Arc;

use aksemu_core::ResourceId;
use serde_json::{Value, json};

use crate::assignment::Assignment;
use crate::role::{RoleDefinition, role_guid};

/// One assignment, as the hot loop reads it (16 bytes).
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The last 8 bytes of the scope key: with `scope_len`, a candidate is matched
    /// against the target's prefixes without touching the scope string (then
    /// confirmed by comparing it).
    scope_tail: u64,
    scope: u32,
    scope_len: u16,
    role: u16,
}

/// A principal's assignments; names (GUIDs) are kept apart, read only to explain,
/// and so are effective windows, allocated only when some assignment has one.
#[derive(Debug, Default)]
struct Principal {
    entries: Vec<Entry>,
    names: Vec<[u8; 16]>,
    windows: Option<Vec<(i64, i64)>>,
}

const ALWAYS: (i64, i64) = (i64::MIN, i64::MAX);

impl Principal {
    fn push(&mut self, e: Entry, name: [u8; 16], window: Option<(i64, i64)>) {
        if let Some(w) = window {
            let n = self.entries.len();
            self.windows.get_or_insert_with(|| vec![ALWAYS; n]).push(w);
        } else if let Some(ws) = &mut self.windows {
            ws.push(ALWAYS);
        }
        self.entries.push(e);
        self.names.push(name);
    }

    fn window(&self, i: usize) -> (i64, i64) {
        self.windows
            .as_ref()
            .and_then(|w| w.get(i).copied())
            .unwrap_or(ALWAYS)
    }
}

/// Fx-style hashing for lookups on the decision path: keys are GUIDs and ids the
/// server generated, and SipHash's flood resistance cost more than the rest of a
/// decision.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0 ^ w).wrapping_mul(K).rotate_left(26);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0 ^ b as u64).wrapping_mul(K).rotate_left(26);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

/// Strings stored once, shared by the lookup map and the numbered list.
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<Arc<str>, u32>,
    values: Vec<Arc<str>>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.values.len() as u32;
        let shared: Arc<str> = Arc::from(s);
        self.ids.insert(shared.clone(), i);
        self.values.push(shared);
        i
    }

    fn get(&self, i: u32) -> &str {
        self.values
            .get(i as usize)
            .map(|b| &**b)
            .unwrap_or_default()
    }
}

/// The last 8 bytes of `s[..len]` (zero-padded on the left when shorter).
#[inline]
fn tail(s: &[u8], len: usize) -> u64 {
    if len >= 8 {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(&s[len - 8..len]);
        return u64::from_le_bytes(buf);
    }
    s[..len].iter().fold(0u64, |acc, &b| (acc << 8) | b as u64) << (8 * (8 - len) as u32 % 64)
}

#[derive(Debug, Default)]
pub struct AssignmentIndex {
    /// Normalised scope keys; `scope_ids` keeps the original casing where it differs.
    scopes: Interner,
    scope_ids: HashMap<u32, Box<str>>,
    /// Role definition GUIDs (lower case).
    roles: Interner,
    by_principal: HashMap<Box<str>, Principal, FxBuild>,
}

/// `target` is `scope` or lies below it (both normalised keys).
fn within(target: &str, scope: &str) -> bool {
    scope == "/"
        || target == scope
        || (target.len() > scope.len()
            && target.as_bytes()[scope.len()] == b'/'
            && target.starts_with(scope))
}

fn lower(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(s.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

impl AssignmentIndex {
    pub fn from_assignments(all: impl IntoIterator<Item = Assignment>) -> Self {
        let mut index = Self::default();
        for a in all {
            let (e, name) = index.entry(&a);
            let p = index
                .by_principal
                .entry(lower(&a.principal_id).into())
                .or_default();
            p.push(e, name, a.window);
        }
        for p in index.by_principal.values_mut() {
            p.entries.shrink_to_fit();
            p.names.shrink_to_fit();
        }
        index
    }

    fn entry(&mut self, a: &Assignment) -> (Entry, [u8; 16]) {
        let scope = self.scopes.intern(a.scope.key());
        if a.scope.as_str() != a.scope.key() {
            self.scope_ids.insert(scope, a.scope.as_str().into());
        }
        let name =
            a.id.rsplit('/')
                .next()
                .and_then(|n| uuid::Uuid::parse_str(n).ok())
                .unwrap_or_default();
        let key = a.scope.key();
        let entry = Entry {
            scope_tail: tail(key.as_bytes(), key.len()),
            scope,
            scope_len: key.len().min(u16::MAX as usize) as u16,
            role: self.roles.intern(&role_guid(&a.role_definition_id)) as u16,
        };
        (entry, *name.as_bytes())
    }

    /// Replaces one principal's assignments (after a change in the store).
    pub fn replace(&mut self, principal_id: &str, assignments: Vec<Assignment>) {
        let key: Box<str> = lower(principal_id).into();
        if assignments.is_empty() {
            self.by_principal.remove(&key);
        } else {
            let mut p = Principal::default();
            for a in &assignments {
                let (e, name) = self.entry(a);
                p.push(e, name, a.window);
            }
            self.by_principal.insert(key, p);
        }
    }

    fn principal(&self, principal_id: &str) -> Option<&Principal> {
        self.by_principal.get(&*lower(principal_id))
    }

    fn entries(&self, principal_id: &str) -> &[Entry] {
        self.principal(principal_id)
            .map(|p| p.entries.as_slice())
            .unwrap_or_default()
    }

    /// Each entry of the principal with its name and effective window.
    fn named(&self, principal_id: &str) -> Vec<(Entry, [u8; 16], (i64, i64))> {
        self.principal(principal_id)
            .map(|p| {
                p.entries
                    .iter()
                    .zip(&p.names)
                    .enumerate()
                    .map(|(i, (e, n))| (*e, *n, p.window(i)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether one of the principal's assignments at `target` or above grants
    /// `action` at virtual time `now` (unix seconds). `target` is a normalised
    /// scope key.
    pub fn allows<'r>(
        &self,
        principal_id: &str,
        action: &str,
        target: &str,
        now: i64,
        role: impl Fn(&str) -> Option<&'r RoleDefinition>,
    ) -> bool {
        let Some(p) = self.principal(principal_id) else {
            return false;
        };
        let bytes = target.as_bytes();
        p.entries.iter().enumerate().any(|(i, e)| {
            // The root contains everything; another scope can only contain the
            // target if the target has a `/` (or ends) right after it and shares
            // its last bytes; the string comparison then confirms.
            let len = e.scope_len as usize;
            let candidate = len == 1
                || (len <= bytes.len()
                    && (len == bytes.len() || bytes[len] == b'/')
                    && tail(bytes, len) == e.scope_tail);
            candidate
                && (len == 1 || bytes[..len] == *self.scopes.get(e.scope).as_bytes())
                && {
                    let (from, until) = p.window(i);
                    from <= now && now < until
                }
                && role(self.roles.get(e.role as u32)).is_some_and(|r| r.grants(action))
        })
    }

    /// Whether the principal holds any assignment at, above or below `target`.
    pub fn has_any_around(&self, principal_id: &str, target: &str) -> bool {
        self.entries(principal_id).iter().any(|e| {
            let s = self.scopes.get(e.scope);
            within(target, s) || within(s, target)
        })
    }

    fn scope_id(&self, e: &Entry) -> String {
        match self.scope_ids.get(&e.scope) {
            Some(original) => original.to_string(),
            None => self.scopes.get(e.scope).to_string(),
        }
    }

    fn assignment_id(&self, e: &Entry, name: [u8; 16]) -> String {
        let scope = self.scope_id(e);
        let base = if scope == "/" { "" } else { scope.as_str() };
        format!(
            "{base}/providers/Microsoft.Authorization/roleAssignments/{}",
            uuid::Uuid::from_bytes(name)
        )
    }

    /// Why none of the principal's assignments grants `action` at `target`.
    pub fn explain<'r>(
        &self,
        principal_id: &str,
        action: &str,
        target: &str,
        now: i64,
        role: impl Fn(&str) -> Option<&'r RoleDefinition>,
    ) -> Vec<Value> {
        let mut out: Vec<Value> = self
            .named(principal_id)
            .iter()
            .map(|(e, name, (from, until))| {
                let r = role(self.roles.get(e.role as u32));
                let at = |t: i64| {
                    time::OffsetDateTime::from_unix_timestamp(t)
                        .map(aksemu_core::clock::rfc3339)
                        .unwrap_or_default()
                };
                let pending;
                let reason = if !within(target, self.scopes.get(e.scope)) {
                    "assignment scope does not contain the requested scope"
                } else if *from > now {
                    pending = format!("not yet effective until {} (role assignments take time to propagate)", at(*from));
                    pending.as_str()
                } else if *until <= now {
                    "deleted, and no longer effective"
                } else if r.is_none() {
                    "role definition not found"
                } else if r.is_some_and(|r| r.grants(action)) {
                    "role grants the action"
                } else {
                    "role does not grant the action (no matching action, or excluded by notActions)"
                };
                json!({
                    "roleAssignmentId": self.assignment_id(e, *name),
                    "scope": self.scope_id(e),
                    "roleDefinitionName": r.map(|r| r.role_name.as_str()).unwrap_or("<unknown role>"),
                    "reason": reason,
                })
            })
            .collect();
        if out.is_empty() {
            out.push(json!({"reason": "the caller has no role assignments"}));
        }
        out
    }

    /// The principal's assignments, materialised (for listings and tests).
    pub fn of(&self, principal_id: &str) -> Vec<Assignment> {
        self.named(principal_id)
            .iter()
            .filter_map(|(e, name, window)| {
                Some(Assignment {
                    window: (*window != ALWAYS).then_some(*window),
                    id: self.assignment_id(e, *name),
                    scope: ResourceId::parse(&self.scope_id(e)).ok()?,
                    role_definition_id: self.roles.get(e.role as u32).to_string(),
                    principal_id: principal_id.to_lowercase(),
                })
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        self.by_principal.values().map(|p| p.entries.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.by_principal.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::{READER, builtin_role};

    #[test]
    fn tails() {
        let t = "/subscriptions/s/resourcegroups/rg/providers/x.y/t/n";
        for a in ["/subscriptions/s", "/subscriptions/s/resourcegroups/rg", t] {
            assert_eq!(tail(t.as_bytes(), a.len()), tail(a.as_bytes(), a.len()));
        }
        assert_ne!(tail(t.as_bytes(), 16), tail(b"/subscriptions/x", 16));
    }

    #[test]
    fn decides_and_explains() {
        let rg = ResourceId::resource_group("S", "RG");
        let a = Assignment {
            id: format!(
                "{rg}/providers/Microsoft.Authorization/roleAssignments/11111111-1111-1111-1111-111111111111"
            ),
            scope: rg.clone(),
            role_definition_id: format!(
                "/subscriptions/S/providers/Microsoft.Authorization/roleDefinitions/{READER}"
            ),
            principal_id: "P".into(),
            window: None,
        };
        let idx = AssignmentIndex::from_assignments([a.clone()]);
        let inside = rg.child(&["providers", "x.y", "t", "n"]);
        assert!(idx.allows("p", "X.Y/t/read", inside.key(), 0, builtin_role));
        assert!(!idx.allows("p", "X.Y/t/write", inside.key(), 0, builtin_role));
        assert!(!idx.allows(
            "p",
            "X.Y/t/read",
            ResourceId::resource_group("s", "rg2").key(),
            0,
            builtin_role
        ));
        let why = idx.explain("P", "X.Y/t/write", inside.key(), 0, builtin_role);
        assert_eq!(why[0]["roleAssignmentId"], a.id.as_str());
        assert_eq!(why[0]["roleDefinitionName"], "Reader");
        assert_eq!(idx.of("p")[0].id, a.id);

        // A propagation window: nothing before `from`, nothing from `until` on.
        let mut late = a.clone();
        late.window = Some((100, 200));
        let idx = AssignmentIndex::from_assignments([late]);
        assert!(!idx.allows("p", "X.Y/t/read", inside.key(), 99, builtin_role));
        assert!(idx.allows("p", "X.Y/t/read", inside.key(), 100, builtin_role));
        assert!(!idx.allows("p", "X.Y/t/read", inside.key(), 200, builtin_role));
        let why = idx.explain("p", "X.Y/t/read", inside.key(), 99, builtin_role);
        assert!(
            why[0]["reason"]
                .as_str()
                .unwrap_or_default()
                .starts_with("not yet effective until")
        );
    }
}
