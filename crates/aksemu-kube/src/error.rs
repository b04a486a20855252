//! The Kubernetes API's errors, and the one place they become a `Status`
//! object (`{"kind":"Status",...}`), which kubectl prints as
//! `Error from server (<reason>): <message>`.

use serde_json::{Value, json};

/// One field problem of an `Invalid` answer (`details.causes[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    pub reason: &'static str,
    pub message: String,
    pub field: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KubeError {
    #[error("{message}")]
    NotFound {
        message: String,
        kind: String,
        name: String,
    },
    #[error("{kind} \"{name}\" already exists")]
    AlreadyExists { kind: String, name: String },
    #[error("{0}")]
    Conflict(String, String, String),
    /// Server-side apply's field conflicts: 409 with a cause per field.
    #[error("{message}")]
    ApplyConflict { message: String, causes: Vec<Cause> },
    #[error("{message}")]
    Invalid {
        message: String,
        kind: String,
        name: String,
        causes: Vec<Cause>,
    },
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String, String, String),
    #[error("Unauthorized")]
    Unauthorized,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    NotAcceptable(String),
    #[error("the server does not allow this method on the requested resource")]
    MethodNotAllowed,
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    RequestEntityTooLarge(String),
    #[error("Internal error occurred: {0}")]
    Internal(String),
}

/// "the server could not find the requested resource": an unknown path.
pub fn unknown_path() -> KubeError {
    KubeError::NotFound {
        message: "the server could not find the requested resource".into(),
        kind: String::new(),
        name: String::new(),
    }
}

/// `<resource> "<name>" not found`, as kube-apiserver words it.
pub fn not_found(resource: &str, name: &str) -> KubeError {
    KubeError::NotFound {
        message: format!("{resource} \"{name}\" not found"),
        kind: resource.to_string(),
        name: name.to_string(),
    }
}

/// An `Invalid` answer about one field.
pub fn invalid(kind: &str, name: &str, field: &str, message: &str) -> KubeError {
    let display = if name.is_empty() {
        format!("{kind} is invalid: {field}: {message}")
    } else {
        format!("{kind} \"{name}\" is invalid: {field}: {message}")
    };
    KubeError::Invalid {
        message: display,
        kind: kind.to_string(),
        name: name.to_string(),
        causes: vec![Cause {
            reason: "FieldValueInvalid",
            message: message.to_string(),
            field: field.to_string(),
        }],
    }
}

impl From<aksemu_store::StoreError> for KubeError {
    fn from(e: aksemu_store::StoreError) -> Self {
        tracing::error!(error = %e, "store failure under the Kubernetes API");
        KubeError::Internal("the storage layer failed".into())
    }
}

impl KubeError {
    pub fn code(&self) -> u16 {
        match self {
            KubeError::NotFound { .. } => 404,
            KubeError::AlreadyExists { .. }
            | KubeError::Conflict(..)
            | KubeError::ApplyConflict { .. } => 409,
            KubeError::Invalid { .. } => 422,
            KubeError::BadRequest(_) => 400,
            KubeError::Forbidden(..) => 403,
            KubeError::Unauthorized => 401,
            KubeError::UnsupportedMediaType(_) => 415,
            KubeError::NotAcceptable(_) => 406,
            KubeError::MethodNotAllowed => 405,
            KubeError::Gone(_) => 410,
            KubeError::RequestEntityTooLarge(_) => 413,
            KubeError::Internal(_) => 500,
        }
    }

    fn reason(&self) -> &'static str {
        match self {
            KubeError::NotFound { .. } => "NotFound",
            KubeError::AlreadyExists { .. } => "AlreadyExists",
            KubeError::Conflict(..) | KubeError::ApplyConflict { .. } => "Conflict",
            KubeError::Invalid { .. } => "Invalid",
            KubeError::BadRequest(_) => "BadRequest",
            KubeError::Forbidden(..) => "Forbidden",
            KubeError::Unauthorized => "Unauthorized",
            KubeError::UnsupportedMediaType(_) => "UnsupportedMediaType",
            KubeError::NotAcceptable(_) => "NotAcceptable",
            KubeError::MethodNotAllowed => "MethodNotAllowed",
            KubeError::Gone(_) => "Expired",
            KubeError::RequestEntityTooLarge(_) => "RequestEntityTooLarge",
            KubeError::Internal(_) => "InternalError",
        }
    }

    fn details(&self) -> Option<Value> {
        let kn = |kind: &str, name: &str| {
            let mut d = json!({});
            if !name.is_empty() {
                d["name"] = json!(name);
            }
            if !kind.is_empty() {
                d["kind"] = json!(kind);
            }
            d
        };
        let causes = |causes: &[Cause]| -> Value {
            causes
                .iter()
                .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
                .collect()
        };
        match self {
            KubeError::ApplyConflict { causes: c, .. } => Some(json!({"causes": causes(c)})),
            KubeError::NotFound { kind, name, .. } | KubeError::AlreadyExists { kind, name } => {
                Some(kn(kind, name))
            }
            KubeError::Conflict(_, kind, name) | KubeError::Forbidden(_, kind, name) => {
                Some(kn(kind, name))
            }
            KubeError::Invalid {
                kind,
                name,
                causes: c,
                ..
            } => {
                let mut d = kn(kind, name);
                d["causes"] = causes(c);
                Some(d)
            }
            _ => None,
        }
    }

    /// The `Status` object for this error.
    pub fn status(&self) -> Value {
        let mut s = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.to_string(),
            "reason": self.reason(),
            "code": self.code(),
        });
        if let Some(d) = self.details() {
            s["details"] = d;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_status_as_kubectl_reads_it() {
        let s = not_found("services", "nope").status();
        assert_eq!(s["message"], "services \"nope\" not found");
        assert_eq!(s["reason"], "NotFound");
        assert_eq!(s["code"], 404);
        assert_eq!(s["details"], json!({"name": "nope", "kind": "services"}));
    }

    #[test]
    fn invalid_carries_causes() {
        let s = invalid(
            "Namespace",
            "Bad",
            "metadata.name",
            "a lowercase RFC 1123 label",
        )
        .status();
        assert_eq!(s["code"], 422);
        assert_eq!(s["details"]["causes"][0]["field"], "metadata.name");
    }
}
