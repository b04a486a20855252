//! Point reads of a SQLite file store, kept in memory. The process holding the
//! database is its only writer (`SqliteStore::open` takes an exclusive lock on
//! it), so every change passes `apply`, which drops the keys it wrote once they
//! are committed and before it answers. A reader fills in what it read only if
//! no write was invalidated while it read (the generation is unchanged), so a
//! read from before a commit never lands after that commit's invalidation.
//! Hot reads (the authenticated GET, managed-identity hosts) then skip SQLite's
//! read transaction (its lock syscalls and statement).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use crate::{RawDoc, Write};

/// Entries kept before the cache starts over.
const CAPACITY: usize = 16_384;

#[derive(Default)]
struct Inner {
    generation: u64,
    /// By collection, then key; `None`: the document is known to be absent.
    /// Nested so a hit looks up by `&str` without building a key.
    docs: HashMap<String, HashMap<String, Option<RawDoc>>>,
    entries: usize,
}

#[derive(Default)]
pub(crate) struct ReadCache {
    inner: Mutex<Inner>,
}

/// A cache miss: where to put what the reader finds.
pub(crate) struct Miss {
    generation: u64,
    coll: String,
    key: String,
}

impl ReadCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The map is valid after any panic (no invariant spans two statements).
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached read, or the ticket to fill it in.
    pub fn get(&self, coll: &str, key: &str) -> Result<Option<RawDoc>, Miss> {
        let inner = self.lock();
        match inner.docs.get(coll).and_then(|c| c.get(key)) {
            Some(hit) => Ok(hit.clone()),
            None => Err(Miss {
                generation: inner.generation,
                coll: coll.to_string(),
                key: key.to_string(),
            }),
        }
    }

    /// The cached document's etag (without copying its body), or the ticket.
    pub fn etag(&self, coll: &str, key: &str) -> Result<Option<String>, Miss> {
        let inner = self.lock();
        match inner.docs.get(coll).and_then(|c| c.get(key)) {
            Some(hit) => Ok(hit.as_ref().map(|d| d.etag.clone())),
            None => Err(Miss {
                generation: inner.generation,
                coll: coll.to_string(),
                key: key.to_string(),
            }),
        }
    }

    /// Keeps what a reader found, unless a write was invalidated meanwhile.
    pub fn fill(&self, miss: Miss, found: &Option<RawDoc>) {
        let mut inner = self.lock();
        if inner.generation != miss.generation {
            return;
        }
        if inner.entries >= CAPACITY {
            inner.docs.clear();
            inner.entries = 0;
        }
        let coll = inner.docs.entry(miss.coll).or_default();
        if coll.insert(miss.key, found.clone()).is_none() {
            inner.entries += 1;
        }
    }

    /// Forgets what was written; called once the writes are committed (or failed).
    pub fn invalidate(&self, touched: &[Touched]) {
        let mut guard = self.lock();
        let inner = &mut *guard;
        inner.generation += 1;
        for t in touched {
            let removed = match t {
                Touched::Key(coll, key) => inner
                    .docs
                    .get_mut(*coll)
                    .and_then(|c| c.remove(key))
                    .map_or(0, |_| 1),
                Touched::Prefix(coll, prefix) => inner.docs.get_mut(*coll).map_or(0, |c| {
                    let before = c.len();
                    c.retain(|k, _| !k.starts_with(prefix.as_str()));
                    before - c.len()
                }),
            };
            inner.entries -= removed;
        }
    }
}

/// What a batch of writes may change.
pub(crate) enum Touched {
    Key(&'static str, String),
    Prefix(&'static str, String),
}

pub(crate) fn touched(writes: &[Write]) -> Vec<Touched> {
    writes
        .iter()
        .map(|w| match w {
            Write::Put { coll, key, .. } | Write::Delete { coll, key, .. } => {
                Touched::Key(coll, key.clone())
            }
            Write::DeletePrefix { coll, prefix } => Touched::Prefix(coll, prefix.clone()),
        })
        .collect()
}
