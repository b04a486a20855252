//! The caller-indexed view of role assignments the gate evaluates against. The
//! store is the source of truth; this index is rebuilt from it at start and a
//! principal's entry is reloaded after every change to its assignments.

use std::collections::HashMap;

use crate::assignment::Assignment;

#[derive(Debug, Default)]
pub struct AssignmentIndex {
    by_principal: HashMap<String, Vec<Assignment>>,
}

impl AssignmentIndex {
    pub fn from_assignments(all: impl IntoIterator<Item = Assignment>) -> Self {
        let mut by_principal: HashMap<String, Vec<Assignment>> = HashMap::new();
        for a in all {
            by_principal
                .entry(a.principal_id.to_lowercase())
                .or_default()
                .push(a);
        }
        Self { by_principal }
    }

    /// The assignments naming `principal_id`.
    pub fn of(&self, principal_id: &str) -> &[Assignment] {
        // Object ids are GUIDs, stored lower-case; avoid allocating when they already are.
        if principal_id.bytes().any(|b| b.is_ascii_uppercase()) {
            self.by_principal
                .get(&principal_id.to_lowercase())
                .map(Vec::as_slice)
                .unwrap_or_default()
        } else {
            self.by_principal
                .get(principal_id)
                .map(Vec::as_slice)
                .unwrap_or_default()
        }
    }

    /// Replaces one principal's assignments (after a change in the store).
    pub fn replace(&mut self, principal_id: &str, assignments: Vec<Assignment>) {
        let key = principal_id.to_lowercase();
        if assignments.is_empty() {
            self.by_principal.remove(&key);
        } else {
            self.by_principal.insert(key, assignments);
        }
    }

    pub fn len(&self) -> usize {
        self.by_principal.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.by_principal.is_empty()
    }
}
