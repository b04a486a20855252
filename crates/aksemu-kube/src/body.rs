//! Request bodies: JSON, YAML that is JSON (what clients send), and the
//! Kubernetes protobuf envelope kubectl ≥ 1.32 sends from its typed clients.

use serde_json::Value;

use crate::error::KubeError;
use crate::request::KubeRequest;

/// kube-apiserver's limit on a request body (3 MiB).
pub const MAX_BODY: usize = 3 * 1024 * 1024;

fn media_type(req: &KubeRequest) -> String {
    req.content_type
        .as_deref()
        .unwrap_or("application/json")
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The body as a JSON value, whatever encoding the request declared.
pub fn decode(req: &KubeRequest) -> Result<Value, KubeError> {
    if req.body.len() > MAX_BODY {
        return Err(KubeError::RequestEntityTooLarge(
            "the request body is larger than 3 MiB".into(),
        ));
    }
    match media_type(req).as_str() {
        "application/json"
        | "application/yaml"
        | "application/apply-patch+yaml"
        | "application/merge-patch+json"
        | "application/strategic-merge-patch+json"
        | "application/json-patch+json"
        | ""
        | "*/*" => json(&req.body),
        "application/vnd.kubernetes.protobuf" => {
            crate::protobuf::decode(&req.body).map_err(|e| KubeError::BadRequest(e.to_string()))
        }
        other => Err(KubeError::UnsupportedMediaType(format!(
            "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got {other})"
        ))),
    }
}

/// The patch type a PATCH declares.
pub fn patch_type(req: &KubeRequest) -> String {
    media_type(req)
}

fn json(bytes: &[u8]) -> Result<Value, KubeError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(KubeError::BadRequest("the request body is empty".into()));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        KubeError::BadRequest(format!(
            "the object provided is unrecognized or invalid: {e} (only JSON and JSON-compatible YAML bodies are read)"
        ))
    })
}
