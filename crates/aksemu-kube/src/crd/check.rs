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

/// A lowercase RFC 1035 label, as plural and singular names must be.
fn dns1035(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b[b.len() - 1] != b'-'
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

const DNS1035: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

fn names(spec: &Value, out: &mut Vec<Cause>) {
    for f in ["plural", "kind"] {
        if spec["names"][f].as_str().is_none_or(str::is_empty) {
            out.push(cause(&format!("spec.names.{f}"), "Required value".into()));
        }
    }
    for f in ["plural", "singular"] {
        if let Some(n) = spec["names"][f]
            .as_str()
            .filter(|n| !n.is_empty() && !dns1035(n))
        {
            out.push(cause(
                &format!("spec.names.{f}"),
                format!("Invalid value: \"{n}\": {DNS1035}"),
            ));
        }
    }
    if let Some(k) = spec["names"]["kind"].as_str().filter(|k| !k.is_empty())
        && !k.chars().all(|c| c.is_ascii_alphanumeric())
    {
        out.push(cause(
            "spec.names.kind",
            format!("Invalid value: \"{k}\": {DNS1035}"),
        ));
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

/// A CRD may not define what the API server serves itself (its objects would
/// share the built-in type's storage).
fn builtin_clash(spec: &Value, out: &mut Vec<Cause>) {
    let group = spec["group"].as_str().unwrap_or_default();
    let plural = spec["names"]["plural"].as_str().unwrap_or_default();
    let served = crate::resources::TYPES
        .iter()
        .any(|t| t.group == group && t.plural == plural);
    if served {
        out.push(cause(
            "spec.names.plural",
            format!(
                "Invalid value: \"{plural}\": {plural}.{group} is served by the API server itself"
            ),
        ));
    }
}

/// Groups of Kubernetes itself need an approval annotation.
fn protected(crd: &Value, out: &mut Vec<Cause>) {
    let group = crd["spec"]["group"].as_str().unwrap_or_default();
    let kube = ["k8s.io", "kubernetes.io"]
        .iter()
        .any(|d| group == *d || group.ends_with(&format!(".{d}")));
    let approved = crd["metadata"]["annotations"]["api-approved.kubernetes.io"]
        .as_str()
        .is_some_and(|a| !a.is_empty());
    if kube && !approved {
        out.push(cause(
            "metadata.annotations[api-approved.kubernetes.io]",
            "Required value: protected groups must have approval annotation \"api-approved.kubernetes.io\", see https://github.com/kubernetes/enhancements/pull/1111".into(),
        ));
    }
}

/// Scale paths must point into spec and status.
fn scale_paths(spec: &Value, out: &mut Vec<Cause>) {
    for (i, v) in spec["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let Some(scale) = v["subresources"].get("scale") else {
            continue;
        };
        for (field, prefix) in [
            ("specReplicasPath", ".spec."),
            ("statusReplicasPath", ".status."),
        ] {
            let p = scale[field].as_str().unwrap_or_default();
            if !p.starts_with(prefix) || p.len() == prefix.len() {
                out.push(cause(
                    &format!("spec.versions[{i}].subresources.scale.{field}"),
                    format!(
                        "Invalid value: \"{p}\": should be a json path under {}",
                        prefix.trim_end_matches('.')
                    ),
                ));
            }
        }
    }
}

/// Checks a CRD (and, on update, what may not change); its problems, each with its field.
pub fn definition(crd: &Value, old: Option<&Value>) -> Result<(), KubeError> {
    let spec = &crd["spec"];
    let mut out = Vec::new();
    names(spec, &mut out);
    protected(crd, &mut out);
    scale_paths(spec, &mut out);
    if let Some(o) = old
        && o["spec"]["scope"] != spec["scope"]
    {
        out.push(cause(
            "spec.scope",
            format!("Invalid value: {}: field is immutable", spec["scope"]),
        ));
    }
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
    builtin_clash(spec, &mut out);
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
        assert!(definition(&crd, None).is_ok());
        let mut bad = crd.clone();
        bad["metadata"]["name"] = json!("gadgets.example.com");
        bad["spec"]["versions"][0]["storage"] = json!(false);
        let KubeError::Invalid { causes, .. } = definition(&bad, None).unwrap_err() else {
            panic!()
        };
        assert_eq!(causes.len(), 2);
        let mut rbac = crd.clone();
        rbac["metadata"]["name"] = json!("roles.rbac.authorization.k8s.io");
        rbac["spec"]["group"] = json!("rbac.authorization.k8s.io");
        rbac["spec"]["names"]["plural"] = json!("roles");
        assert!(definition(&rbac, None).is_err());
        let mut dotted = crd.clone();
        dotted["spec"]["names"]["plural"] = json!("widgets.more");
        dotted["metadata"]["name"] = json!("widgets.more.example.com");
        assert!(definition(&dotted, None).is_err());
    }
}
