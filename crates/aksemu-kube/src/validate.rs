//! The checks kube-apiserver makes that clients and controllers rely on
//! (full schema validation is a later step): string maps, selectors that
//! match their templates, containers with names and images, port ranges,
//! base64 secret data. Failures are `Invalid` with the field that failed.

use base64::Engine as _;
use serde_json::Value;

use crate::error::{Cause, KubeError};
use crate::resources::ResourceType;

struct Problems(Vec<Cause>);

impl Problems {
    fn add(&mut self, field: String, message: String) {
        self.0.push(Cause {
            reason: "FieldValueInvalid",
            message,
            field,
        });
    }
}

fn string_map(p: &mut Problems, v: &Value, field: &str) {
    match v {
        Value::Null => {}
        Value::Object(m) => {
            for (k, val) in m {
                if !val.is_string() {
                    p.add(
                        format!("{field}.{k}"),
                        "Invalid value: must be a string".into(),
                    );
                }
            }
        }
        _ => p.add(
            field.into(),
            "Invalid value: must be a map of strings".into(),
        ),
    }
}

fn containers(p: &mut Problems, spec: &Value, field: &str) {
    let list = spec["containers"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if list.is_empty() {
        p.add(format!("{field}.containers"), "Required value".into());
    }
    for (i, c) in list.iter().enumerate() {
        if c["name"].as_str().is_none_or(str::is_empty) {
            p.add(
                format!("{field}.containers[{i}].name"),
                "Required value".into(),
            );
        }
        if c["image"].as_str().is_none_or(str::is_empty) {
            p.add(
                format!("{field}.containers[{i}].image"),
                "Required value".into(),
            );
        }
    }
}

fn workload(p: &mut Problems, obj: &Value, kind: &str) {
    let spec = &obj["spec"];
    let (sel_field, tpl) = if kind == "CronJob" {
        ("", &spec["jobTemplate"]["spec"]["template"])
    } else {
        ("spec.selector", &spec["template"])
    };
    let tpl_field = if kind == "CronJob" {
        "spec.jobTemplate.spec.template.spec"
    } else {
        "spec.template.spec"
    };
    containers(p, &tpl["spec"], tpl_field);
    if kind == "Job" || kind == "CronJob" {
        return;
    }
    let Some(want) = spec["selector"]["matchLabels"].as_object() else {
        if spec["selector"]["matchExpressions"].is_null() {
            p.add(sel_field.into(), "Required value".into());
        }
        return;
    };
    let labels = &tpl["metadata"]["labels"];
    if want.iter().any(|(k, v)| labels[k] != *v) {
        p.add(
            "spec.template.metadata.labels".into(),
            format!(
                "Invalid value: {}: `selector` does not match template `labels`",
                labels
            ),
        );
    }
}

fn service(p: &mut Problems, obj: &Value) {
    for (i, port) in obj["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let n = port["port"].as_i64().unwrap_or(0);
        if !(1..=65535).contains(&n) {
            p.add(
                format!("spec.ports[{i}].port"),
                format!("Invalid value: {n}: must be between 1 and 65535, inclusive"),
            );
        }
    }
}

fn secret(p: &mut Problems, obj: &Value) {
    for (k, v) in obj["data"].as_object().into_iter().flatten() {
        let ok = v
            .as_str()
            .is_some_and(|s| base64::engine::general_purpose::STANDARD.decode(s).is_ok());
        if !ok {
            p.add(
                format!("data[{k}]"),
                "Invalid value: must be base64 data".into(),
            );
        }
    }
}

/// Checks an object about to be stored.
pub fn object(rt: &ResourceType, obj: &Value) -> Result<(), KubeError> {
    let mut p = Problems(Vec::new());
    string_map(&mut p, &obj["metadata"]["labels"], "metadata.labels");
    string_map(
        &mut p,
        &obj["metadata"]["annotations"],
        "metadata.annotations",
    );
    match rt.kind {
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob" => {
            workload(&mut p, obj, rt.kind)
        }
        "Pod" => containers(&mut p, &obj["spec"], "spec"),
        "Service" => service(&mut p, obj),
        "ConfigMap" => string_map(&mut p, &obj["data"], "data"),
        "Secret" => secret(&mut p, obj),
        _ => {}
    }
    if p.0.is_empty() {
        return Ok(());
    }
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let detail: Vec<String> =
        p.0.iter()
            .map(|c| format!("{}: {}", c.field, c.message))
            .collect();
    Err(KubeError::Invalid {
        message: format!("{} \"{name}\" is invalid: {}", rt.kind, detail.join(", ")),
        kind: rt.kind.to_string(),
        name: name.to_string(),
        causes: p.0,
    })
}

/// Top-level fields each built-in kind has besides apiVersion, kind and metadata.
fn known_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "ConfigMap" => &["data", "binaryData", "immutable"],
        "Secret" => &["data", "stringData", "type", "immutable"],
        "ServiceAccount" => &[
            "secrets",
            "imagePullSecrets",
            "automountServiceAccountToken",
        ],
        "Endpoints" => &["subsets"],
        "EndpointSlice" => &["addressType", "endpoints", "ports"],
        "Event" => &[
            "involvedObject",
            "reason",
            "message",
            "source",
            "firstTimestamp",
            "lastTimestamp",
            "count",
            "type",
            "eventTime",
            "series",
            "action",
            "related",
            "reportingComponent",
            "reportingInstance",
            "regarding",
            "note",
            "reportingController",
            "deprecatedSource",
            "deprecatedFirstTimestamp",
            "deprecatedLastTimestamp",
            "deprecatedCount",
        ],
        "Role" | "ClusterRole" => &["rules", "aggregationRule"],
        "RoleBinding" | "ClusterRoleBinding" => &["subjects", "roleRef"],
        "StorageClass" => &[
            "provisioner",
            "parameters",
            "reclaimPolicy",
            "mountOptions",
            "allowVolumeExpansion",
            "volumeBindingMode",
            "allowedTopologies",
        ],
        "CSINode" | "CSIDriver" | "IngressClass" | "Lease" | "LimitRange" | "NetworkPolicy" => {
            &["spec"]
        }
        "ControllerRevision" => &["data", "revision"],
        _ => &["spec", "status"],
    }
}

/// Top-level fields a built-in kind does not have.
pub fn unknown_fields(rt: &ResourceType, obj: &Value) -> Vec<String> {
    let Some(o) = obj.as_object() else {
        return Vec::new();
    };
    let known = known_fields(rt.kind);
    o.keys()
        .filter(|k| {
            !matches!(k.as_str(), "apiVersion" | "kind" | "metadata")
                && !known.contains(&k.as_str())
        })
        .map(|k| format!("unknown field \"{k}\""))
        .collect()
}

/// `fieldValidation`: `Strict` refuses unknown fields, `Warn` (the default)
/// returns them as warnings, `Ignore` drops the check.
pub fn field_validation(
    rt: &ResourceType,
    mode: Option<&str>,
    obj: &Value,
) -> Result<Vec<String>, KubeError> {
    let found = match mode {
        Some("Ignore") => return Ok(Vec::new()),
        _ => unknown_fields(rt, obj),
    };
    match mode {
        Some("Strict") if !found.is_empty() => Err(KubeError::BadRequest(format!(
            "strict decoding error: {}",
            found.join(", ")
        ))),
        Some("Strict") | None | Some("Warn") => Ok(found),
        Some(other) => Err(KubeError::BadRequest(format!(
            "fieldValidation must be one of Ignore, Warn or Strict, not {other:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::find;
    use serde_json::json;

    #[test]
    fn deployments_need_matching_selectors() {
        let d = find("apps", "v1", "deployments").unwrap();
        let ok = json!({"metadata": {"name": "w"}, "spec": {"selector": {"matchLabels": {"app": "w"}},
            "template": {"metadata": {"labels": {"app": "w"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}});
        assert!(object(d, &ok).is_ok());
        let mut bad = ok.clone();
        bad["spec"]["template"]["metadata"]["labels"]["app"] = json!("x");
        bad["spec"]["template"]["spec"]["containers"][0]["image"] = json!("");
        let KubeError::Invalid { causes, .. } = object(d, &bad).unwrap_err() else {
            panic!()
        };
        assert_eq!(causes.len(), 2);
    }

    #[test]
    fn unknown_top_level_fields() {
        let cm = find("", "v1", "configmaps").unwrap();
        let o = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {}, "spek": 1});
        assert_eq!(
            unknown_fields(cm, &o),
            vec!["unknown field \"spek\"".to_string()]
        );
        assert!(field_validation(cm, Some("Strict"), &o).is_err());
        assert_eq!(field_validation(cm, None, &o).unwrap().len(), 1);
        assert!(field_validation(cm, Some("Ignore"), &o).unwrap().is_empty());
    }
}
