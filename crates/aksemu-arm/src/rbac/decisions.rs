//! The decision log: the last authorization decisions the cloud made, in a
//! bounded ring, and a broadcast of each new one for the console's live feed.
//! It holds ids, actions and scopes only: never a token or a secret.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use aksemu_core::{ArmError, Principal};
use serde_json::Value;
use tokio::sync::broadcast;

/// How many decisions are kept by default.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// One decision, as the console shows it.
#[derive(Debug, Clone)]
pub struct Decision {
    /// Increasing from 1 over the server's life (the feed's event id).
    pub seq: u64,
    /// Cloud time, unix seconds.
    pub at: i64,
    pub object_id: String,
    pub app_id: String,
    pub action: String,
    pub scope: String,
    /// A data action (inside a resource) rather than a control-plane action.
    pub data: bool,
    pub allowed: bool,
    /// For a denial: the assignments considered and why each did not grant.
    pub explanation: Vec<Value>,
}

/// Assignments kept per denial: a principal with hundreds of assignments
/// must not make each kept denial hundreds of entries long.
pub const EXPLAINED: usize = 20;

fn bounded(explanation: &[Value]) -> Vec<Value> {
    let mut kept: Vec<Value> = explanation.iter().take(EXPLAINED).cloned().collect();
    if explanation.len() > EXPLAINED {
        let more = explanation.len() - EXPLAINED;
        let reason = format!("and {more} more assignments");
        kept.push(serde_json::json!({"reason": reason, "more": more}));
    }
    kept
}

/// What a caller reports of a decision it made.
pub struct Outcome<'a> {
    pub principal: &'a Principal,
    pub action: &'a str,
    pub scope: &'a str,
    pub data: bool,
    pub at: i64,
}

pub struct DecisionLog {
    capacity: usize,
    seq: AtomicU64,
    ring: Mutex<VecDeque<Arc<Decision>>>,
    feed: broadcast::Sender<Arc<Decision>>,
}

impl DecisionLog {
    /// A log keeping the last `capacity` decisions (0 keeps none and sends none).
    pub fn new(capacity: usize) -> Self {
        let (feed, _) = broadcast::channel(1024);
        Self {
            capacity,
            seq: AtomicU64::new(0),
            ring: Mutex::new(VecDeque::with_capacity(capacity.min(DEFAULT_CAPACITY))),
            feed,
        }
    }

    /// Records a decision; `denial` is the error a denied caller gets, whose
    /// explanation is kept (at most `EXPLAINED` assignments, then a count).
    pub fn record(&self, o: Outcome<'_>, denial: Option<&ArmError>) {
        if self.capacity == 0 {
            return;
        }
        let explanation = match denial {
            Some(ArmError::AuthorizationFailed { explanation, .. }) => bounded(explanation),
            _ => Vec::new(),
        };
        let mut d = Decision {
            seq: 0,
            at: o.at,
            object_id: o.principal.object_id.clone(),
            app_id: o.principal.app_id.clone(),
            action: o.action.to_string(),
            scope: o.scope.to_string(),
            data: o.data,
            allowed: denial.is_none(),
            explanation,
        };
        // Numbered, kept and sent under one lock: the feed sees them in order.
        let mut ring = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        d.seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let d = Arc::new(d);
        if ring.len() == self.capacity {
            ring.pop_front();
        }
        ring.push_back(d.clone());
        // Nobody listening is the usual case and costs nothing.
        if self.feed.receiver_count() > 0 {
            let _ = self.feed.send(d);
        }
    }

    /// The number of the last decision made (0: none yet).
    pub fn last_seq(&self) -> u64 {
        self.seq.load(Ordering::Relaxed)
    }

    /// The kept decisions, oldest first, and the number of the last one made,
    /// read together (a page and the feed that follows it).
    pub fn snapshot(&self) -> (Vec<Arc<Decision>>, u64) {
        let ring = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        (ring.iter().cloned().collect(), self.last_seq())
    }

    /// Every decision from now on (a slow reader skips what it missed).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Decision>> {
        self.feed.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aksemu_core::PrincipalKind;

    fn p() -> Principal {
        Principal {
            object_id: "oid".into(),
            app_id: "app".into(),
            tenant_id: "t".into(),
            kind: PrincipalKind::Application,
            groups: Vec::new(),
        }
    }

    fn outcome<'a>(p: &'a Principal, action: &'a str) -> Outcome<'a> {
        Outcome {
            principal: p,
            action,
            scope: "/subscriptions/s",
            data: false,
            at: 7,
        }
    }

    #[test]
    fn keeps_the_last_capacity_decisions_in_order() {
        let log = DecisionLog::new(3);
        let p = p();
        for a in ["a", "b", "c", "d"] {
            log.record(outcome(&p, a), None);
        }
        let kept: Vec<_> = log.snapshot().0.iter().map(|d| d.action.clone()).collect();
        assert_eq!(kept, ["b", "c", "d"]);
        assert_eq!(log.snapshot().0[2].seq, 4);
    }

    #[test]
    fn a_denial_keeps_its_explanation_and_subscribers_see_it() {
        let log = DecisionLog::new(3);
        let mut rx = log.subscribe();
        let p = p();
        let err = ArmError::AuthorizationFailed {
            client_id: "app".into(),
            object_id: "oid".into(),
            action: "x".into(),
            scope: "/".into(),
            explanation: vec![serde_json::json!({"reason": "none"})],
        };
        log.record(outcome(&p, "x"), Some(&err));
        let d = rx.try_recv().expect("sent");
        assert!(!d.allowed);
        assert_eq!(d.explanation[0]["reason"], "none");
    }

    #[test]
    fn a_long_explanation_is_cut_with_a_count() {
        let log = DecisionLog::new(3);
        let err = ArmError::AuthorizationFailed {
            client_id: "app".into(),
            object_id: "oid".into(),
            action: "x".into(),
            scope: "/".into(),
            explanation: vec![serde_json::json!({"reason": "r"}); 50],
        };
        log.record(outcome(&p(), "x"), Some(&err));
        let kept = &log.snapshot().0[0].explanation;
        assert_eq!(kept.len(), EXPLAINED + 1);
        assert_eq!(kept[EXPLAINED]["reason"], "and 30 more assignments");
    }

    #[test]
    fn capacity_zero_keeps_nothing() {
        let log = DecisionLog::new(0);
        log.record(outcome(&p(), "a"), None);
        assert!(log.snapshot().0.is_empty());
    }
}
