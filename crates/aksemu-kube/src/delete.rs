//! delete (preconditions, finalizers, `deletionTimestamp`, dry-run,
//! `propagationPolicy` through `gc`),
//! deletecollection, and namespace deletion: `Terminating` at once, then its
//! contents and itself removed in one transaction.

use std::sync::Arc;

use aksemu_store::{Cond, Write};
use serde_json::{Value, json};

use crate::KubeApi;
use crate::ctx::Ctx;
use crate::error::KubeError;
use crate::gc::{self, Propagation};
use crate::objects::{self, OBJECTS};
use crate::read::{existing, name_of, ns_of};
use crate::request::KubeResponse;
use crate::resources::{ResourceType, TYPES};
use crate::route::ResourcePath;
use crate::selectors::Selector;

/// Namespaces Kubernetes refuses to delete.
const PROTECTED: &[&str] = &["default", "kube-system", "kube-public"];

/// The DeleteOptions of a request body (empty or absent is fine).
fn options(ctx: &Ctx<'_>) -> Result<Value, KubeError> {
    if ctx.req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    crate::body::decode(ctx.req)
}

fn check_preconditions(rt: &ResourceType, obj: &Value, opts: &Value) -> Result<(), KubeError> {
    let pre = &opts["preconditions"];
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    for (field, label) in [("uid", "UID"), ("resourceVersion", "ResourceVersion")] {
        if let Some(want) = pre[field].as_str()
            && Some(want) != obj["metadata"][field].as_str()
        {
            let have = obj["metadata"][field].as_str().unwrap_or_default();
            return Err(KubeError::Conflict(
                format!(
                    "Operation cannot be fulfilled on {} \"{name}\": Precondition failed: {label} in precondition: {want}, {label} in object meta: {have}",
                    rt.qualified()
                ),
                rt.qualified(),
                name.to_string(),
            ));
        }
    }
    Ok(())
}

pub async fn delete(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<KubeResponse, KubeError> {
    let opts = options(ctx)?;
    Propagation::from_options(&opts)?;
    let obj = existing(ctx, rp).await?;
    check_preconditions(rp.rt, &obj, &opts)?;
    if rp.rt.kind == "Namespace" {
        return delete_namespace(ctx, rp, obj).await;
    }
    let has_finalizers = obj["metadata"]["finalizers"]
        .as_array()
        .is_some_and(|f| !f.is_empty());
    if has_finalizers {
        if obj["metadata"].get("deletionTimestamp").is_some() {
            return Ok(ctx.object(200, rp.rt, &obj));
        }
        let mut marked = obj.clone();
        marked["metadata"]["deletionTimestamp"] = json!(objects::now(ctx.api));
        marked["metadata"]["deletionGracePeriodSeconds"] =
            json!(opts["gracePeriodSeconds"].as_i64().unwrap_or(0));
        if ctx.req.dry_run() {
            return Ok(ctx.object(200, rp.rt, &marked));
        }
        let w = objects::put(ctx.uid(), rp.rt, &marked, objects::at_version(&obj));
        let rv = objects::commit(ctx.api, rp.rt, name_of(rp), vec![w]).await?;
        let stored = objects::with_rv(marked, rv.first().map(String::as_str).unwrap_or_default());
        return Ok(ctx.object(200, rp.rt, &stored));
    }
    if let Some(grace) = pod_grace(rp.rt, &obj, &opts) {
        return terminating(ctx, rp, obj, grace).await;
    }
    if !ctx.req.dry_run() {
        remove(ctx, rp, &obj, Propagation::from_options(&opts)?).await?;
    }
    Ok(ctx.object(200, rp.rt, &obj))
}

/// The grace period a running pod gets before it goes (the request's, else
/// the pod's `terminationGracePeriodSeconds`, else 30 s); `None`: it goes now
/// (not on a node, finished, or a zero grace period).
fn pod_grace(rt: &ResourceType, pod: &Value, opts: &Value) -> Option<i64> {
    let running = pod["spec"]["nodeName"].is_string()
        && !matches!(
            pod["status"]["phase"].as_str(),
            Some("Succeeded" | "Failed")
        );
    if rt.kind != "Pod" || !running {
        return None;
    }
    let grace = opts["gracePeriodSeconds"]
        .as_i64()
        .or_else(|| pod["spec"]["terminationGracePeriodSeconds"].as_i64())
        .unwrap_or(30);
    (grace > 0).then_some(grace)
}

/// A pod that stops within its grace period: `Terminating` (deletionTimestamp
/// is when it will be gone, on the cloud clock) until its kubelet removes it.
async fn terminating(
    ctx: &Ctx<'_>,
    rp: &ResourcePath,
    pod: Value,
    grace: i64,
) -> Result<KubeResponse, KubeError> {
    if pod["metadata"].get("deletionTimestamp").is_some() {
        return Ok(ctx.object(200, rp.rt, &pod));
    }
    let mut marked = pod.clone();
    let at = ctx.api.clock.now() + time::Duration::seconds(grace);
    marked["metadata"]["deletionTimestamp"] = json!(objects::ktime(at));
    marked["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
    if ctx.req.dry_run() {
        return Ok(ctx.object(200, rp.rt, &marked));
    }
    let w = objects::put(ctx.uid(), rp.rt, &marked, objects::at_version(&pod));
    let rv = objects::commit(ctx.api, rp.rt, name_of(rp), vec![w]).await?;
    let stored = objects::with_rv(marked, rv.first().map(String::as_str).unwrap_or_default());
    Ok(ctx.object(200, rp.rt, &stored))
}

/// Removes `obj`, with its dependents as `propagation` says.
async fn remove(
    ctx: &Ctx<'_>,
    rp: &ResourcePath,
    obj: &Value,
    propagation: Propagation,
) -> Result<(), KubeError> {
    let mut writes = vec![objects::delete(
        ctx.uid(),
        rp.rt,
        ns_of(rp),
        name_of(rp),
        objects::at_version(obj),
    )];
    match propagation {
        Propagation::Foreground => writes.extend(gc::deletes(
            ctx.uid(),
            &gc::dependents(ctx.api, ctx.uid(), obj).await?,
        )),
        Propagation::Orphan => {
            let owner = obj["metadata"]["uid"].as_str().unwrap_or_default();
            writes.extend(gc::orphan(
                ctx.uid(),
                owner,
                &gc::dependents(ctx.api, ctx.uid(), obj).await?,
            ));
        }
        Propagation::Background => {}
    }
    writes.extend(custom_objects_of(ctx.uid(), rp.rt, name_of(rp)));
    objects::commit(ctx.api, rp.rt, name_of(rp), writes).await?;
    if propagation == Propagation::Background {
        gc::collect_later(ctx.api, ctx.uid(), obj.clone());
    }
    Ok(())
}

async fn delete_namespace(
    ctx: &Ctx<'_>,
    rp: &ResourcePath,
    obj: Value,
) -> Result<KubeResponse, KubeError> {
    let name = name_of(rp).to_string();
    if PROTECTED.contains(&name.as_str()) {
        return Err(KubeError::Forbidden(
            format!("namespaces \"{name}\" is forbidden: this namespace may not be deleted"),
            "namespaces".into(),
            name,
        ));
    }
    if obj["status"]["phase"] == "Terminating" {
        return Ok(ctx.object(200, rp.rt, &obj));
    }
    let mut marked = obj.clone();
    marked["metadata"]["deletionTimestamp"] = json!(objects::now(ctx.api));
    marked["status"]["phase"] = json!("Terminating");
    if ctx.req.dry_run() {
        return Ok(ctx.object(200, rp.rt, &marked));
    }
    let w = objects::put(ctx.uid(), rp.rt, &marked, objects::at_version(&obj));
    let rv = objects::commit(ctx.api, rp.rt, &name, vec![w]).await?;
    let stored = objects::with_rv(marked, rv.first().map(String::as_str).unwrap_or_default());
    let (api, uid) = (ctx.api.clone(), ctx.uid().to_string());
    tokio::spawn(async move {
        // As the namespace controller: a moment later, everything goes.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        if let Err(e) = finish_namespace(&api, &uid, &name).await {
            tracing::warn!(error = %e, namespace = %name, "namespace deletion failed");
        }
    });
    Ok(ctx.object(200, rp.rt, &stored))
}

/// Removes a terminating namespace's contents and the namespace, in one batch.
pub async fn finish_namespace(api: &Arc<KubeApi>, uid: &str, ns: &str) -> Result<(), KubeError> {
    let crds = api.crds.get(api, uid).await?;
    let mut writes: Vec<Write> = TYPES
        .iter()
        .chain(crds.types())
        .filter(|t| t.namespaced)
        .map(|t| Write::DeletePrefix {
            coll: OBJECTS,
            prefix: objects::prefix(uid, t, Some(ns)),
        })
        .collect();
    if let Some(nst) = crate::resources::find("", "v1", "namespaces") {
        writes.push(objects::delete(uid, nst, "", ns, Cond::Any));
        objects::commit(api, nst, ns, writes).await?;
    }
    Ok(())
}

/// A CRD takes its custom objects with it (kube's customresourcecleanup),
/// whichever way it goes.
pub fn custom_objects_of(uid: &str, rt: &ResourceType, name: &str) -> Option<Write> {
    (rt.kind == "CustomResourceDefinition" && rt.custom.is_none()).then(|| Write::DeletePrefix {
        coll: OBJECTS,
        prefix: format!("{uid}/{name}/"),
    })
}

pub async fn delete_collection(
    ctx: &Ctx<'_>,
    rp: &ResourcePath,
) -> Result<KubeResponse, KubeError> {
    let sel = Selector::parse(
        ctx.req.param("labelSelector"),
        ctx.req.param("fieldSelector"),
    )?;
    let (items, _) = objects::list(ctx.api, ctx.uid(), rp.rt, rp.namespace.as_deref()).await?;
    let doomed: Vec<Value> = items.into_iter().filter(|o| sel.matches(o)).collect();
    if !ctx.req.dry_run() && !doomed.is_empty() {
        let writes = doomed
            .iter()
            .flat_map(|o| {
                let ns = o["metadata"]["namespace"].as_str().unwrap_or_default();
                let name = o["metadata"]["name"].as_str().unwrap_or_default();
                let gone = objects::delete(ctx.uid(), rp.rt, ns, name, objects::at_version(o));
                std::iter::once(gone).chain(custom_objects_of(ctx.uid(), rp.rt, name))
            })
            .collect();
        objects::commit(ctx.api, rp.rt, "", writes).await?;
        for o in &doomed {
            gc::collect_later(ctx.api, ctx.uid(), o.clone());
        }
    }
    let list = json!({"kind": format!("{}List", rp.rt.kind), "apiVersion": rp.rt.api_version(),
                      "metadata": {}, "items": doomed});
    Ok(KubeResponse::json(200, &list))
}
