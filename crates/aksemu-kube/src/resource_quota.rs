//! ResourceQuota admission, as kube-apiserver's: a new object in a namespace
//! with quotas adds to what they track — object counts (`pods`, `services`,
//! `configmaps`, `secrets`, `persistentvolumeclaims`, `count/<resource>[.<group>]`)
//! and, for pods, `requests.cpu|memory` (or plain `cpu|memory`) and
//! `limits.cpu|memory` — and is refused with kube's message when that would
//! pass a quota's `hard`, or when a pod does not specify a tracked resource.
//! Usage is summed from the namespace's objects at admission (pods that
//! finished do not count); the quota controller keeps `status.used` from the
//! same sums (`usage`).

use serde_json::Value;

use crate::ctx::Ctx;
use crate::error::KubeError;
use crate::quantity::{milli, text};
use crate::resources::ResourceType;

/// The compute resources a pod's containers contribute: (quota key, field, resource).
const COMPUTE: &[(&str, &str, &str)] = &[
    ("requests.cpu", "requests", "cpu"),
    ("cpu", "requests", "cpu"),
    ("requests.memory", "requests", "memory"),
    ("memory", "requests", "memory"),
    ("limits.cpu", "limits", "cpu"),
    ("limits.memory", "limits", "memory"),
];

/// The quota keys that count objects of `rt`.
fn count_keys(rt: &ResourceType) -> Vec<String> {
    let mut keys = vec![if rt.group.is_empty() {
        format!("count/{}", rt.plural)
    } else {
        format!("count/{}.{}", rt.plural, rt.group)
    }];
    let legacy = [
        "pods",
        "services",
        "configmaps",
        "secrets",
        "persistentvolumeclaims",
        "replicationcontrollers",
        "resourcequotas",
    ];
    if rt.group.is_empty() && legacy.contains(&rt.plural) {
        keys.push(rt.plural.to_string());
    }
    keys
}

/// What one pod uses of `field.resource` (thousandths), summed over containers.
fn pod_usage(pod: &Value, field: &str, resource: &str) -> i128 {
    pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["resources"][field][resource].as_str().and_then(milli))
        .fold(0, i128::saturating_add)
}

/// Containers that do not specify `field.resource`.
fn unspecified(pod: &Value, field: &str, resource: &str) -> Vec<String> {
    pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["resources"][field][resource].is_null())
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect()
}

fn counts(obj: &Value) -> bool {
    !matches!(
        obj["status"]["phase"].as_str(),
        Some("Succeeded" | "Failed")
    )
}

/// (quota key, requested, used) for what `obj` asks of the tracked keys.
async fn demands(
    ctx: &Ctx<'_>,
    rt: &ResourceType,
    ns: &str,
    obj: &Value,
    tracked: &[String],
) -> Result<Vec<(String, i128, i128)>, KubeError> {
    let (existing, _) = crate::objects::list(ctx.api, ctx.uid(), rt, Some(ns)).await?;
    let live: Vec<&Value> = existing.iter().filter(|o| counts(o)).collect();
    let mut out = Vec::new();
    for key in count_keys(rt).into_iter().filter(|k| tracked.contains(k)) {
        out.push((key, 1000, live.len() as i128 * 1000));
    }
    if rt.kind == "Pod" {
        for (key, field, resource) in COMPUTE
            .iter()
            .filter(|(k, ..)| tracked.iter().any(|t| t == k))
        {
            let used = live
                .iter()
                .map(|p| pod_usage(p, field, resource))
                .fold(0, i128::saturating_add);
            out.push((key.to_string(), pod_usage(obj, field, resource), used));
        }
    }
    Ok(out)
}

/// The type a count key counts (`pods`, `count/deployments.apps`).
fn counted_type(key: &str) -> Option<&'static ResourceType> {
    let name = key.strip_prefix("count/").unwrap_or(key);
    let (plural, group) = name.split_once('.').unwrap_or((name, ""));
    crate::resources::TYPES
        .iter()
        .find(|t| t.plural == plural && t.group == group)
        .filter(|t| count_keys(t).iter().any(|k| k == key))
}

/// What a namespace's live objects use of each of `hard`'s keys, as
/// `status.used` shows it (keys it cannot count are left out).
pub async fn usage(
    api: &crate::KubeApi,
    uid: &str,
    ns: &str,
    keys: &[String],
) -> Result<serde_json::Map<String, Value>, KubeError> {
    let mut used = serde_json::Map::new();
    let pods = crate::resources::find("", "v1", "pods");
    let mut live_pods: Option<Vec<Value>> = None;
    for key in keys {
        if let Some(t) = counted_type(key) {
            let (items, _) = crate::objects::list(api, uid, t, Some(ns)).await?;
            let n = items.iter().filter(|o| counts(o)).count();
            used.insert(key.clone(), Value::String(n.to_string()));
        } else if let Some((_, field, resource)) = COMPUTE.iter().find(|(k, ..)| k == key)
            && let Some(p) = pods
        {
            if live_pods.is_none() {
                let (items, _) = crate::objects::list(api, uid, p, Some(ns)).await?;
                live_pods = Some(items.into_iter().filter(counts).collect());
            }
            let sum: i128 = live_pods
                .iter()
                .flatten()
                .map(|o| pod_usage(o, field, resource))
                .fold(0, i128::saturating_add);
            used.insert(key.clone(), Value::String(text(sum)));
        }
    }
    Ok(used)
}

/// (quota key, requested, used, limited), thousandths.
type Over = (String, i128, i128, i128);

fn forbidden(rt: &ResourceType, name: &str, why: String) -> KubeError {
    KubeError::Forbidden(
        format!("{} \"{name}\" is forbidden: {why}", rt.qualified()),
        rt.qualified(),
        name.to_string(),
    )
}

pub async fn admit(
    ctx: &Ctx<'_>,
    rt: &ResourceType,
    ns: &str,
    obj: &Value,
) -> Result<(), KubeError> {
    let Some(qt) = crate::resources::find("", "v1", "resourcequotas") else {
        return Ok(());
    };
    let (quotas, _) = crate::objects::list(ctx.api, ctx.uid(), qt, Some(ns)).await?;
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    for quota in &quotas {
        let qname = quota["metadata"]["name"].as_str().unwrap_or_default();
        let hard = quota["spec"]["hard"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let tracked: Vec<String> = hard.keys().cloned().collect();
        if rt.kind == "Pod" {
            let missing: Vec<String> = COMPUTE
                .iter()
                .filter(|(k, ..)| tracked.iter().any(|t| t == k))
                .filter_map(|(k, f, r)| {
                    let names = unspecified(obj, f, r);
                    (!names.is_empty()).then(|| format!("{k} for: {}", names.join(",")))
                })
                .collect();
            if !missing.is_empty() {
                let why = format!("failed quota: {qname}: must specify {}", missing.join("; "));
                return Err(forbidden(rt, name, why));
            }
        }
        let mut over: Vec<Over> = Vec::new();
        for (key, requested, used) in demands(ctx, rt, ns, obj, &tracked).await? {
            let limit = hard
                .get(&key)
                .and_then(Value::as_str)
                .and_then(milli)
                .unwrap_or(i128::MAX);
            if used.saturating_add(requested) > limit {
                over.push((key, requested, used, limit));
            }
        }
        if !over.is_empty() {
            over.sort();
            let list = |f: &dyn Fn(&Over) -> i128| {
                over.iter()
                    .map(|o| format!("{}={}", o.0, text(f(o))))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            let why = format!(
                "exceeded quota: {qname}, requested: {}, used: {}, limited: {}",
                list(&|o| o.1),
                list(&|o| o.2),
                list(&|o| o.3)
            );
            return Err(forbidden(rt, name, why));
        }
    }
    Ok(())
}
