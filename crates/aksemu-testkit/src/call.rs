//! Calling an endpoint of a running server as a bearer of some token, and
//! reading a token's claims.

use base64::Engine as _;
use reqwest::Method;
use serde_json::Value;

use crate::Server;

/// A response's status and JSON body (`Null` when there is none).
pub type Called = (u16, Value);

impl Server {
    /// Sends `method path` (with `api-version` added when the path has none)
    /// with the token, if any, and the JSON body, if any.
    pub async fn call_with(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        api_version: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let url = if path.contains("api-version=") {
            self.url(path)
        } else {
            let sep = if path.contains('?') { '&' } else { '?' };
            self.url(&format!("{path}{sep}api-version={api_version}"))
        };
        let mut r = self.client.request(method, url);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send().await.expect("request")
    }

    /// `call_with`, answered as status and JSON.
    pub async fn call(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        api_version: &str,
        body: Option<Value>,
    ) -> Called {
        let resp = self.call_with(token, method, path, api_version, body).await;
        (
            resp.status().as_u16(),
            resp.json().await.unwrap_or(Value::Null),
        )
    }
}

/// A JWT's payload, unverified (tests read what was issued).
pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON payload")
}
