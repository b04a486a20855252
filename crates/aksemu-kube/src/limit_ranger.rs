//! LimitRanger admission, which kube-apiserver always runs: a new pod's
//! containers get their namespace's `LimitRange` defaults for type
//! `Container` — `default` as limits, `defaultRequest` as requests (each key
//! defaulted as the API does: a limit from `max`, a request from the limit or
//! `min`) — where they set none, and the pod records what was set in the
//! `kubernetes.io/limit-ranger` annotation. Then each container is held to
//! the items' `min`, `max` and `maxLimitRequestRatio` (403 with kube's words).

use serde_json::{Map, Value, json};

use crate::ctx::Ctx;
use crate::error::KubeError;

const ANNOTATION: &str = "kubernetes.io/limit-ranger";

/// The namespace's LimitRange items of type Container.
async fn container_items(ctx: &Ctx<'_>, ns: &str) -> Result<Vec<Value>, KubeError> {
    let Some(rt) = crate::resources::find("", "v1", "limitranges") else {
        return Ok(Vec::new());
    };
    let (ranges, _) = crate::objects::list(ctx.api, ctx.uid(), rt, Some(ns)).await?;
    Ok(ranges
        .iter()
        .flat_map(|r| r["spec"]["limits"].as_array().cloned().unwrap_or_default())
        .filter(|i| i["type"] == "Container")
        .collect())
}

/// (default limits, default requests) of Container items.
fn defaults(items: &[Value]) -> (Map<String, Value>, Map<String, Value>) {
    let mut limits = Map::new();
    let mut requests = Map::new();
    {
        for item in items {
            let obj = |k: &str| item[k].as_object().cloned().unwrap_or_default();
            // The API's defaulting of an item, key by key: a limit from `max`,
            // a request from the limit, else from `min`.
            let mut default = obj("default");
            for (k, v) in obj("max") {
                default.entry(k).or_insert(v);
            }
            let mut default_request = obj("defaultRequest");
            let fallbacks = default.clone().into_iter().chain(obj("min"));
            for (k, v) in fallbacks {
                default_request.entry(k).or_insert(v);
            }
            for (k, v) in default {
                limits.entry(k).or_insert(v);
            }
            for (k, v) in default_request {
                requests.entry(k).or_insert(v);
            }
        }
    }
    (limits, requests)
}

fn quantity(v: &Value) -> Option<(i128, String)> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Some((crate::quantity::milli(&text)?, text))
}

/// What a container breaks of one item's min, max and ratio, in kube's words.
fn breaches(item: &Value, resources: &Value, out: &mut Vec<String>) {
    let limit = |k: &str| quantity(&resources["limits"][k]);
    let request = |k: &str| quantity(&resources["requests"][k]).or_else(|| limit(k));
    for (k, max) in item["max"].as_object().into_iter().flatten() {
        let Some((m, mt)) = quantity(max) else {
            continue;
        };
        match limit(k) {
            None => out.push(format!(
                "maximum {k} usage per Container is {mt}.  No limit is specified"
            )),
            Some((l, lt)) if l > m => out.push(format!(
                "maximum {k} usage per Container is {mt}, but limit is {lt}"
            )),
            _ => {}
        }
    }
    for (k, min) in item["min"].as_object().into_iter().flatten() {
        let Some((m, mt)) = quantity(min) else {
            continue;
        };
        match request(k) {
            None => out.push(format!(
                "minimum {k} usage per Container is {mt}.  No request is specified"
            )),
            Some((r, rt)) if r < m => out.push(format!(
                "minimum {k} usage per Container is {mt}, but request is {rt}"
            )),
            _ => {}
        }
    }
    for (k, ratio) in item["maxLimitRequestRatio"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let (Some((m, mt)), Some((l, _)), Some((r, _))) = (quantity(ratio), limit(k), request(k))
        else {
            continue;
        };
        if r > 0 && l.saturating_mul(1000) > m.saturating_mul(r) {
            let provided = l as f64 / r as f64;
            out.push(format!("{k} max limit to request ratio per Container is {mt}, but provided ratio is {provided:.6}"));
        }
    }
}

/// Refuses a pod whose containers break the items.
fn check(items: &[Value], pod: &Value) -> Result<(), KubeError> {
    let mut out = Vec::new();
    for list in ["containers", "initContainers"] {
        for c in pod["spec"][list].as_array().into_iter().flatten() {
            for item in items {
                breaches(item, &c["resources"], &mut out);
            }
        }
    }
    if out.is_empty() {
        return Ok(());
    }
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let detail = if out.len() == 1 {
        out.remove(0)
    } else {
        format!("[{}]", out.join(", "))
    };
    Err(KubeError::Forbidden(
        format!("pods \"{name}\" is forbidden: {detail}"),
        "pods".into(),
        name.to_string(),
    ))
}

/// Sets what a container lacks; the names of what was set.
fn fill(resources: &mut Value, kind: &str, defaults: &Map<String, Value>) -> Vec<String> {
    let mut set = Vec::new();
    let mut sorted: Vec<(&String, &Value)> = defaults.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    for (k, v) in sorted {
        if resources[kind][k.as_str()].is_null() {
            if !resources[kind].is_object() {
                resources[kind] = json!({});
            }
            resources[kind][k.as_str()] = v.clone();
            set.push(k.clone());
        }
    }
    set
}

pub async fn admit(ctx: &Ctx<'_>, ns: &str, pod: &mut Value) -> Result<(), KubeError> {
    let items = container_items(ctx, ns).await?;
    if items.is_empty() {
        return Ok(());
    }
    annotate_defaults(&items, pod);
    check(&items, pod)
}

/// Fills the defaults in and records them in the annotation.
fn annotate_defaults(items: &[Value], pod: &mut Value) {
    let (limits, requests) = defaults(items);
    // kube's order: containers, then init containers; resources sorted.
    let mut messages = Vec::new();
    for (list, prefix) in [
        ("containers", "container"),
        ("initContainers", "init container"),
    ] {
        for c in crate::meta::list_mut(pod, list) {
            let name = c["name"].as_str().unwrap_or_default().to_string();
            if !c["resources"].is_object() {
                c["resources"] = json!({});
            }
            let r = fill(&mut c["resources"], "requests", &requests);
            let l = fill(&mut c["resources"], "limits", &limits);
            if !r.is_empty() {
                messages.push(format!("{} request for {prefix} {name}", r.join(", ")));
            }
            if !l.is_empty() {
                messages.push(format!("{} limit for {prefix} {name}", l.join(", ")));
            }
        }
    }
    if messages.is_empty() {
        return;
    }
    if !pod["metadata"]["annotations"].is_object() {
        pod["metadata"]["annotations"] = json!({});
    }
    pod["metadata"]["annotations"][ANNOTATION] =
        json!(format!("LimitRanger plugin set: {}", messages.join("; ")));
}
