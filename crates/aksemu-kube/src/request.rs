//! A Kubernetes API request and response without HTTP types: the server turns
//! its HTTP request into a `KubeRequest` and a `KubeResponse` back into HTTP.

use tokio::sync::mpsc;

#[derive(Debug, Clone)]
pub struct KubeRequest {
    /// Upper-case HTTP method.
    pub method: String,
    /// The path under the cluster's prefix, percent-decoded, starting with `/`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub content_type: Option<String>,
    pub accept: Option<String>,
    /// The bearer token of `Authorization`, if any.
    pub bearer: Option<String>,
    /// `User-Agent`: its first word names the default field manager.
    pub user_agent: Option<String>,
    pub body: Vec<u8>,
    /// `https://<authority>/aksemu/clusters/<uid>`: what absolute URLs start with.
    pub base_url: String,
}

impl KubeRequest {
    /// The last value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A boolean query parameter, read as Go's `strconv.ParseBool` reads it
    /// (the Python client sends `watch=True`).
    pub fn flag(&self, name: &str) -> bool {
        matches!(
            self.param(name),
            Some("1" | "t" | "T" | "true" | "TRUE" | "True")
        )
    }

    /// Whether the client asked for a server-built Table (`kubectl get`).
    pub fn wants_table(&self) -> bool {
        self.accept
            .as_deref()
            .is_some_and(|a| a.contains("as=Table"))
    }

    /// `dryRun=All`: validate and answer, but store nothing.
    pub fn dry_run(&self) -> bool {
        self.query.iter().any(|(k, v)| k == "dryRun" && v == "All")
    }
}

/// A response body: whole, or a stream of chunks (watches).
pub enum KubeBody {
    Full(Vec<u8>),
    Stream(mpsc::Receiver<Vec<u8>>),
}

pub struct KubeResponse {
    pub status: u16,
    pub content_type: String,
    /// Extra headers (`Warning`, `ETag`).
    pub headers: Vec<(String, String)>,
    pub body: KubeBody,
}

impl KubeResponse {
    pub fn json(status: u16, v: &serde_json::Value) -> Self {
        Self::bytes(status, "application/json", v.to_string().into_bytes())
    }

    pub fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Self {
            status,
            content_type: content_type.to_string(),
            headers: Vec::new(),
            body: KubeBody::Full(body),
        }
    }

    /// Adds `Warning: 299 - "text"`, which kubectl prints as `Warning: text`.
    pub fn warn(mut self, text: &str) -> Self {
        let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
        self.headers
            .push(("Warning".into(), format!("299 - \"{escaped}\"")));
        self
    }
}
