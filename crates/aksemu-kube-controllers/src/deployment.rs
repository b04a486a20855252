//! The Deployment controller: one ReplicaSet per pod template (named
//! `<deployment>-<pod-template-hash>`, revision in an annotation); the current
//! one is scaled to `spec.replicas` and the others to zero; status and the
//! Available/Progressing conditions follow the sets' pods, with
//! `observedGeneration`, which `kubectl rollout status` waits for.

use serde_json::{Value, json};

use crate::client::{CallError, Client};
use crate::events::{self, Source};
use crate::meta::{controller_ref, deleting, name, now, owned_by, uid};

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

/// Brings Deployment `ns/name`'s sets in line, then its status.
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
    let newest = sets.iter().map(revision).max().unwrap_or(0);
    let current = match sets
        .iter()
        .find(|r| r["metadata"]["labels"]["pod-template-hash"] == hash)
    {
        // Back to an older template (`rollout undo`): that set becomes the newest revision.
        Some(r) if revision(r) < newest => {
            let patch = json!({"metadata": {"annotations": {REVISION: (newest + 1).to_string()}}});
            c.merge_patch(&format!("{rs_path}/{}", name(r)), patch)
                .await?
        }
        Some(r) => r.clone(),
        None => c.create(&rs_path, new_set(&d, &hash, newest + 1)).await?,
    };
    // The Deployment carries its current revision too (`rollout undo` patches it).
    let rev = revision(&current).to_string();
    if d["metadata"]["annotations"][REVISION] != rev.as_str() {
        c.merge_patch(&path, json!({"metadata": {"annotations": {REVISION: rev}}}))
            .await?;
    }
    let fresh = !sets.iter().any(|r| name(r) == name(&current));
    let had = if fresh {
        0
    } else {
        current["spec"]["replicas"].as_u64().unwrap_or(0)
    };
    if had != want {
        if !fresh {
            c.merge_patch(
                &format!("{rs_path}/{}", name(&current)),
                json!({"spec": {"replicas": want}}),
            )
            .await?;
        }
        scaled(c, &d, name(&current), had, want).await?;
    }
    for old in sets.iter().filter(|r| name(r) != name(&current)) {
        if old["spec"]["replicas"].as_u64() != Some(0) {
            let from = old["spec"]["replicas"].as_u64().unwrap_or(0);
            scaled(c, &d, name(old), from, 0).await?;
            c.merge_patch(
                &format!("{rs_path}/{}", name(old)),
                json!({"spec": {"replicas": 0}}),
            )
            .await?;
        }
    }
    status(c, &path, &d, &current, &sets).await
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

fn condition(kind: &str, ok: bool, reason: &str, message: String, old: &Value) -> Value {
    let status = if ok { "True" } else { "False" };
    let previous = old
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == kind));
    let since = match previous {
        Some(p) if p["status"] == status => p["lastTransitionTime"].clone(),
        _ => json!(now()),
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
