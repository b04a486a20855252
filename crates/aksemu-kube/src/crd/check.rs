//! What kube-apiserver checks of a CustomResourceDefinition before storing
//! it: its name, group, names and scope, exactly one storage version, and a
//! schema for every version. CEL rules (`x-kubernetes-validations`) are not
//! evaluated here; the write answers with a warning saying so.

use serde_json::Value;

use crate::error::{Cause, KubeError};

fn cause(field: &str, message: String) -> Cause {
    Cause {
        reason: "FieldValueInvalid",
        message,
        field: field.to_string(),
    }
}

fn names(spec: &Value, out: &mut Vec<Cause>) {
    for f in ["plural", "kind"] {
        if spec["names"][f].as_str().is_none_or(str::is_empty) {
            out.push(cause(&format!("spec.names.{f}"), "Required value".into()));
        }
    }
    let group = spec["group"].as_str().unwrap_or_default();
    if group.is_empty() {
        out.push(cause("spec.group", "Required value".into()));
    } else if !group.contains('.') {
        out.push(cause(
            "spec.group",
            format!("Invalid value: \"{group}\": should be a domain with at least one dot"),
        ));
    }
    let scope = spec["scope"].as_str().unwrap_or_default();
    if !matches!(scope, "Cluster" | "Namespaced") {
        out.push(cause(
            "spec.scope",
            format!(
                "Unsupported value: \"{scope}\": supported values: \"Cluster\", \"Namespaced\""
            ),
        ));
    }
}

fn versions(spec: &Value, out: &mut Vec<Cause>) {
    let list = spec["versions"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if list.is_empty() {
        out.push(cause(
            "spec.versions",
            "Invalid value: null: must have exactly one version marked as storage version".into(),
        ));
        return;
    }
    let storage = list.iter().filter(|v| v["storage"] == true).count();
    if storage != 1 {
        out.push(cause(
            "spec.versions",
            format!(
                "Invalid value: {}: must have exactly one version marked as storage version",
                Value::Array(list.to_vec())
            ),
        ));
    }
    for (i, v) in list.iter().enumerate() {
        if v["name"].as_str().is_none_or(str::is_empty) {
            out.push(cause(
                &format!("spec.versions[{i}].name"),
                "Required value".into(),
            ));
        }
        let schema = &v["schema"]["openAPIV3Schema"];
        if !schema.is_object() {
            out.push(cause(
                &format!("spec.versions[{i}].schema.openAPIV3Schema"),
                "Required value: schemas are required".into(),
            ));
        } else if schema["type"] != "object" {
            out.push(cause(
                &format!("spec.versions[{i}].schema.openAPIV3Schema.type"),
                "Required value: must not be empty at the root".into(),
            ));
        }
    }
}

/// Checks a CRD; its problems, each with its field.
pub fn definition(crd: &Value) -> Result<(), KubeError> {
    let spec = &crd["spec"];
    let mut out = Vec::new();
    names(spec, &mut out);
    let name = crd["metadata"]["name"].as_str().unwrap_or_default();
    let want = format!(
        "{}.{}",
        spec["names"]["plural"].as_str().unwrap_or_default(),
        spec["group"].as_str().unwrap_or_default()
    );
    if name != want {
        out.push(cause(
            "metadata.name",
            format!("Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"),
        ));
    }
    versions(spec, &mut out);
    if out.is_empty() {
        return Ok(());
    }
    let detail: Vec<String> = out
        .iter()
        .map(|c| format!("{}: {}", c.field, c.message))
        .collect();
    Err(KubeError::Invalid {
        message: format!(
            "CustomResourceDefinition.apiextensions.k8s.io \"{name}\" is invalid: {}",
            if detail.len() == 1 {
                detail[0].clone()
            } else {
                format!("[{}]", detail.join(", "))
            }
        ),
        kind: "CustomResourceDefinition.apiextensions.k8s.io".into(),
        name: name.to_string(),
        causes: out,
    })
}

/// Whether any version's schema carries CEL rules, which are not evaluated.
pub fn has_cel_rules(crd: &Value) -> bool {
    fn walk(v: &Value) -> bool {
        match v {
            Value::Object(o) => o.contains_key("x-kubernetes-validations") || o.values().any(walk),
            Value::Array(a) => a.iter().any(walk),
            _ => false,
        }
    }
    crd["spec"]["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|v| walk(&v["schema"]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_must_agree() {
        let crd = json!({"metadata": {"name": "widgets.example.com"}, "spec": {"group": "example.com",
            "scope": "Namespaced", "names": {"plural": "widgets", "kind": "Widget"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                          "schema": {"openAPIV3Schema": {"type": "object"}}}]}});
        assert!(definition(&crd).is_ok());
        let mut bad = crd.clone();
        bad["metadata"]["name"] = json!("gadgets.example.com");
        bad["spec"]["versions"][0]["storage"] = json!(false);
        let KubeError::Invalid { causes, .. } = definition(&bad).unwrap_err() else {
            panic!()
        };
        assert_eq!(causes.len(), 2);
    }
}
