//! Objects as last rendered for a GET (stored text with its resourceVersion),
//! by key and the revision they were rendered at. A hit must match the
//! store's current etag for the key, so nothing stale is ever served; the map
//! is bounded and simply emptied when full.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

const CAPACITY: usize = 8_192;

/// By key: the revision rendered and the text.
type Map = HashMap<String, (String, Arc<[u8]>)>;

#[derive(Default)]
pub struct Rendered {
    map: Mutex<Map>,
}

impl Rendered {
    fn lock(&self) -> MutexGuard<'_, Map> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The text rendered for `key` at revision `etag`, if kept.
    pub fn get(&self, key: &str, etag: &str) -> Option<Arc<[u8]>> {
        self.lock()
            .get(key)
            .filter(|(e, _)| e == etag)
            .map(|(_, t)| t.clone())
    }

    pub fn put(&self, key: &str, etag: &str, text: Arc<[u8]>) {
        let mut map = self.lock();
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(key.to_string(), (etag.to_string(), text));
    }
}
