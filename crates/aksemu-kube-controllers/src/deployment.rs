//! The Deployment controller: one ReplicaSet per pod template (named
//! `<deployment>-<pod-template-hash>`, revision in an annotation); the current
//! one is scaled to `spec.replicas` and the others to zero; status and the
//! Available/Progressing conditions follow the sets' pods, with
//! `observedGeneration`, which `kubectl rollout status` waits for.

use serde_json::{Value, json};

use crate::client::{CallError, Client};
use crate::events::{self, Source};
use crate::meta::{controller_ref, deleting, name, owned_by, uid};

const REVISION: &str = "deployment.kubernetes.io/revision";

/// Ten characters from the template, as `pod-template-hash` values look.
pub fn template_hash(template: &Value) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, template.to_string().as_bytes());
    d.as_ref()[..10]
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

fn revision(rs: &Value) -> u64 {
    rs["metadata"]["annotations"][REVISION]
        .as_str()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn new_set(d: &Value, hash: &str, revision: u64) -> Value {
    let mut template = d["spec"]["template"].clone();
    template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
    let mut selector = d["spec"]["selector"].clone();
    selector["matchLabels"]["pod-template-hash"] = json!(hash);
    json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
           "metadata": {"name": format!("{}-{hash}", name(d)), "labels": template["metadata"]["labels"],
                        "annotations": {REVISION: revision.to_string(),
                                        "deployment.kubernetes.io/desired-replicas": d["spec"]["replicas"].to_string()},
                        "ownerReferences": [controller_ref(d)]},
           "spec": {"replicas": d["spec"]["replicas"], "selector": selector, "template": template}})
}

/// `maxSurge`/`maxUnavailable` of `want`: a count, or a percentage rounded
/// up (surge) or down (unavailable).
fn resolve(v: &Value, want: u64, up: bool, default_pct: u64) -> u64 {
    let pct = |p: u64| {
        if up {
            (want * p).div_ceil(100)
        } else {
            want * p / 100
        }
    };
    match v {
        Value::Number(n) => n.as_u64().unwrap_or(0),
        Value::String(s) => s.trim_end_matches('%').parse().map(pct).unwrap_or(0),
        _ => pct(default_pct),
    }
}

/// How far a rolling update may go above `want` and below it.
fn budget(d: &Value, want: u64) -> (u64, u64) {
    let ru = &d["spec"]["strategy"]["rollingUpdate"];
    let surge = resolve(&ru["maxSurge"], want, true, 25);
    let unavailable = resolve(&ru["maxUnavailable"], want, false, 25);
    (
        surge,
        if surge == 0 && unavailable == 0 {
            1
        } else {
            unavailable
        },
    )
}

fn replicas(r: &Value) -> u64 {
    r["spec"]["replicas"].as_u64().unwrap_or(0)
}

fn ready(r: &Value) -> u64 {
    r["status"]["readyReplicas"].as_u64().unwrap_or(0)
}

/// The next size of the new set and of each old one, one step of the
/// strategy (Recreate: old ones to zero first; RollingUpdate: within the
/// surge and unavailability budgets).
fn plan(d: &Value, new: Option<&Value>, old: &[&Value], want: u64) -> (u64, Vec<u64>) {
    let new_now = new.map(replicas).unwrap_or(0);
    let old_total: u64 = old.iter().map(|r| replicas(r)).sum();
    if old_total == 0 {
        return (want, old.iter().map(|_| 0).collect());
    }
    if d["spec"]["strategy"]["type"] == "Recreate" {
        let old_pods: u64 = old
            .iter()
            .map(|r| r["status"]["replicas"].as_u64().unwrap_or(0))
            .sum();
        return (
            if old_pods == 0 { want } else { new_now },
            old.iter().map(|_| 0).collect(),
        );
    }
    let (surge, unavailable) = budget(d, want);
    let room = (want + surge).saturating_sub(old_total + new_now);
    let new_target = want.min(new_now + room);
    // Old pods may go while enough stay available (unready ones always may).
    let available = new.map(ready).unwrap_or(0) + old.iter().map(|r| ready(r)).sum::<u64>();
    let mut removable = available.saturating_sub(want.saturating_sub(unavailable));
    let targets = old
        .iter()
        .map(|r| {
            let unready = replicas(r).saturating_sub(ready(r));
            let cut = (unready + removable).min(replicas(r));
            removable = removable.saturating_sub(cut.saturating_sub(unready));
            replicas(r) - cut
        })
        .collect();
    (new_target, targets)
}

/// Brings Deployment `ns/name`'s sets one step towards its template and
/// count, then its status.
pub async fn reconcile(c: &Client, ns: &str, d_name: &str) -> Result<(), CallError> {
    let path = format!("/apis/apps/v1/namespaces/{ns}/deployments/{d_name}");
    let Some(d) = c.get(&path).await? else {
        return Ok(());
    };
    if deleting(&d) {
        return Ok(());
    }
    let rs_path = format!("/apis/apps/v1/namespaces/{ns}/replicasets");
    let sets: Vec<Value> = c
        .list(&rs_path)
        .await?
        .into_iter()
        .filter(|r| owned_by(r, uid(&d)))
        .collect();
    let hash = template_hash(&d["spec"]["template"]);
    let want = d["spec"]["replicas"].as_u64().unwrap_or(1);
    let existing = sets
        .iter()
        .find(|r| r["metadata"]["labels"]["pod-template-hash"] == hash);
    let old: Vec<&Value> = sets
        .iter()
        .filter(|r| r["metadata"]["labels"]["pod-template-hash"] != hash)
        .collect();
    let (new_target, old_targets) = plan(&d, existing, &old, want);
    let current = current_set(c, &rs_path, &d, existing, &sets, &hash, new_target).await?;
    let had = existing.map(replicas).unwrap_or(0);
    if had != new_target {
        if existing.is_some() {
            c.merge_patch(
                &format!("{rs_path}/{}", name(&current)),
                json!({"spec": {"replicas": new_target}}),
            )
            .await?;
        }
        scaled(c, &d, name(&current), had, new_target).await?;
    }
    for (r, target) in old.iter().zip(old_targets) {
        if replicas(r) != target {
            scaled(c, &d, name(r), replicas(r), target).await?;
            c.merge_patch(
                &format!("{rs_path}/{}", name(r)),
                json!({"spec": {"replicas": target}}),
            )
            .await?;
        }
    }
    status(c, &path, &d, &current, &sets).await
}

/// The set of the current template: found (made the newest revision if an
/// older template came back), or made with `replicas`.
async fn current_set(
    c: &Client,
    rs_path: &str,
    d: &Value,
    existing: Option<&Value>,
    sets: &[Value],
    hash: &str,
    replicas: u64,
) -> Result<Value, CallError> {
    let newest = sets.iter().map(revision).max().unwrap_or(0);
    let current = match existing {
        // Back to an older template (`rollout undo`): that set becomes the newest revision.
        Some(r) if revision(r) < newest => {
            let patch = json!({"metadata": {"annotations": {REVISION: (newest + 1).to_string()}}});
            c.merge_patch(&format!("{rs_path}/{}", name(r)), patch)
                .await?
        }
        Some(r) => r.clone(),
        None => {
            let mut set = new_set(d, hash, newest + 1);
            set["spec"]["replicas"] = json!(replicas);
            c.create(rs_path, set).await?
        }
    };
    // The Deployment carries its current revision too (`rollout undo` patches it).
    let rev = revision(&current).to_string();
    if d["metadata"]["annotations"][REVISION] != rev.as_str() {
        let path = format!(
            "{}/deployments/{}",
            rs_path.trim_end_matches("/replicasets"),
            name(d)
        );
        c.merge_patch(&path, json!({"metadata": {"annotations": {REVISION: rev}}}))
            .await?;
    }
    Ok(current)
}

/// The ScalingReplicaSet event a scale of one of the sets makes.
async fn scaled(c: &Client, d: &Value, set: &str, from: u64, to: u64) -> Result<(), CallError> {
    let way = if to > from { "up" } else { "down" };
    let msg = format!("Scaled {way} replica set {set} from {from} to {to}");
    let source = Source {
        component: "deployment-controller",
        host: None,
    };
    events::emit(c, d, "Normal", "ScalingReplicaSet", &msg, source).await
}

fn condition(kind: &str, ok: bool, reason: &str, message: String, old: &Value, at: &str) -> Value {
    let status = if ok { "True" } else { "False" };
    let previous = old
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == kind));
    let since = match previous {
        Some(p) if p["status"] == status => p["lastTransitionTime"].clone(),
        _ => json!(at),
    };
    json!({"type": kind, "status": status, "reason": reason, "message": message,
           "lastUpdateTime": since, "lastTransitionTime": since})
}

async fn status(
    c: &Client,
    path: &str,
    d: &Value,
    current: &Value,
    sets: &[Value],
) -> Result<(), CallError> {
    let want = d["spec"]["replicas"].as_u64().unwrap_or(1);
    let count = |r: &Value, f: &str| r["status"][f].as_u64().unwrap_or(0);
    let total: u64 = sets
        .iter()
        .map(|r| count(r, "replicas"))
        .sum::<u64>()
        .max(count(current, "replicas"));
    let updated = count(current, "replicas");
    let ready = count(current, "readyReplicas");
    let old = &d["status"]["conditions"];
    let at = c.now();
    let available = condition(
        "Available",
        ready >= want,
        if ready >= want {
            "MinimumReplicasAvailable"
        } else {
            "MinimumReplicasUnavailable"
        },
        if ready >= want {
            "Deployment has minimum availability.".into()
        } else {
            "Deployment does not have minimum availability.".into()
        },
        old,
        &at,
    );
    let done = updated == want && ready == want && total == want;
    let rs_name = name(current);
    let progressing = condition(
        "Progressing",
        true,
        if done {
            "NewReplicaSetAvailable"
        } else {
            "ReplicaSetUpdated"
        },
        if done {
            format!("ReplicaSet \"{rs_name}\" has successfully progressed.")
        } else {
            format!("ReplicaSet \"{rs_name}\" is progressing.")
        },
        old,
        &at,
    );
    let mut st = json!({"observedGeneration": d["metadata"]["generation"], "replicas": total, "updatedReplicas": updated,
                        "readyReplicas": ready, "availableReplicas": ready, "conditions": [available, progressing]});
    if want > ready {
        st["unavailableReplicas"] = json!(want - ready);
    }
    if d["status"] == st {
        return Ok(());
    }
    let mut patch = st.clone();
    if want <= ready {
        // A merge patch removes with null; the stored status then equals `st`.
        patch["unavailableReplicas"] = Value::Null;
    }
    c.merge_patch(&format!("{path}/status"), json!({"status": patch}))
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(spec: u64, ready: u64) -> Value {
        json!({"spec": {"replicas": spec}, "status": {"replicas": spec, "readyReplicas": ready}})
    }

    #[test]
    fn a_rolling_update_steps_within_its_budget() {
        let d = json!({"spec": {"replicas": 3, "strategy": {"type": "RollingUpdate"}}});
        assert_eq!(budget(&d, 3), (1, 0));
        // Surge one new pod; no old one may go before it is ready.
        assert_eq!(plan(&d, Some(&set(0, 0)), &[&set(3, 3)], 3), (1, vec![3]));
        // The new one is ready: one old one may go, no more room to surge.
        assert_eq!(plan(&d, Some(&set(1, 1)), &[&set(3, 3)], 3), (1, vec![2]));
        assert_eq!(plan(&d, Some(&set(1, 1)), &[&set(2, 2)], 3), (2, vec![2]));
        assert_eq!(plan(&d, Some(&set(3, 3)), &[&set(1, 1)], 3), (3, vec![0]));
        // Unready old pods may always go.
        assert_eq!(plan(&d, Some(&set(1, 0)), &[&set(3, 1)], 3), (1, vec![1]));
        // Recreate: old to zero first, then the new one.
        let r = json!({"spec": {"replicas": 2, "strategy": {"type": "Recreate"}}});
        assert_eq!(plan(&r, None, &[&set(2, 2)], 2), (0, vec![0]));
        assert_eq!(
            plan(
                &r,
                None,
                &[&json!({"spec": {"replicas": 0}, "status": {"replicas": 0}})],
                2
            ),
            (2, vec![0])
        );
        let pct = json!({"spec": {"strategy": {"rollingUpdate": {"maxSurge": "50%", "maxUnavailable": 1}}}});
        assert_eq!(budget(&pct, 5), (3, 1));
    }
}
