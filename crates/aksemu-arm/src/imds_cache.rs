//! Managed-identity tokens issued, by host, principal and resource, as the
//! managed-identity service caches them.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

/// (host token, principal id, resource).
type CacheKey = (String, String, String);

/// Issued tokens and their expiry, by host, principal and resource.
#[derive(Default)]
pub struct TokenCache {
    pub(crate) entries: Mutex<HashMap<CacheKey, (Value, i64)>>,
}
