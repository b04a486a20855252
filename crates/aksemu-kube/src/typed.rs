//! Objects against their kind's schema before anything else happens, as
//! kube-apiserver decodes them: unknown fields for `fieldValidation`
//! (`Strict` refuses, `Warn` — the default — warns, `Ignore` skips), and JSON
//! types: a built-in kind answers with the Go decoder's error (400), an
//! apply configuration with the typed-patch error, a custom resource with
//! its schema's message (422, from the write path).

use serde_json::Value;

use crate::error::KubeError;
use crate::resources::ResourceType;
use crate::schema::builtin::BUILTIN;
use crate::schema::{self, Detail, Problem, Schema};

/// The schema objects of a type are checked against, if it has one.
pub fn schema_of(rt: &ResourceType) -> Option<Schema<'static>> {
    match rt.custom {
        Some(c) if c.schema.is_object() => Some(Schema::inline(&c.schema)),
        Some(_) => None,
        None => Schema::named(&BUILTIN.defs, BUILTIN.name_of(rt.group, rt.kind)?),
    }
}

/// What one walk over an object against its kind's schema found.
#[derive(Default)]
pub struct Inspection {
    pub unknown: Vec<String>,
    /// The first value of the wrong JSON type (built-in kinds; a custom
    /// resource's are reported by its schema's checks).
    pub mistyped: Option<Problem>,
}

/// Walks `obj` once against its kind's schema.
pub fn inspect(rt: &ResourceType, obj: &Value) -> Inspection {
    let Some(s) = schema_of(rt) else {
        return Inspection::default();
    };
    let (problems, unknown) = schema::inspect(s, obj, false);
    let mistyped = if rt.custom.is_none() {
        problems
            .into_iter()
            .find(|p| matches!(p.detail, Detail::Type { .. }))
    } else {
        None
    };
    Inspection { unknown, mistyped }
}

/// A `fieldValidation` value kube-apiserver accepts.
pub fn check_mode(mode: Option<&str>) -> Result<(), KubeError> {
    match mode {
        None | Some("Strict" | "Warn" | "Ignore") => Ok(()),
        Some(other) => Err(KubeError::BadRequest(format!(
            "fieldValidation must be one of Ignore, Warn or Strict, not {other:?}"
        ))),
    }
}

/// Unknown fields of a body, refused or returned as warnings.
pub fn field_validation(
    mode: Option<&str>,
    unknown: &[String],
    duplicates: &[String],
) -> Result<Vec<String>, KubeError> {
    match mode {
        None | Some("Strict" | "Warn" | "Ignore") => {}
        Some(other) => {
            return Err(KubeError::BadRequest(format!(
                "fieldValidation must be one of Ignore, Warn or Strict, not {other:?}"
            )));
        }
    }
    if mode == Some("Ignore") {
        return Ok(Vec::new());
    }
    let found: Vec<String> = unknown
        .iter()
        .map(|p| format!("unknown field \"{p}\""))
        .chain(
            duplicates
                .iter()
                .map(|p| format!("duplicate field \"{p}\"")),
        )
        .collect();
    match mode {
        Some("Strict") if !found.is_empty() => Err(KubeError::BadRequest(format!(
            "strict decoding error: {}",
            found.join(", ")
        ))),
        _ => Ok(found),
    }
}

/// Drops what a built-in kind's schema does not declare, as its decoder does
/// (custom resources are pruned on the write path, after defaulting).
pub fn prune(rt: &ResourceType, obj: &mut Value) {
    if rt.custom.is_none()
        && let Some(s) = schema_of(rt)
    {
        schema::prune(s, obj);
    }
}

fn go_kind(json_type: &str) -> &str {
    match json_type {
        "integer" => "number",
        "boolean" => "bool",
        other => other,
    }
}

/// The Go type a schema node decodes into, as Go's errors name it.
fn go_type(want: &str, format: Option<&str>, target: Option<&str>) -> String {
    let short = |n: &str| {
        let parts: Vec<&str> = n.rsplitn(3, '.').collect();
        match parts.as_slice() {
            [name, version, _] => format!("{version}.{name}"),
            _ => n.to_string(),
        }
    };
    match (want, format) {
        ("integer", Some(f)) => f.to_string(),
        ("integer", None) => "int".into(),
        ("number", _) => "float64".into(),
        ("boolean", _) => "bool".into(),
        ("string", _) => "string".into(),
        ("object", _) => target
            .map(short)
            .unwrap_or_else(|| "map[string]string".into()),
        ("array", _) => "[]".to_string() + &target.map(short).unwrap_or_else(|| "string".into()),
        (other, _) => other.to_string(),
    }
}

/// A built-in object whose JSON types do not fit its kind: the Go decoder's 400.
pub fn decodable(rt: &ResourceType, found: &Inspection) -> Result<(), KubeError> {
    let Some(p) = &found.mistyped else {
        return Ok(());
    };
    let Detail::Type {
        want,
        format,
        got,
        parent,
        target,
    } = &p.detail
    else {
        return Ok(());
    };
    let field: String = p
        .path
        .split('[')
        .map(|s| s.split_once(']').map_or(s, |(_, r)| r))
        .collect();
    let parent = parent
        .as_deref()
        .map(|n| n.rsplit('.').next().unwrap_or(n).to_string())
        .unwrap_or_else(|| rt.kind.to_string());
    Err(KubeError::BadRequest(format!(
        "{kind} in version \"{version}\" cannot be handled as a {kind}: json: cannot unmarshal {got} into Go struct field {parent}.{field} of type {ty}",
        kind = rt.kind,
        version = rt.version,
        got = go_kind(got),
        ty = go_type(want, format.as_deref(), target.as_deref()),
    )))
}

/// An apply configuration whose JSON types do not fit its kind: kube's
/// typed-patch error (kube-apiserver answers it as an internal error; a
/// client's mistake is a 400 here).
pub fn applicable(
    rt: &ResourceType,
    ns: &str,
    name: &str,
    found: &Inspection,
) -> Result<(), KubeError> {
    let Some(p) = &found.mistyped else {
        return Ok(());
    };
    let Detail::Type { want, got, .. } = &p.detail else {
        return Ok(());
    };
    let expected = match want.as_str() {
        "integer" | "number" => "numeric (int or float)",
        "object" => "map",
        "array" => "list",
        "boolean" => "bool",
        other => other,
    };
    let field = format!(".{}", p.path);
    let group = if rt.group.is_empty() {
        String::new()
    } else {
        format!("{}/", rt.group)
    };
    let message = format!(
        "failed to create typed patch object ({ns}/{name}; {group}{}, Kind={}): {field}: expected {expected}, got {got}",
        rt.version, rt.kind
    );
    Err(KubeError::BadRequest(message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::find;
    use serde_json::json;

    #[test]
    fn built_in_types_and_fields() {
        let d = find("apps", "v1", "deployments").unwrap();
        let obj = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"},
            "spec": {"replicas": "three", "replica": 1,
                "template": {"spec": {"containers": [{"name": "c", "image": "i", "imagePullPolicyy": "x",
                    "resources": {"limits": {"cpu": 1}}}]}}}});
        assert_eq!(
            decodable(d, &inspect(d, &obj)).unwrap_err().to_string(),
            "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
        );
        assert_eq!(
            field_validation(Some("Strict"), &inspect(d, &obj).unknown, &[])
                .unwrap_err()
                .to_string(),
            "strict decoding error: unknown field \"spec.replica\", unknown field \"spec.template.spec.containers[0].imagePullPolicyy\""
        );
        let e = applicable(d, "default", "w", &inspect(d, &obj)).unwrap_err();
        assert!(
            e.to_string()
                .ends_with(".spec.replicas: expected numeric (int or float), got string"),
            "{e}"
        );
    }
}
