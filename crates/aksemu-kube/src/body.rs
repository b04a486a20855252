//! Request bodies: JSON, YAML, and the
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
        "application/yaml" | "application/apply-patch+yaml" => yaml(&req.body),
        "application/json"
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

/// YAML bodies (JSON is YAML too: kubectl's apply bodies are JSON).
fn yaml(bytes: &[u8]) -> Result<Value, KubeError> {
    if let Ok(v) = serde_json::from_slice(bytes) {
        return Ok(v);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(KubeError::BadRequest("the request body is empty".into()));
    }
    let v: Value = serde_yaml_ng::from_slice(bytes).map_err(|e| {
        KubeError::BadRequest(format!(
            "the object provided is unrecognized or invalid YAML: {e}"
        ))
    })?;
    if !v.is_object() && !v.is_array() {
        return Err(KubeError::BadRequest(
            "the YAML body must be a mapping".into(),
        ));
    }
    Ok(v)
}

fn json(bytes: &[u8]) -> Result<Value, KubeError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(KubeError::BadRequest("the request body is empty".into()));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        KubeError::BadRequest(format!(
            "the object provided is unrecognized or invalid: {e}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(ct: &str, body: &str) -> KubeRequest {
        KubeRequest {
            method: "POST".into(),
            path: "/".into(),
            query: Vec::new(),
            content_type: Some(ct.into()),
            accept: None,
            bearer: None,
            user_agent: None,
            body: body.as_bytes().to_vec(),
            base_url: String::new(),
        }
    }

    #[test]
    fn yaml_and_json() {
        let y = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: \"1\"\n";
        let v = decode(&req("application/yaml", y)).unwrap();
        assert_eq!(v["metadata"]["name"], "a");
        assert_eq!(v["data"]["k"], "1");
        assert_eq!(
            decode(&req("application/apply-patch+yaml", "{\"a\":1}")).unwrap()["a"],
            1
        );
        assert!(decode(&req("application/yaml", "a: [unclosed")).is_err());
        assert!(decode(&req("application/yaml", "just text")).is_err());
        assert!(decode(&req("application/json", "a: 1")).is_err());
        assert!(matches!(
            decode(&req("text/plain", "x")),
            Err(KubeError::UnsupportedMediaType(_))
        ));
    }

    #[test]
    fn yaml_alias_bombs_are_refused() {
        let mut y = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for w in names.windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(",");
            y.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
        }
        let started = std::time::Instant::now();
        assert!(decode(&req("application/yaml", &y)).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
