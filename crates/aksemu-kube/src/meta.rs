//! Object metadata as kube-apiserver manages it: names (DNS rules), uid,
//! creationTimestamp, generation (bumped when anything but metadata and
//! status changes), and what an update may not change.

use serde_json::{Map, Value, json};

use crate::error::{KubeError, invalid};
use crate::resources::ResourceType;

/// Kinds whose objects carry `metadata.generation`.
const GENERATIONS: &[&str] = &[
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "Pod",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "Ingress",
    "NetworkPolicy",
    "CustomResourceDefinition",
    "PersistentVolumeClaim",
    "Service",
];

fn is_label(s: &str) -> bool {
    s.len() <= 63 && is_label_chars(s)
}

/// A label's characters, of any length (a subdomain's parts have no limit of
/// their own, only the whole name's 253).
fn is_label_chars(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
}

fn is_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_label_chars)
}

/// The rules Kubernetes applies to names of this type.
pub fn validate_name(rt: &ResourceType, name: &str) -> Result<(), KubeError> {
    let label_only = matches!(rt.kind, "Namespace" | "Service");
    let ok = if label_only {
        is_label(name)
    } else {
        is_subdomain(name)
    };
    // RBAC and a few others take path segments: anything but '/' and '%'.
    let path_segment = matches!(
        rt.kind,
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding"
    ) && !name.is_empty()
        && !name.contains(['/', '%'])
        && name != "."
        && name != "..";
    if ok || path_segment {
        return Ok(());
    }
    let rule = if label_only {
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    } else {
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    };
    Err(invalid(
        rt.kind,
        name,
        "metadata.name",
        &format!("Invalid value: {name:?}: {rule}"),
    ))
}

/// Five characters as `generateName` appends them.
fn suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    uuid::Uuid::new_v4()
        .as_bytes()
        .iter()
        .take(5)
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// Checks `kind`/`apiVersion` against the URL's type and fills them in.
pub fn check_type(rt: &ResourceType, obj: &mut Value) -> Result<(), KubeError> {
    let want = rt.api_version();
    let o = obj
        .as_object_mut()
        .ok_or_else(|| KubeError::BadRequest("the body must be a JSON object".into()))?;
    match o.get("apiVersion").and_then(Value::as_str) {
        Some(v) if v != want => {
            return Err(KubeError::BadRequest(format!(
                "the API version in the data ({v}) does not match the expected API version ({want})"
            )));
        }
        _ => {}
    }
    match o.get("kind").and_then(Value::as_str) {
        Some(k) if k != rt.kind => {
            return Err(KubeError::BadRequest(format!(
                "the kind in the data ({k}) does not match the expected kind ({})",
                rt.kind
            )));
        }
        _ => {}
    }
    o.insert("apiVersion".into(), json!(want));
    o.insert("kind".into(), json!(rt.kind));
    if !o.get("metadata").is_some_and(Value::is_object) {
        o.insert("metadata".into(), json!({}));
    }
    Ok(())
}

/// A new object's metadata: namespace from the URL, name (or generateName),
/// uid, creationTimestamp, generation.
pub fn on_create(
    rt: &ResourceType,
    obj: &mut Value,
    ns: Option<&str>,
    now: &str,
) -> Result<String, KubeError> {
    check_type(rt, obj)?;
    let m = obj["metadata"]
        .as_object_mut()
        .ok_or_else(|| KubeError::BadRequest("metadata must be an object".into()))?;
    set_namespace(rt, m, ns)?;
    let name = match m
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    {
        Some(n) => n.to_string(),
        None => match m
            .get("generateName")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            Some(g) => format!("{g}{}", suffix()),
            None => {
                return Err(invalid(
                    rt.kind,
                    "",
                    "metadata.name",
                    "Required value: name or generateName is required",
                ));
            }
        },
    };
    validate_name(rt, &name)?;
    m.insert("name".into(), json!(name));
    m.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
    m.insert("creationTimestamp".into(), json!(now));
    for gone in [
        "resourceVersion",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "selfLink",
    ] {
        m.remove(gone);
    }
    if GENERATIONS.contains(&rt.kind) || rt.custom.is_some() {
        m.insert("generation".into(), json!(1));
    } else {
        m.remove("generation");
    }
    Ok(name)
}

fn set_namespace(
    rt: &ResourceType,
    m: &mut Map<String, Value>,
    ns: Option<&str>,
) -> Result<(), KubeError> {
    match (rt.namespaced, ns) {
        (true, Some(ns)) => {
            if let Some(given) = m.get("namespace").and_then(Value::as_str)
                && !given.is_empty()
                && given != ns
            {
                return Err(KubeError::BadRequest(
                    "the namespace of the provided object does not match the namespace sent on the request".into(),
                ));
            }
            m.insert("namespace".into(), json!(ns));
        }
        (true, None) => {
            return Err(KubeError::BadRequest(
                "a namespace is required to create this object".into(),
            ));
        }
        (false, _) => {
            m.remove("namespace");
        }
    }
    Ok(())
}

/// Everything but metadata and status: what a generation counts.
fn spec_of(obj: &Value) -> Value {
    let mut v = obj.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("metadata");
        o.remove("status");
    }
    v
}

/// An updated object (`new`) keeps what updates cannot change; a write to the
/// main resource keeps the old status (when the type has a status
/// subresource), a write to `status` keeps everything else.
pub fn on_update(
    rt: &ResourceType,
    old: &Value,
    new: &mut Value,
    sub: Option<&str>,
) -> Result<(), KubeError> {
    check_type(rt, new)?;
    let name = old["metadata"]["name"].as_str().unwrap_or_default();
    if let Some(n) = new["metadata"]["name"].as_str()
        && !n.is_empty()
        && n != name
    {
        return Err(KubeError::BadRequest(format!(
            "the name of the object ({n}) does not match the name on the URL ({name})"
        )));
    }
    if sub == Some("status") {
        let status = new.get("status").cloned();
        *new = old.clone();
        match status {
            Some(s) => new["status"] = s,
            None => {
                if let Some(o) = new.as_object_mut() {
                    o.remove("status");
                }
            }
        }
        return Ok(());
    }
    if rt.sub("status").is_some() {
        match old.get("status") {
            Some(s) => new["status"] = s.clone(),
            None => {
                if let Some(o) = new.as_object_mut() {
                    o.remove("status");
                }
            }
        }
    }
    keep_identity(old, new);
    if let Some(g) = old["metadata"]["generation"].as_i64() {
        let bumped = if spec_of(old) != spec_of(new) {
            g + 1
        } else {
            g
        };
        new["metadata"]["generation"] = json!(bumped);
    }
    Ok(())
}

/// Fields of metadata only the server sets.
fn keep_identity(old: &Value, new: &mut Value) {
    for f in [
        "name",
        "namespace",
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
    ] {
        match old["metadata"].get(f) {
            Some(v) => new["metadata"][f] = v.clone(),
            None => {
                if let Some(m) = new["metadata"].as_object_mut() {
                    m.remove(f);
                }
            }
        }
    }
}

/// The items of a pod spec's list (`containers`, `initContainers`), to
/// change in place; none when it has no such list (nothing is added).
pub fn list_mut<'a>(pod: &'a mut Value, list: &str) -> impl Iterator<Item = &'a mut Value> {
    pod.get_mut("spec")
        .and_then(|s| s.get_mut(list))
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::find;

    #[test]
    fn names() {
        let ns = find("", "v1", "namespaces").unwrap();
        assert!(validate_name(ns, "demo").is_ok());
        assert!(validate_name(ns, "a.b").is_err());
        let cm = find("", "v1", "configmaps").unwrap();
        assert!(validate_name(cm, "a.b").is_ok());
        assert!(validate_name(cm, "Bad").is_err());
        let cr = find("rbac.authorization.k8s.io", "v1", "clusterroles").unwrap();
        assert!(validate_name(cr, "system:basic-user").is_ok());
    }

    #[test]
    fn create_and_update() {
        let d = find("apps", "v1", "deployments").unwrap();
        let mut o = json!({"metadata": {"generateName": "web-"}, "spec": {"replicas": 1}});
        let name = on_create(d, &mut o, Some("demo"), "2026-01-01T00:00:00Z").unwrap();
        assert!(name.starts_with("web-") && name.len() == 9);
        assert_eq!(o["metadata"]["generation"], 1);
        assert_eq!(o["kind"], "Deployment");
        let mut n = o.clone();
        n["spec"]["replicas"] = json!(3);
        n["status"] = json!({"replicas": 9});
        n["metadata"]["uid"] = json!("forged");
        on_update(d, &o, &mut n, None).unwrap();
        assert_eq!(n["metadata"]["generation"], 2);
        assert_eq!(n["metadata"]["uid"], o["metadata"]["uid"]);
        assert!(n.get("status").is_none());
        let mut bad = json!({"apiVersion": "v1", "kind": "Deployment"});
        assert!(check_type(d, &mut bad).is_err());
    }
}
