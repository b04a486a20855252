//! Owner references on delete, as the garbage collector and
//! `propagationPolicy` decide: `Background` (the default) removes the
//! dependents (and theirs) just after the owner, `Foreground` removes them
//! with the owner in one batch, `Orphan` drops the owner's reference from
//! them. Dependents live in the owner's namespace, or anywhere for a
//! cluster-scoped owner.

use std::collections::BTreeSet;
use std::sync::Arc;

use aksemu_store::{Cond, Write};
use serde_json::Value;

use crate::KubeApi;
use crate::error::KubeError;
use crate::objects;
use crate::resources::{ResourceType, TYPES, by_kind};

/// How a delete treats the objects the deleted one owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagation {
    Background,
    Foreground,
    Orphan,
}

impl Propagation {
    /// From DeleteOptions (`propagationPolicy`, or the older `orphanDependents`).
    pub fn from_options(opts: &Value) -> Result<Self, KubeError> {
        match (
            opts["propagationPolicy"].as_str(),
            opts["orphanDependents"].as_bool(),
        ) {
            (Some("Background"), Some(true)) => Err(KubeError::BadRequest(
                "orphanDependents and propagationPolicy disagree".into(),
            )),
            (Some("Background") | None, None | Some(false)) => Ok(Propagation::Background),
            (Some("Foreground"), _) => Ok(Propagation::Foreground),
            (Some("Orphan"), _) | (None, Some(true)) => Ok(Propagation::Orphan),
            (Some(other), _) => Err(KubeError::BadRequest(format!(
                "propagationPolicy must be Orphan, Background or Foreground, not {other:?}"
            ))),
        }
    }
}

fn owned_by(obj: &Value, uid: &str) -> bool {
    obj["metadata"]["ownerReferences"]
        .as_array()
        .is_some_and(|refs| refs.iter().any(|r| r["uid"] == uid))
}

/// Every object of the cluster that `uid` owns, directly (namespaced types
/// only in `ns` when given).
async fn direct(
    api: &KubeApi,
    cluster: &str,
    uid: &str,
    ns: Option<&str>,
) -> Result<Vec<(&'static ResourceType, Value)>, KubeError> {
    let mut out = Vec::new();
    let crds = api.crds.get(api, cluster).await?;
    let mut seen = BTreeSet::new();
    for rt in TYPES
        .iter()
        .chain(crds.types())
        .filter(|t| t.storage == crate::resources::Storage::Stored)
    {
        // A CRD's versions share one store.
        if !seen.insert(rt.qualified()) {
            continue;
        }
        let scope = if rt.namespaced { ns } else { None };
        if ns.is_some() && !rt.namespaced {
            continue;
        }
        for o in objects::list(api, cluster, rt, scope).await?.0 {
            if owned_by(&o, uid) {
                out.push((rt, o));
            }
        }
    }
    Ok(out)
}

/// The dependents of `owner`, recursively (each once).
pub async fn dependents(
    api: &KubeApi,
    cluster: &str,
    owner: &Value,
) -> Result<Vec<(&'static ResourceType, Value)>, KubeError> {
    let mut seen = BTreeSet::new();
    let mut queue = vec![owner.clone()];
    let mut out = Vec::new();
    while let Some(o) = queue.pop() {
        let uid = o["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let ns = o["metadata"]["namespace"]
            .as_str()
            .filter(|n| !n.is_empty());
        for (rt, d) in direct(api, cluster, &uid, ns).await? {
            let duid = d["metadata"]["uid"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if seen.insert(duid) {
                queue.push(d.clone());
                out.push((rt, d));
            }
        }
    }
    Ok(out)
}

fn delete_write(cluster: &str, rt: &ResourceType, o: &Value) -> Write {
    let ns = o["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = o["metadata"]["name"].as_str().unwrap_or_default();
    objects::delete(cluster, rt, ns, name, Cond::Any)
}

/// Deletes of the dependents (Foreground, Background).
pub fn deletes(cluster: &str, deps: &[(&'static ResourceType, Value)]) -> Vec<Write> {
    deps.iter()
        .map(|(rt, o)| delete_write(cluster, rt, o))
        .collect()
}

/// Puts that drop `owner_uid` from its direct dependents (Orphan).
pub fn orphan(
    cluster: &str,
    owner_uid: &str,
    deps: &[(&'static ResourceType, Value)],
) -> Vec<Write> {
    deps.iter()
        .filter(|(_, o)| owned_by(o, owner_uid))
        .map(|(rt, o)| {
            let mut o = o.clone();
            if let Some(refs) = o["metadata"]["ownerReferences"].as_array_mut() {
                refs.retain(|r| r["uid"] != owner_uid);
            }
            objects::put(cluster, rt, &o, objects::at_version(&o))
        })
        .collect()
}

/// Background collection, as the garbage collector does it after the owner is gone.
pub fn collect_later(api: &Arc<KubeApi>, cluster: &str, owner: Value) {
    let (api, cluster) = (api.clone(), cluster.to_string());
    tokio::spawn(async move {
        let result = async {
            let deps = dependents(&api, &cluster, &owner).await?;
            if deps.is_empty() {
                return Ok::<_, KubeError>(());
            }
            let kind = by_kind(
                owner["apiVersion"].as_str().unwrap_or_default(),
                owner["kind"].as_str().unwrap_or_default(),
            );
            let rt = kind.unwrap_or(deps[0].0);
            objects::commit(&api, rt, "", deletes(&cluster, &deps))
                .await
                .map(|_| ())
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "collecting dependents failed");
        }
    });
}
