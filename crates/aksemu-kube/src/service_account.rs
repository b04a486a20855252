//! ServiceAccount admission, as kube-apiserver runs it on every new pod: the
//! pod runs as `default` unless it names an account, a named account must
//! exist, and unless automounting is turned off (by the pod or its account)
//! every container gets the `kube-api-access-<suffix>` projected volume — a
//! bound token, the cluster CA and the namespace — at
//! /var/run/secrets/kubernetes.io/serviceaccount.
//!
//! One difference: a missing `default` account is not refused (kube-apiserver
//! refuses it too, but a namespace gets it a moment after creation, and a pod
//! created in that moment would fail here where it rarely does on a cluster).

use serde_json::{Value, json};

use crate::ctx::Ctx;
use crate::error::KubeError;
use crate::{objects, resources};

pub const MOUNT: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The characters of generated name suffixes (no vowels, no look-alikes).
const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn suffix() -> String {
    let id = uuid::Uuid::new_v4();
    id.as_bytes()[..5]
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

fn volume(name: &str) -> Value {
    json!({"name": name, "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace",
            "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
    ]}})
}

fn automount(pod: &Value, sa: Option<&Value>) -> bool {
    pod["spec"]["automountServiceAccountToken"]
        .as_bool()
        .or_else(|| sa.and_then(|s| s["automountServiceAccountToken"].as_bool()))
        .unwrap_or(true)
}

/// Adds the mount to each container that does not mount that path already.
fn mount(pod: &mut Value, name: &str) {
    for list in ["initContainers", "containers"] {
        for c in crate::meta::list_mut(pod, list) {
            let Some(c) = c.as_object_mut() else { continue };
            let mounts = c.entry("volumeMounts").or_insert_with(|| json!([]));
            let Some(m) = mounts.as_array_mut() else {
                continue;
            };
            if !m.iter().any(|v| v["mountPath"] == MOUNT) {
                m.push(json!({"name": name, "readOnly": true, "mountPath": MOUNT}));
            }
        }
    }
}

/// Admits a new pod of namespace `ns`.
pub async fn admit(ctx: &Ctx<'_>, ns: &str, pod: &mut Value) -> Result<(), KubeError> {
    let Some(spec) = pod["spec"].as_object_mut() else {
        return Ok(());
    };
    let account = spec
        .get("serviceAccountName")
        .and_then(Value::as_str)
        .filter(|a| !a.is_empty())
        .or_else(|| {
            spec.get("serviceAccount")
                .and_then(Value::as_str)
                .filter(|a| !a.is_empty())
        })
        .unwrap_or("default")
        .to_string();
    spec.insert("serviceAccountName".into(), json!(account));
    spec.insert("serviceAccount".into(), json!(account));
    let sa = match resources::find("", "v1", "serviceaccounts") {
        Some(rt) => objects::get(ctx.api, ctx.uid(), rt, ns, &account).await?,
        None => None,
    };
    if sa.is_none() && account != "default" {
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        return Err(KubeError::Forbidden(
            format!(
                "pods \"{name}\" is forbidden: error looking up service account {ns}/{account}: serviceaccount \"{account}\" not found"
            ),
            "pods".into(),
            name.to_string(),
        ));
    }
    if !automount(pod, sa.as_ref()) {
        return Ok(());
    }
    let name = format!("kube-api-access-{}", suffix());
    if let Some(spec) = pod["spec"].as_object_mut() {
        let volumes = spec.entry("volumes").or_insert_with(|| json!([]));
        if let Some(v) = volumes.as_array_mut() {
            v.push(volume(&name));
        }
    }
    mount(pod, &name);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_once_per_container() {
        let mut pod = json!({"spec": {"containers": [{"name": "a"},
            {"name": "b", "volumeMounts": [{"name": "own", "mountPath": MOUNT}]}]}});
        mount(&mut pod, "kube-api-access-abcde");
        assert_eq!(
            pod["spec"]["containers"][0]["volumeMounts"][0]["name"],
            "kube-api-access-abcde"
        );
        assert_eq!(
            pod["spec"]["containers"][1]["volumeMounts"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(suffix().len(), 5);
        assert!(!automount(
            &json!({"spec": {}}),
            Some(&json!({"automountServiceAccountToken": false}))
        ));
    }
}
