//! LimitRanger admission, which kube-apiserver always runs: a new pod's
//! containers get their namespace's `LimitRange` defaults for type
//! `Container` — `default` as limits, `defaultRequest` as requests (each key
//! defaulted as the API does: a limit from `max`, a request from the limit or
//! `min`) — where they set none, and the pod records what was set in the
//! `kubernetes.io/limit-ranger` annotation. Min/max/ratio checks are not made.

use serde_json::{Map, Value, json};

use crate::ctx::Ctx;
use crate::error::KubeError;

const ANNOTATION: &str = "kubernetes.io/limit-ranger";

/// (default limits, default requests) of the namespace's Container items.
async fn defaults(
    ctx: &Ctx<'_>,
    ns: &str,
) -> Result<(Map<String, Value>, Map<String, Value>), KubeError> {
    let mut limits = Map::new();
    let mut requests = Map::new();
    let Some(rt) = crate::resources::find("", "v1", "limitranges") else {
        return Ok((limits, requests));
    };
    let (ranges, _) = crate::objects::list(ctx.api, ctx.uid(), rt, Some(ns)).await?;
    for range in &ranges {
        let items = range["spec"]["limits"].as_array().into_iter().flatten();
        for item in items.filter(|i| i["type"] == "Container") {
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
    Ok((limits, requests))
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
    let (limits, requests) = defaults(ctx, ns).await?;
    if limits.is_empty() && requests.is_empty() {
        return Ok(());
    }
    // kube's order: containers, then init containers; resources sorted.
    let mut messages = Vec::new();
    for (list, prefix) in [
        ("containers", "container"),
        ("initContainers", "init container"),
    ] {
        for c in pod["spec"][list].as_array_mut().into_iter().flatten() {
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
        return Ok(());
    }
    if !pod["metadata"]["annotations"].is_object() {
        pod["metadata"]["annotations"] = json!({});
    }
    pod["metadata"]["annotations"][ANNOTATION] =
        json!(format!("LimitRanger plugin set: {}", messages.join("; ")));
    Ok(())
}
