//! Tokens that passed verification before: a hit means these very bytes were
//! verified, so only the time window and audience need checking again.

use std::collections::HashMap;
use std::sync::Mutex;

use aksemu_core::Principal;

/// Seconds of clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY_SECS: u64 = 60;

/// Verified tokens: a hit means these very bytes passed verification before, so
/// only the time window and audience need checking again. Indexed by the tail of
/// the signature (cheap to hash, unique in practice) and confirmed by comparing the
/// whole token. Bounded; cleared when full.
#[derive(Default)]
pub struct VerifiedTokens {
    entries: Mutex<HashMap<String, Verified>>,
}

#[derive(Clone)]
pub struct Verified {
    pub token: String,
    pub principal: Principal,
    pub aud: String,
    pub nbf: i64,
    pub exp: i64,
}

const CACHE_CAPACITY: usize = 4096;

fn cache_key(token: &str) -> &str {
    let start = token.len().saturating_sub(48);
    token.get(start..).unwrap_or(token)
}

impl VerifiedTokens {
    pub fn get(&self, token: &str, now: i64, audiences: &[&str]) -> Option<Principal> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let v = entries.get(cache_key(token)).filter(|v| v.token == token)?;
        let leeway = LEEWAY_SECS as i64;
        (now >= v.nbf - leeway && now < v.exp + leeway && audiences.contains(&v.aud.as_str()))
            .then(|| v.principal.clone())
    }

    pub fn put(&self, token: &str, v: Verified) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= CACHE_CAPACITY {
            entries.clear();
        }
        entries.insert(cache_key(token).to_string(), v);
    }
}
