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

type Key = (String, String);

#[derive(Default)]
struct Inner {
    generation: u64,
    /// `None`: the document is known to be absent.
    docs: HashMap<Key, Option<RawDoc>>,
}

#[derive(Default)]
pub(crate) struct ReadCache {
    inner: Mutex<Inner>,
}

/// A cache miss: where to put what the reader finds.
pub(crate) struct Miss {
    generation: u64,
    key: Key,
}

impl ReadCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The map is valid after any panic (no invariant spans two statements).
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached read, or the ticket to fill it in.
    pub fn get(&self, coll: &str, key: &str) -> Result<Option<RawDoc>, Miss> {
        let inner = self.lock();
        let k = (coll.to_string(), key.to_string());
        match inner.docs.get(&k) {
            Some(hit) => Ok(hit.clone()),
            None => Err(Miss {
                generation: inner.generation,
                key: k,
            }),
        }
    }

    /// Keeps what a reader found, unless a write was invalidated meanwhile.
    pub fn fill(&self, miss: Miss, found: &Option<RawDoc>) {
        let mut inner = self.lock();
        if inner.generation != miss.generation {
            return;
        }
        if inner.docs.len() >= CAPACITY {
            inner.docs.clear();
        }
        inner.docs.insert(miss.key, found.clone());
    }

    /// Forgets what was written; called once the writes are committed (or failed).
    pub fn invalidate(&self, touched: &[Touched]) {
        let mut inner = self.lock();
        inner.generation += 1;
        for t in touched {
            match t {
                Touched::Key(coll, key) => {
                    inner.docs.remove(&(coll.to_string(), key.clone()));
                }
                Touched::Prefix(coll, prefix) => inner
                    .docs
                    .retain(|(c, k), _| c != coll || !k.starts_with(prefix.as_str())),
            }
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
