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
}
