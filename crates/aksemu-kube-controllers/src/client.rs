//! How a component calls its cluster's API: in process, but through the same
//! path as any client (`KubeApi::handle`: authentication with a component
//! token, the gate, the verbs), so its writes are validated, versioned and
//! watched like a user's.

use std::sync::Arc;

use aksemu_kube::{KubeApi, KubeBody, KubeRequest};
use serde_json::Value;

/// A failed call: the status code and the `Status` message.
#[derive(Debug, Clone)]
pub struct CallError {
    pub code: u16,
    pub message: String,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.message)
    }
}

pub struct Client {
    api: Arc<KubeApi>,
    uid: String,
    token: String,
    /// What the component's writes are recorded as in managedFields.
    user_agent: String,
}

impl Client {
    /// A client of cluster `uid` acting as `user` (a component, in `groups`).
    pub async fn new(
        api: &Arc<KubeApi>,
        uid: &str,
        user: &str,
        groups: &[&str],
    ) -> Result<Self, CallError> {
        let token = aksemu_kube::system_tokens::mint(api, uid, user, groups)
            .await
            .map_err(|e| CallError {
                code: e.code(),
                message: e.to_string(),
            })?;
        Ok(Self {
            api: api.clone(),
            uid: uid.to_string(),
            token,
            user_agent: format!(
                "{}/v1 (linux/amd64) aksemu",
                user.strip_prefix("system:").unwrap_or(user)
            ),
        })
    }

    /// The cloud clock's time, as Kubernetes writes timestamps (what
    /// conditions, events and statuses are stamped with).
    pub fn now(&self) -> String {
        aksemu_kube::objects::ktime(self.api.now())
    }

    /// One request; the answer's JSON body, or the error.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<(&str, Value)>,
    ) -> Result<Value, CallError> {
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p, q),
            None => (path, ""),
        };
        let (content_type, body) = match body {
            Some((ct, b)) => (Some(ct.to_string()), b.to_string().into_bytes()),
            None => (None, Vec::new()),
        };
        let req = KubeRequest {
            method: method.into(),
            path: path.into(),
            query: form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            content_type,
            accept: Some("application/json".into()),
            bearer: Some(self.token.clone()),
            user_agent: Some(self.user_agent.clone()),
            body,
            base_url: format!("https://aksemu.internal/aksemu/clusters/{}", self.uid),
        };
        let resp = self.api.handle(&self.uid, req).await;
        let KubeBody::Full(bytes) = resp.body else {
            return Err(CallError {
                code: 500,
                message: "unexpected stream".into(),
            });
        };
        let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if resp.status >= 400 {
            return Err(CallError {
                code: resp.status,
                message: v["message"].as_str().unwrap_or_default().to_string(),
            });
        }
        Ok(v)
    }

    pub async fn get(&self, path: &str) -> Result<Option<Value>, CallError> {
        match self.call("GET", path, None).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.code == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn list(&self, path: &str) -> Result<Vec<Value>, CallError> {
        let v = self.call("GET", path, None).await?;
        Ok(v["items"].as_array().cloned().unwrap_or_default())
    }

    pub async fn create(&self, path: &str, obj: Value) -> Result<Value, CallError> {
        self.call("POST", path, Some(("application/json", obj)))
            .await
    }

    pub async fn merge_patch(&self, path: &str, patch: Value) -> Result<Value, CallError> {
        self.call("PATCH", path, Some(("application/merge-patch+json", patch)))
            .await
    }

    pub async fn delete(&self, path: &str) -> Result<(), CallError> {
        let opts = serde_json::json!({"gracePeriodSeconds": 0, "propagationPolicy": "Background"});
        match self
            .call("DELETE", path, Some(("application/json", opts)))
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.code == 404 => Ok(()),
            Err(e) => Err(e),
        }
    }
}
