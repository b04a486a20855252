//! What a change to an object asks the controllers to look at.

use aksemu_store::{Change, ChangeOp};
use serde_json::Value;

use crate::meta::controller_of;

/// One thing to reconcile, in one cluster and namespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Work {
    Namespace {
        uid: String,
        name: String,
    },
    /// The quotas of a namespace (something in it changed).
    Quotas {
        uid: String,
        ns: String,
    },
    /// A quota of a namespace changed: its namespace has quotas to keep.
    QuotaChanged {
        uid: String,
        ns: String,
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
    /// Pods waiting for a node (capacity or nodes changed).
    Unscheduled {
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
    /// A Service's load balancer in the cloud (its own changes only, not its pods').
    LoadBalancer {
        uid: String,
        ns: String,
        name: String,
    },
    CronJob {
        uid: String,
        ns: String,
        name: String,
    },
    /// A PersistentVolumeClaim: bind, provision, attach where its pods run.
    Claim {
        uid: String,
        ns: String,
        name: String,
    },
    /// A PersistentVolume: its reclaim once released.
    Volume {
        uid: String,
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

/// The work on an object of `kind` (its Kind) in cluster `uid`, if any.
fn for_kind(kind: &str, uid: &str, ns: &str, name: &str) -> Option<Work> {
    let (uid, ns, name) = (uid.to_string(), ns.to_string(), name.to_string());
    Some(match kind {
        "Deployment" => Work::Deployment { uid, ns, name },
        "ReplicaSet" => Work::ReplicaSet { uid, ns, name },
        "DaemonSet" => Work::DaemonSet { uid, ns, name },
        "StatefulSet" => Work::StatefulSet { uid, ns, name },
        "Job" => Work::Job { uid, ns, name },
        "CronJob" => Work::CronJob { uid, ns, name },
        "Service" => Work::Service { uid, ns, name },
        "Pod" => Work::Pod { uid, ns, name },
        _ => return None,
    })
}

/// The Kind stored under a key's type segment (`deployments.apps`).
fn kind_of(segment: &str) -> &str {
    match segment {
        "deployments.apps" => "Deployment",
        "replicasets.apps" => "ReplicaSet",
        "daemonsets.apps" => "DaemonSet",
        "statefulsets.apps" => "StatefulSet",
        "jobs.batch" => "Job",
        "cronjobs.batch" => "CronJob",
        "services" => "Service",
        "pods" => "Pod",
        "nodes" => "Node",
        "persistentvolumeclaims" => "PersistentVolumeClaim",
        "persistentvolumes" => "PersistentVolume",
        "namespaces" => "Namespace",
        _ => "",
    }
}

/// The work a change makes: the object itself, what watches it, and its controller.
pub fn from_change(c: &Change) -> Vec<Work> {
    let mut parts = c.key.splitn(4, '/');
    let (Some(uid), Some(segment), Some(ns), Some(name)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Vec::new();
    };
    let kind = kind_of(segment);
    let mut out = Vec::new();
    // Services also clean up after themselves when deleted.
    if c.op != ChangeOp::Deleted || kind == "Service" {
        out.extend(for_kind(kind, uid, ns, name));
    }
    // Anything namespaced may count against the namespace's quotas.
    if segment == "resourcequotas" {
        out.push(Work::QuotaChanged {
            uid: uid.into(),
            ns: ns.into(),
        });
    } else if !ns.is_empty() {
        out.push(Work::Quotas {
            uid: uid.into(),
            ns: ns.into(),
        });
    }
    let body: Value = serde_json::from_str(&c.body).unwrap_or_default();
    match kind {
        "PersistentVolumeClaim" => out.push(Work::Claim {
            uid: uid.into(),
            ns: ns.into(),
            name: name.into(),
        }),
        "PersistentVolume" if c.op != ChangeOp::Deleted => out.push(Work::Volume {
            uid: uid.into(),
            name: name.into(),
        }),
        // A pod that comes, moves or goes changes where its claims are attached.
        "Pod" => {
            out.extend(
                crate::meta::claims_of(&body)
                    .into_iter()
                    .map(|claim| Work::Claim {
                        uid: uid.into(),
                        ns: ns.into(),
                        name: claim,
                    }),
            );
            out.push(Work::Services {
                uid: uid.into(),
                ns: ns.into(),
            });
        }
        "Service" => out.push(Work::LoadBalancer {
            uid: uid.into(),
            ns: ns.into(),
            name: name.into(),
        }),
        "Node" if c.op == ChangeOp::Deleted => {
            out.push(Work::NodeGone {
                uid: uid.into(),
                name: name.into(),
            });
            out.push(Work::DaemonSets { uid: uid.into() });
        }
        "Node" => {
            out.push(Work::DaemonSets { uid: uid.into() });
            out.push(Work::Unscheduled { uid: uid.into() });
        }
        "Namespace" if c.op == ChangeOp::Created => out.push(Work::Namespace {
            uid: uid.into(),
            name: name.into(),
        }),
        _ => {}
    }
    if let Some((owner_kind, owner)) = controller_of(&body) {
        out.extend(for_kind(&owner_kind, uid, ns, &owner));
    }
    out
}
