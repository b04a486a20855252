//! Managed-identity tokens issued, by host, principal and resource, as the
//! managed-identity service caches them.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

/// (host token, principal id, resource).
pub type CacheKey = (String, String, String);

/// Issued tokens and their expiry, by host, principal and resource.
#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<CacheKey, (Value, i64)>>,
}

impl TokenCache {
    /// The cached token and its expiry.
    pub fn get(&self, key: &CacheKey) -> Option<(Value, i64)> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(key).cloned()
    }

    pub fn put(&self, key: CacheKey, token: Value, exp: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert(key, (token, exp));
    }
}
