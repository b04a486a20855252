//! Managed-identity tokens issued, by host, principal and resource, as the
//! managed-identity service caches them. Each is kept rendered: the JSON of
//! both protocols' answers with only `expires_in` left to fill in, so a cached
//! answer costs one string, not a JSON tree and its serialisation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::Protocol;

/// (host token, principal id, resource).
pub type CacheKey = (String, String, String);

/// A placeholder no token field can contain (base64url, digits, GUIDs, URLs).
const OPEN: &str = "@aksemu-expires-in@";

/// A token answer with `expires_in` open: the JSON before and after its value.
pub struct Rendered {
    imds: (String, String),
    app_service: (String, String),
    pub expires_on: i64,
}

/// Every value is a string; App Service answers carry no refresh token or
/// `ext_expires_in`.
fn split(full: &Value, protocol: Protocol) -> (String, String) {
    let mut v = full.clone();
    v["expires_in"] = json!(OPEN);
    if protocol == Protocol::AppService
        && let Some(o) = v.as_object_mut()
    {
        o.remove("refresh_token");
        o.remove("ext_expires_in");
    }
    let text = v.to_string();
    match text.split_once(OPEN) {
        Some((before, after)) => (before.to_string(), after.to_string()),
        None => (text, String::new()),
    }
}

impl Rendered {
    pub fn new(full: &Value, expires_on: i64) -> Self {
        Self {
            imds: split(full, Protocol::Imds),
            app_service: split(full, Protocol::AppService),
            expires_on,
        }
    }

    /// The answer's JSON, `remaining` seconds before expiry.
    pub fn body(&self, protocol: Protocol, remaining: i64) -> String {
        let (before, after) = match protocol {
            Protocol::Imds => &self.imds,
            Protocol::AppService => &self.app_service,
        };
        format!("{before}{remaining}{after}")
    }
}

/// Issued tokens, by host, principal and resource.
#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<CacheKey, Arc<Rendered>>>,
}

impl TokenCache {
    pub fn get(&self, key: &CacheKey) -> Option<Arc<Rendered>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(key).cloned()
    }

    pub fn put(&self, key: CacheKey, token: Arc<Rendered>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert(key, token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both_protocols_with_the_remaining_time() {
        let full = json!({"access_token": "a.b.c", "expires_in": "3599", "refresh_token": "", "ext_expires_in": "3599"});
        let r = Rendered::new(&full, 10);
        let imds: Value = serde_json::from_str(&r.body(Protocol::Imds, 42)).unwrap();
        assert_eq!(imds["expires_in"], "42");
        assert_eq!(imds["refresh_token"], "");
        let app: Value = serde_json::from_str(&r.body(Protocol::AppService, 7)).unwrap();
        assert_eq!(app["expires_in"], "7");
        assert!(app.get("refresh_token").is_none() && app.get("ext_expires_in").is_none());
    }
}
