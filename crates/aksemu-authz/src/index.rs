//! The caller-indexed view of role assignments the gate evaluates against. The
//! store is the source of truth; this index is rebuilt from it at start and a
//! principal's entry is reloaded after every change to its assignments.
//!
//! It is compact, so that 100,000 assignments fit in a few MiB: scopes and role
//! ids are interned once, and an assignment is a scope number, a role number and
//! its GUID name (its full id is rebuilt from those when an explanation needs it).
//! Deciding allocates nothing; explanations are built only for denials.

use std::collections::HashMap;

use aksemu_core::ResourceId;
use serde_json::{Value, json};

use crate::assignment::Assignment;
use crate::role::{RoleDefinition, role_guid};

#[derive(Debug, Clone, Copy)]
struct Entry {
    scope: u32,
    role: u32,
    /// The assignment's name (a GUID), as bytes.
    name: [u8; 16],
}

#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<Box<str>, u32>,
    values: Vec<Box<str>>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.values.len() as u32;
        self.ids.insert(s.into(), i);
        self.values.push(s.into());
        i
    }

    fn get(&self, i: u32) -> &str {
        self.values
            .get(i as usize)
            .map(|b| &**b)
            .unwrap_or_default()
    }
}

#[derive(Debug, Default)]
pub struct AssignmentIndex {
    /// Normalised scope keys; `scope_ids` keeps the original casing where it differs.
    scopes: Interner,
    scope_ids: HashMap<u32, Box<str>>,
    /// Role definition GUIDs (lower case).
    roles: Interner,
    by_principal: HashMap<Box<str>, Vec<Entry>>,
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
            let e = index.entry(&a);
            index
                .by_principal
                .entry(lower(&a.principal_id).into())
                .or_default()
                .push(e);
        }
        for v in index.by_principal.values_mut() {
            v.shrink_to_fit();
        }
        index
    }

    fn entry(&mut self, a: &Assignment) -> Entry {
        let scope = self.scopes.intern(a.scope.key());
        if a.scope.as_str() != a.scope.key() {
            self.scope_ids.insert(scope, a.scope.as_str().into());
        }
        let name =
            a.id.rsplit('/')
                .next()
                .and_then(|n| uuid::Uuid::parse_str(n).ok())
                .unwrap_or_default();
        Entry {
            scope,
            role: self.roles.intern(&role_guid(&a.role_definition_id)),
            name: *name.as_bytes(),
        }
    }

    /// Replaces one principal's assignments (after a change in the store).
    pub fn replace(&mut self, principal_id: &str, assignments: Vec<Assignment>) {
        let key: Box<str> = lower(principal_id).into();
        if assignments.is_empty() {
            self.by_principal.remove(&key);
        } else {
            let entries = assignments.iter().map(|a| self.entry(a)).collect();
            self.by_principal.insert(key, entries);
        }
    }

    fn entries(&self, principal_id: &str) -> &[Entry] {
        self.by_principal
            .get(&*lower(principal_id))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Whether one of the principal's assignments at `target` or above grants
    /// `action`. `target` is a normalised scope key.
    pub fn allows<'r>(
        &self,
        principal_id: &str,
        action: &str,
        target: &str,
        role: impl Fn(&str) -> Option<&'r RoleDefinition>,
    ) -> bool {
        self.entries(principal_id).iter().any(|e| {
            within(target, self.scopes.get(e.scope))
                && role(self.roles.get(e.role)).is_some_and(|r| r.grants(action))
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

    fn assignment_id(&self, e: &Entry) -> String {
        let scope = self.scope_id(e);
        let base = if scope == "/" { "" } else { scope.as_str() };
        format!(
            "{base}/providers/Microsoft.Authorization/roleAssignments/{}",
            uuid::Uuid::from_bytes(e.name)
        )
    }

    /// Why none of the principal's assignments grants `action` at `target`.
    pub fn explain<'r>(
        &self,
        principal_id: &str,
        action: &str,
        target: &str,
        role: impl Fn(&str) -> Option<&'r RoleDefinition>,
    ) -> Vec<Value> {
        let mut out: Vec<Value> = self
            .entries(principal_id)
            .iter()
            .map(|e| {
                let r = role(self.roles.get(e.role));
                let reason = if !within(target, self.scopes.get(e.scope)) {
                    "assignment scope does not contain the requested scope"
                } else if r.is_none() {
                    "role definition not found"
                } else if r.is_some_and(|r| r.grants(action)) {
                    "role grants the action"
                } else {
                    "role does not grant the action (no matching action, or excluded by notActions)"
                };
                json!({
                    "roleAssignmentId": self.assignment_id(e),
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
        self.entries(principal_id)
            .iter()
            .filter_map(|e| {
                Some(Assignment {
                    id: self.assignment_id(e),
                    scope: ResourceId::parse(&self.scope_id(e)).ok()?,
                    role_definition_id: self.roles.get(e.role).to_string(),
                    principal_id: principal_id.to_lowercase(),
                })
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        self.by_principal.values().map(Vec::len).sum()
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
        };
        let idx = AssignmentIndex::from_assignments([a.clone()]);
        let inside = rg.child(&["providers", "x.y", "t", "n"]);
        assert!(idx.allows("p", "X.Y/t/read", inside.key(), builtin_role));
        assert!(!idx.allows("p", "X.Y/t/write", inside.key(), builtin_role));
        assert!(!idx.allows(
            "p",
            "X.Y/t/read",
            ResourceId::resource_group("s", "rg2").key(),
            builtin_role
        ));
        let why = idx.explain("P", "X.Y/t/write", inside.key(), builtin_role);
        assert_eq!(why[0]["roleAssignmentId"], a.id.as_str());
        assert_eq!(why[0]["roleDefinitionName"], "Reader");
        assert_eq!(idx.of("p")[0].id, a.id);
    }
}
