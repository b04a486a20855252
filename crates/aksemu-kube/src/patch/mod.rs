//! PATCH bodies: JSON patch (RFC 6902), JSON merge patch (RFC 7396),
//! strategic merge patch (Kubernetes' merge keys and directives), and the
//! apply configuration of server-side apply, merged like a strategic patch.

mod merge_keys;
pub mod strategic;

use serde_json::Value;

use crate::error::KubeError;

/// What kind of PATCH a Content-Type names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    Json,
    Merge,
    Strategic,
    Apply,
}

impl PatchKind {
    pub fn from_media_type(t: &str) -> Result<Self, KubeError> {
        match t {
            "application/json-patch+json" => Ok(PatchKind::Json),
            "application/merge-patch+json" => Ok(PatchKind::Merge),
            "application/strategic-merge-patch+json" => Ok(PatchKind::Strategic),
            "application/apply-patch+yaml" | "application/apply-patch+cbor" => Ok(PatchKind::Apply),
            other => Err(KubeError::UnsupportedMediaType(format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {other})"
            ))),
        }
    }
}

/// Applies `patch` of `kind` to `original` (an object of `obj_kind`).
pub fn apply(
    kind: PatchKind,
    obj_kind: &str,
    original: &Value,
    patch: &Value,
) -> Result<Value, KubeError> {
    match kind {
        PatchKind::Json => {
            let ops: json_patch::Patch = serde_json::from_value(patch.clone())
                .map_err(|e| KubeError::BadRequest(format!("the JSON patch is invalid: {e}")))?;
            let mut doc = original.clone();
            json_patch::patch(&mut doc, &ops).map_err(|e| KubeError::Invalid {
                message: format!("the JSON patch could not be applied: {e}"),
                kind: obj_kind.to_string(),
                name: String::new(),
                causes: Vec::new(),
            })?;
            Ok(doc)
        }
        PatchKind::Merge => {
            if !patch.is_object() {
                return Err(KubeError::BadRequest(
                    "a merge patch must be a JSON object".into(),
                ));
            }
            let mut doc = original.clone();
            json_patch::merge(&mut doc, patch);
            Ok(doc)
        }
        PatchKind::Strategic | PatchKind::Apply => {
            if !patch.is_object() {
                return Err(KubeError::BadRequest(
                    "a strategic merge patch must be a JSON object".into(),
                ));
            }
            strategic::strategic_merge(obj_kind, original, patch)
                .map_err(|e| KubeError::BadRequest(e.to_string()))
        }
    }
}
