//! The write path's steps for custom resources and their definitions: a
//! custom object is pruned to its schema, defaulted and checked (422 with
//! kube's "in body" messages); a CRD is checked and its status settled.

use serde_json::Value;

use super::{CrdSet, check, status};
use crate::error::{Cause, KubeError};
use crate::resources::ResourceType;
use crate::schema::{self, Schema};

/// A custom object about to be stored (nothing for other kinds).
pub fn custom_object(rt: &ResourceType, obj: &mut Value) -> Result<(), KubeError> {
    let Some(c) = rt.custom else {
        return Ok(());
    };
    if !c.schema.is_object() {
        return Ok(());
    }
    let s = Schema::inline(&c.schema);
    schema::prune(s, obj);
    schema::apply_defaults(s, obj);
    let problems = schema::check(s, obj, true);
    if problems.is_empty() {
        return Ok(());
    }
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let kind = if rt.group.is_empty() {
        rt.kind.to_string()
    } else {
        format!("{}.{}", rt.kind, rt.group)
    };
    let causes: Vec<Cause> = problems
        .iter()
        .map(|p| Cause {
            reason: "FieldValueInvalid",
            message: p.message(),
            field: p.path.clone(),
        })
        .collect();
    let detail: Vec<String> = causes
        .iter()
        .map(|c| format!("{}: {}", c.field, c.message))
        .collect();
    let listed = if detail.len() == 1 {
        detail[0].clone()
    } else {
        format!("[{}]", detail.join(", "))
    };
    // The message names the qualified kind; the details the kind alone
    // (kubectl prints `The Certificate "x" is invalid`).
    Err(KubeError::Invalid {
        message: format!("{kind} \"{name}\" is invalid: {listed}"),
        kind: rt.kind.to_string(),
        name: name.to_string(),
        causes,
    })
}

/// Another CRD of the same group serving the same kind, if any.
fn kind_taken(crds: &CrdSet, crd: &Value) -> Option<String> {
    let group = crd["spec"]["group"].as_str()?;
    let kind = crd["spec"]["names"]["kind"].as_str()?;
    let name = crd["metadata"]["name"].as_str()?;
    crds.types()
        .find(|t| t.group == group && t.kind == kind && t.custom.is_some_and(|c| c.crd != name))
        .map(|_| format!("\"{kind}\" is already in use"))
}

/// A CRD about to be stored: checked, its status settled. Returns the
/// warnings to send (CEL rules that are not evaluated).
pub fn definition(
    crds: &CrdSet,
    old: Option<&Value>,
    crd: &mut Value,
    now: &str,
) -> Result<Vec<String>, KubeError> {
    check::definition(crd, old)?;
    if !super::build::has_room() {
        return Err(KubeError::Forbidden(
            format!(
                "customresourcedefinitions.apiextensions.k8s.io is forbidden: this server has built {} distinct CRD versions; restart it to define more",
                super::build::MAX_DEFINITIONS
            ),
            "customresourcedefinitions.apiextensions.k8s.io".into(),
            crd["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ));
    }
    let taken = kind_taken(crds, crd);
    status::settle(crd, old, taken, now);
    Ok(if check::has_cel_rules(crd) {
        vec![
            "x-kubernetes-validations (CEL) rules are not evaluated by aksemu: objects are checked against the rest of the schema only".to_string(),
        ]
    } else {
        Vec::new()
    })
}
