//! Kubernetes objects in the project's store: one collection, keys
//! `<cluster uid>/<plural[.group]>/<namespace>/<name>` (namespace empty for
//! cluster-scoped types), bodies as JSON so unknown fields survive. An object's
//! `resourceVersion` is the store revision that wrote it (its etag); it is not
//! kept in the body but set on every read.

use aksemu_store::{Cond, StoreError, Write};
use serde_json::{Value, json};

use crate::KubeApi;
use crate::error::KubeError;
use crate::resources::{ResourceType, find};

pub const OBJECTS: &str = "kubeObjects";

pub fn key(uid: &str, rt: &ResourceType, ns: &str, name: &str) -> String {
    format!("{uid}/{}/{ns}/{name}", rt.qualified())
}

/// Every object of a type in a namespace (`Some`), or in all of them.
pub fn prefix(uid: &str, rt: &ResourceType, ns: Option<&str>) -> String {
    match ns {
        Some(ns) => format!("{uid}/{}/{ns}/", rt.qualified()),
        None => format!("{uid}/{}/", rt.qualified()),
    }
}

/// Everything of one cluster.
pub fn cluster_prefix(uid: &str) -> String {
    format!("{uid}/")
}

/// Sets `metadata.resourceVersion` from the revision that wrote the object.
pub fn with_rv(mut body: Value, etag: &str) -> Value {
    if let Some(m) = body.get_mut("metadata").and_then(Value::as_object_mut) {
        m.insert("resourceVersion".into(), json!(etag));
    }
    body
}

/// What is stored: the object without its resourceVersion.
pub fn for_storage(mut body: Value) -> Value {
    if let Some(m) = body.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("resourceVersion");
    }
    body
}

/// RFC 3339 to the second, as Kubernetes writes timestamps.
pub fn ktime(t: time::OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn now(api: &KubeApi) -> String {
    ktime(api.clock.now())
}

pub async fn get(
    api: &KubeApi,
    uid: &str,
    rt: &ResourceType,
    ns: &str,
    name: &str,
) -> Result<Option<Value>, KubeError> {
    Ok(api
        .store
        .get(OBJECTS, &key(uid, rt, ns, name))
        .await?
        .map(|d| with_rv(d.body, &d.etag)))
}

/// The uid of a service account, if it exists.
pub async fn get_account(
    api: &KubeApi,
    uid: &str,
    ns: &str,
    name: &str,
) -> Result<Option<String>, KubeError> {
    let Some(rt) = find("", "v1", "serviceaccounts") else {
        return Ok(None);
    };
    Ok(get(api, uid, rt, ns, name)
        .await?
        .and_then(|o| o["metadata"]["uid"].as_str().map(str::to_string)))
}

/// Every object of a type (in a namespace or all), with the revision the list reflects.
pub async fn list(
    api: &KubeApi,
    uid: &str,
    rt: &ResourceType,
    ns: Option<&str>,
) -> Result<(Vec<Value>, u64), KubeError> {
    let (docs, rev) = list_raw(api, uid, rt, ns).await?;
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        let body: Value = serde_json::from_str(&d.body)
            .map_err(|e| KubeError::Internal(format!("a stored object is not JSON: {e}")))?;
        out.push(with_rv(body, &d.etag));
    }
    Ok((out, rev))
}

/// `list` with the objects as stored JSON text (without their resourceVersion).
pub async fn list_raw(
    api: &KubeApi,
    uid: &str,
    rt: &ResourceType,
    ns: Option<&str>,
) -> Result<(Vec<aksemu_store::RawDoc>, u64), KubeError> {
    Ok(api.store.list_at(OBJECTS, &prefix(uid, rt, ns)).await?)
}

/// The JSON text of a stored object with its resourceVersion set, parsing
/// only its top level and its metadata (the rest is copied as it is stored);
/// `None` if the text is not a JSON object with plain top-level keys.
pub fn raw_with_rv(body: &str, rv: &str) -> Option<String> {
    type Raw<'a> = std::collections::BTreeMap<&'a str, &'a serde_json::value::RawValue>;
    let top: Raw<'_> = serde_json::from_str(body).ok()?;
    let mut out = String::with_capacity(body.len() + rv.len() + 24);
    out.push('{');
    for (i, (k, v)) in top.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_key(&mut out, k)?;
        if *k != "metadata" {
            out.push_str(v.get());
            continue;
        }
        let mut meta: Raw<'_> = serde_json::from_str(v.get()).ok()?;
        meta.remove("resourceVersion");
        out.push_str("{\"resourceVersion\":");
        out.push_str(&serde_json::to_string(rv).ok()?);
        for (mk, mv) in &meta {
            out.push(',');
            push_key(&mut out, mk)?;
            out.push_str(mv.get());
        }
        out.push('}');
    }
    out.push('}');
    Some(out)
}

/// `"key":` — keys here borrowed unescaped from valid JSON, so they need no escaping
/// unless they hold a control character (then the caller falls back).
fn push_key(out: &mut String, k: &str) -> Option<()> {
    if k.chars().any(|c| c.is_control()) {
        return None;
    }
    out.push('"');
    out.push_str(k);
    out.push_str("\":");
    Some(())
}

/// A stored object's JSON text with its resourceVersion, however it is written.
pub fn item_text(body: &str, rv: &str) -> Result<String, KubeError> {
    if let Some(t) = raw_with_rv(body, rv) {
        return Ok(t);
    }
    let v: Value = serde_json::from_str(body)
        .map_err(|e| KubeError::Internal(format!("a stored object is not JSON: {e}")))?;
    Ok(with_rv(v, rv).to_string())
}

/// A put of an object (its resourceVersion dropped) under `cond`.
pub fn put(uid: &str, rt: &ResourceType, obj: &Value, cond: Cond) -> Write {
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let k = key(uid, rt, ns, name);
    Write::Put {
        coll: OBJECTS,
        key: k.clone(),
        id: k,
        body: for_storage(stored_version(rt, obj)),
        cond,
    }
}

/// The object at its type's storage version (custom resources).
fn stored_version(rt: &ResourceType, obj: &Value) -> Value {
    let mut o = obj.clone();
    crate::crd::convert::for_storage(rt, &mut o);
    o
}

pub fn delete(uid: &str, rt: &ResourceType, ns: &str, name: &str, cond: Cond) -> Write {
    Write::Delete {
        coll: OBJECTS,
        key: key(uid, rt, ns, name),
        cond,
    }
}

/// The precondition of a write that must find the object as it was read.
pub fn at_version(obj: &Value) -> Cond {
    match obj["metadata"]["resourceVersion"].as_str() {
        Some(rv) if !rv.is_empty() => Cond::Etag(rv.to_string()),
        _ => Cond::Exists,
    }
}

/// Applies writes in one transaction, wakes the watches, and maps a lost race
/// to Kubernetes' answers. Returns the new resourceVersion of each put.
pub async fn commit(
    api: &KubeApi,
    rt: &ResourceType,
    name: &str,
    writes: Vec<Write>,
) -> Result<Vec<String>, KubeError> {
    let result = api.store.apply(writes).await;
    if rt.kind == "CustomResourceDefinition" {
        api.crds.forget();
    }
    api.feed.wake();
    result.map_err(|e| match e {
        StoreError::AlreadyExists { .. } => KubeError::AlreadyExists {
            kind: rt.qualified(),
            name: name.to_string(),
        },
        StoreError::PreconditionFailed { .. } => conflict(rt, name),
        StoreError::NotFound { .. } => crate::error::not_found(&rt.qualified(), name),
        other => other.into(),
    })
}

/// Kubernetes' optimistic-concurrency failure.
pub fn conflict(rt: &ResourceType, name: &str) -> KubeError {
    KubeError::Conflict(
        format!(
            "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            rt.qualified()
        ),
        rt.qualified(),
        name.to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_resource_versions_match_parsed_ones() {
        for body in [
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "uid": "u"}, "data": {"x": "\"metadata\":{"}}),
            json!({"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "r"},
                   "data": {"spec": {"template": {"metadata": {"labels": {"a": "b"}}}}}, "revision": 1}),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {}}),
        ] {
            let text = body.to_string();
            let fast: Value = serde_json::from_str(&raw_with_rv(&text, "42").unwrap()).unwrap();
            assert_eq!(fast, with_rv(body, "42"));
        }
        assert!(raw_with_rv("[1]", "1").is_none());
        assert_eq!(
            item_text(r#"{"a\u0062":1,"metadata":{}}"#, "7").unwrap(),
            r#"{"ab":1,"metadata":{"resourceVersion":"7"}}"#
        );
    }
}
