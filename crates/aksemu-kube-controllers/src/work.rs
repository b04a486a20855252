//! What a change to an object asks the controllers to look at.

use aksemu_store::{Change, ChangeOp};
use serde_json::Value;

use crate::meta::controller_of;

/// One thing to reconcile, in one cluster and namespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Work {
    Namespace {
        uid: String,
        name: String,
    },
    Deployment {
        uid: String,
        ns: String,
        name: String,
    },
    ReplicaSet {
        uid: String,
        ns: String,
        name: String,
    },
    DaemonSet {
        uid: String,
        ns: String,
        name: String,
    },
    StatefulSet {
        uid: String,
        ns: String,
        name: String,
    },
    /// Every DaemonSet of a cluster (its nodes changed).
    DaemonSets {
        uid: String,
    },
    /// A node went away: its pods go too (their controllers replace them).
    NodeGone {
        uid: String,
        name: String,
    },
    Job {
        uid: String,
        ns: String,
        name: String,
    },
    Service {
        uid: String,
        ns: String,
        name: String,
    },
    /// Every Service of a namespace (its pods changed).
    Services {
        uid: String,
        ns: String,
    },
    Pod {
        uid: String,
        ns: String,
        name: String,
    },
}

/// The work a change makes: the object itself, and its controller.
pub fn from_change(c: &Change) -> Vec<Work> {
    let mut parts = c.key.splitn(4, '/');
    let (Some(uid), Some(kind), Some(ns), Some(name)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Vec::new();
    };
    let (uid, ns, name) = (uid.to_string(), ns.to_string(), name.to_string());
    let body: Value = serde_json::from_str(&c.body).unwrap_or_default();
    let owner = controller_of(&body);
    let mut out = Vec::new();
    match kind {
        "deployments.apps" if c.op != ChangeOp::Deleted => out.push(Work::Deployment {
            uid: uid.clone(),
            ns: ns.clone(),
            name,
        }),
        "replicasets.apps" => {
            if c.op != ChangeOp::Deleted {
                out.push(Work::ReplicaSet {
                    uid: uid.clone(),
                    ns: ns.clone(),
                    name,
                });
            }
            if let Some(("Deployment", d)) = owner.as_ref().map(|(k, n)| (k.as_str(), n.clone())) {
                out.push(Work::Deployment { uid, ns, name: d });
            }
        }
        "statefulsets.apps" if c.op != ChangeOp::Deleted => out.push(Work::StatefulSet {
            uid: uid.clone(),
            ns: ns.clone(),
            name,
        }),
        "daemonsets.apps" if c.op != ChangeOp::Deleted => out.push(Work::DaemonSet {
            uid: uid.clone(),
            ns: ns.clone(),
            name,
        }),
        "nodes" => {
            if c.op == ChangeOp::Deleted {
                out.push(Work::NodeGone {
                    uid: uid.clone(),
                    name,
                });
            }
            out.push(Work::DaemonSets { uid: uid.clone() });
        }
        "services" => out.push(Work::Service {
            uid: uid.clone(),
            ns: ns.clone(),
            name,
        }),
        "namespaces" if c.op == ChangeOp::Created => out.push(Work::Namespace {
            uid: uid.clone(),
            name,
        }),
        "jobs.batch" if c.op != ChangeOp::Deleted => out.push(Work::Job {
            uid: uid.clone(),
            ns: ns.clone(),
            name,
        }),
        "pods" => {
            out.push(Work::Services {
                uid: uid.clone(),
                ns: ns.clone(),
            });
            if c.op != ChangeOp::Deleted {
                out.push(Work::Pod {
                    uid: uid.clone(),
                    ns: ns.clone(),
                    name,
                });
            }
            match owner.as_ref().map(|(k, n)| (k.as_str(), n.clone())) {
                Some(("ReplicaSet", r)) => out.push(Work::ReplicaSet { uid, ns, name: r }),
                Some(("Job", j)) => out.push(Work::Job { uid, ns, name: j }),
                Some(("DaemonSet", d)) => out.push(Work::DaemonSet { uid, ns, name: d }),
                Some(("StatefulSet", d)) => out.push(Work::StatefulSet { uid, ns, name: d }),
                _ => {}
            }
        }
        _ => {}
    }
    out
}
