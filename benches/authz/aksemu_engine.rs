//! aksemu's evaluator as one more engine of the bench-peers authz harness (this
//! file is added to a scratch copy of the harness by benches/authz.sh). It sees
//! the harness's workload exactly as the server would hold it: role definitions
//! and role assignments, loaded into `aksemu_authz::AssignmentIndex`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Instant;

use aksemu_authz::{ActionKind, Assignment, AssignmentIndex, FxBuild, Permission, RoleDefinition};
use aksemu_core::ResourceId;

use crate::{Engine, ROLES, Workload};

pub struct AksemuEngine {
    index: AssignmentIndex,
    kind: ActionKind,
}

impl AksemuEngine {
    pub fn build(w: &Workload) -> Self {
        Self::build_kind(w, ActionKind::Control)
    }

    /// The same workload with every role's patterns as `dataActions` /
    /// `notDataActions`, decided as data actions: the same answers, so the
    /// harness's labels still check them.
    pub fn build_data(w: &Workload) -> Self {
        Self::build_kind(w, ActionKind::Data)
    }

    fn build_kind(w: &Workload, kind: ActionKind) -> Self {
        let roles: Vec<RoleDefinition> = ROLES
            .iter()
            .enumerate()
            .map(|(i, d)| RoleDefinition {
                name: format!("00000000-0000-0000-0000-{i:012}"),
                role_name: d.name.to_string(),
                description: String::new(),
                built_in: false,
                permissions: vec![{
                    let allow: Vec<String> = d.actions.iter().map(|s| s.to_string()).collect();
                    let deny: Vec<String> = d.not_actions.iter().map(|s| s.to_string()).collect();
                    match kind {
                        ActionKind::Control => Permission { actions: allow, not_actions: deny, ..Permission::default() },
                        ActionKind::Data => Permission { data_actions: allow, not_data_actions: deny, ..Permission::default() },
                    }
                }],
                assignable_scopes: vec!["/".to_string()],
            })
            .collect();
        let mut index = AssignmentIndex::from_assignments(w.assignments.iter().enumerate().map(|(i, a)| {
            let scope = &w.scopes[a.scope as usize];
            Assignment {
                id: format!("{scope}/providers/Microsoft.Authorization/roleAssignments/10000000-0000-0000-0000-{i:012}"),
                scope: ResourceId::parse(scope).expect("workload scopes are absolute"),
                role_definition_id: format!("/providers/Microsoft.Authorization/roleDefinitions/{}", roles[a.role as usize].name),
                principal_id: w.principals[a.principal as usize].clone(),
                window: None,
            }
        }));
        let roles: HashMap<String, RoleDefinition, FxBuild> = roles.into_iter().map(|r| (r.name.clone(), r)).collect();
        index.resolve_roles(|g| roles.get(g).cloned());
        AksemuEngine { index, kind }
    }
}

impl Engine for AksemuEngine {
    #[inline]
    fn check(&self, principal: &str, action: &str, target: &str) -> bool {
        self.index.allows_kind(principal, action, target, 0, self.kind)
    }
}

/// Times every decision of an inner engine and prints the latency percentiles
/// to stderr after `SAMPLES` decisions (a separate run from the throughput one,
/// so the clock reads do not slow it).
pub struct Timed {
    inner: Box<dyn Engine>,
    samples: RefCell<Vec<u32>>,
}

const SAMPLES: usize = 50_000;

impl Timed {
    pub fn new(inner: Box<dyn Engine>) -> Self {
        Timed { inner, samples: RefCell::new(Vec::with_capacity(SAMPLES)) }
    }
}

impl Engine for Timed {
    fn check(&self, principal: &str, action: &str, target: &str) -> bool {
        let t = Instant::now();
        let r = self.inner.check(principal, action, target);
        let ns = t.elapsed().as_nanos().min(u32::MAX as u128) as u32;
        let mut s = self.samples.borrow_mut();
        if s.len() < SAMPLES {
            s.push(ns);
            if s.len() == SAMPLES {
                let mut v = s.clone();
                v.sort_unstable();
                let p = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)];
                eprintln!("{{\"p50_ns\":{},\"p99_ns\":{},\"p999_ns\":{},\"samples\":{}}}", p(0.5), p(0.99), p(0.999), v.len());
            }
        }
        r
    }
}
