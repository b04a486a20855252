//! `aksemu bench decision-log`: what recording a decision costs, beside what
//! making it costs, in one process and one run. The reference is the
//! evaluator's own decision (`aksemu_authz::authorize` against an index of
//! 10,000 assignments), so the ratio says how much the log adds to each
//! request's authorization.

use std::hint::black_box;
use std::time::Instant;

use aksemu_arm::rbac::decisions::{DecisionLog, Outcome};
use aksemu_authz::builtin::CONTRIBUTOR;
use aksemu_authz::{Assignment, AssignmentIndex, Decider, Requirement, authorize};
use aksemu_core::{Principal, PrincipalKind, ResourceId};
use clap::Args;
use serde_json::json;

#[derive(Args)]
pub struct DecisionArgs {
    /// Decisions per measurement.
    #[arg(long, default_value_t = 1_000_000)]
    count: u64,
    /// Decisions the log keeps (as `serve --decision-log`).
    #[arg(long, default_value_t = aksemu_arm::rbac::decisions::DEFAULT_CAPACITY)]
    capacity: usize,
}

fn principal(i: usize) -> Principal {
    Principal {
        object_id: format!("00000000-0000-0000-0000-{i:012}"),
        app_id: format!("10000000-0000-0000-0000-{i:012}"),
        tenant_id: "t".into(),
        kind: PrincipalKind::Application,
        groups: Vec::new(),
    }
}

/// 10,000 Contributor assignments on 1,000 groups for 1,000 principals.
fn index() -> AssignmentIndex {
    let all = (0..10_000).map(|i| {
        let rg = ResourceId::resource_group("s", &format!("rg{}", i % 1_000));
        Assignment {
            id: format!("{rg}/providers/Microsoft.Authorization/roleAssignments/{i}"),
            scope: rg,
            role_definition_id: format!(
                "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}"
            ),
            principal_id: principal(i % 1_000).object_id,
            window: None,
        }
    });
    let mut index = AssignmentIndex::from_assignments(all);
    index.resolve_roles(|g| aksemu_authz::builtin::builtin_role(g).cloned());
    index
}

/// Nanoseconds per call of `f` over `count` calls.
fn per_call(count: u64, mut f: impl FnMut(u64)) -> f64 {
    let start = Instant::now();
    for i in 0..count {
        f(i);
    }
    start.elapsed().as_nanos() as f64 / count as f64
}

pub fn run(a: DecisionArgs) -> anyhow::Result<()> {
    let index = index();
    let principals: Vec<Principal> = (0..1_000).map(principal).collect();
    let scopes: Vec<ResourceId> = (0..1_000)
        .map(|i| ResourceId::resource_group("s", &format!("rg{i}")))
        .collect();
    let action = "Microsoft.Resources/subscriptions/resourceGroups/read";
    let decider = Decider {
        tenant_id: "t",
        administrator: "admin",
        index: Some(&index),
        now: 0,
    };
    let decide = per_call(a.count, |i| {
        let (p, s) = (&principals[i as usize % 1_000], &scopes[i as usize % 1_000]);
        black_box(authorize(p, Requirement::Scope { action, scope: s }, &decider).is_ok());
    });
    let log = DecisionLog::new(a.capacity);
    let record = |log: &DecisionLog, i: u64| {
        let (p, s) = (&principals[i as usize % 1_000], &scopes[i as usize % 1_000]);
        let o = Outcome {
            principal: p,
            action,
            scope: s.as_str(),
            data: false,
            at: 0,
        };
        log.record(o, None);
    };
    let closed = per_call(a.count, |i| record(&log, i));
    // A reader that keeps up, as the console's feed does.
    let mut rx = log.subscribe();
    let open = per_call(a.count, |i| {
        record(&log, i);
        while rx.try_recv().is_ok() {}
    });
    let out = json!({
        "count": a.count,
        "capacity": a.capacity,
        "decide_ns": round(decide),
        "record_ns_feed_closed": round(closed),
        "record_ns_feed_open": round(open),
        "record_over_decide_closed": round(closed / decide),
        "record_over_decide_open": round(open / decide),
    });
    println!("{out}");
    Ok(())
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
