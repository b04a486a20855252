//! What a cloud controller remembers per object: the spec it last synced, and
//! after a failure when to try again. Back-off doubles from 5 s to
//! 300 s, as the service controller's work queue does, on the cloud clock, so
//! `aksemu clock advance` brings the next try forward.

use std::collections::HashMap;
use std::hash::Hash;

use time::{Duration, OffsetDateTime};

struct Entry {
    fingerprint: String,
    failures: u32,
    retry_at: Option<OffsetDateTime>,
}

pub struct Tracker<K> {
    entries: HashMap<K, Entry>,
}

impl<K> Default for Tracker<K> {
    fn default() -> Self {
        Self {
            entries: HashMap::new(),
        }
    }
}

const FIRST_SECS: i64 = 5;
const MAX_SECS: i64 = 300;

impl<K: Hash + Eq + Clone> Tracker<K> {
    /// Nothing to do: synced at this spec, or failed at it and not due yet.
    pub fn idle(&self, key: &K, fingerprint: &str, now: OffsetDateTime) -> bool {
        self.entries
            .get(key)
            .is_some_and(|e| e.fingerprint == fingerprint && e.retry_at.is_none_or(|at| now < at))
    }

    pub fn succeeded(&mut self, key: K, fingerprint: String) {
        self.entries.insert(
            key,
            Entry {
                fingerprint,
                failures: 0,
                retry_at: None,
            },
        );
    }

    pub fn failed(&mut self, key: K, fingerprint: String, now: OffsetDateTime) {
        let failures = self
            .entries
            .get(&key)
            .filter(|e| e.fingerprint == fingerprint)
            .map_or(0, |e| e.failures)
            + 1;
        let delay = (FIRST_SECS << (failures - 1).min(10)).min(MAX_SECS);
        self.entries.insert(
            key,
            Entry {
                fingerprint,
                failures,
                retry_at: Some(now + Duration::seconds(delay)),
            },
        );
    }

    pub fn forget(&mut self, key: &K) {
        self.entries.remove(key);
    }

    /// Services whose next try is due.
    pub fn due(&self, now: OffsetDateTime) -> Vec<K> {
        self.entries
            .iter()
            .filter(|(_, e)| e.retry_at.is_some_and(|at| at <= now))
            .map(|(k, _)| k.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backs_off_and_settles() {
        let mut t = Tracker::default();
        let k = ("u".to_string(), "ns".to_string(), "s".to_string());
        let now = OffsetDateTime::UNIX_EPOCH;
        t.failed(k.clone(), "a".into(), now);
        assert!(t.idle(&k, "a", now));
        assert!(!t.idle(&k, "b", now), "a changed spec is tried at once");
        assert_eq!(t.due(now + Duration::seconds(5)), vec![k.clone()]);
        t.failed(k.clone(), "a".into(), now);
        assert!(t.due(now + Duration::seconds(9)).is_empty());
        for _ in 0..20 {
            t.failed(k.clone(), "a".into(), now);
        }
        assert_eq!(t.due(now + Duration::seconds(300)), vec![k.clone()]);
        t.succeeded(k.clone(), "a".into());
        assert!(t.idle(&k, "a", now + Duration::days(1)));
    }
}
