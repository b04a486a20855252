//! Storage: one trait, two real backends (SQLite, PostgreSQL), their migrations,
//! and one conformance suite that both must pass.
//!
//! The store holds JSON documents in named collections. Each document has a
//! normalised key (what lookups and uniqueness use), the original-case id, an etag
//! and a body. Every change is a batch of writes applied in one transaction, each
//! write with an optional precondition, so multi-row changes are all-or-nothing.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod conformance;
mod conformance_feed;
pub mod feed;
mod migrate;
pub mod postgres;
mod postgres_feed;
mod read_cache;
pub mod read_only;
pub mod sqlite;
mod sqlite_feed;

use async_trait::async_trait;
use serde_json::Value;

pub use feed::{Change, ChangeOp, Changes};

#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub key: String,
    pub id: String,
    pub etag: String,
    pub body: Value,
}

/// Precondition on a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    Any,
    /// The key must not exist (create).
    Absent,
    /// The key must exist.
    Exists,
    /// The key must exist with this etag.
    Etag(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Put {
        coll: &'static str,
        key: String,
        id: String,
        body: Value,
        cond: Cond,
    },
    Delete {
        coll: &'static str,
        key: String,
        cond: Cond,
    },
    /// Deletes every key that starts with `prefix`.
    DeletePrefix { coll: &'static str, prefix: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("{coll}/{key} does not exist")]
    NotFound { coll: String, key: String },
    #[error("{coll}/{key} already exists")]
    AlreadyExists { coll: String, key: String },
    #[error("{coll}/{key} was changed by someone else")]
    PreconditionFailed { coll: String, key: String },
    #[error("store unavailable: {0}")]
    Unavailable(String),
    #[error("store error: {0}")]
    Internal(String),
}

/// Maps a store failure to what an ARM client sees: a lost race is a concurrent
/// update; anything else is logged here and answered as an internal error, so no
/// storage detail reaches a response body.
pub fn store_err(e: StoreError) -> aksemu_core::ArmError {
    use aksemu_core::ArmError;
    match e {
        StoreError::PreconditionFailed { .. }
        | StoreError::AlreadyExists { .. }
        | StoreError::NotFound { .. } => ArmError::ConcurrentUpdate,
        StoreError::Unavailable(msg) | StoreError::Internal(msg) => {
            tracing::error!(error = %msg, "store failure");
            ArmError::InternalServerError
        }
    }
}

/// A document with its body as the JSON text stored, for answering a read
/// without parsing and re-serialising it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawDoc {
    pub key: String,
    pub id: String,
    pub etag: String,
    pub body: String,
}

#[async_trait]
pub trait Store: Send + Sync {
    async fn get(&self, coll: &str, key: &str) -> Result<Option<Doc>, StoreError>;
    /// `get` with the body as JSON text (the same JSON `get` parses).
    async fn get_raw(&self, coll: &str, key: &str) -> Result<Option<RawDoc>, StoreError> {
        Ok(self.get(coll, key).await?.map(|d| RawDoc {
            key: d.key,
            id: d.id,
            etag: d.etag,
            body: d.body.to_string(),
        }))
    }
    /// The etag of a document, if it exists (cheaper than `get` where cached).
    async fn etag(&self, coll: &str, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.get_raw(coll, key).await?.map(|d| d.etag))
    }
    /// Documents whose key starts with `prefix`, in key order.
    async fn list(&self, coll: &str, prefix: &str) -> Result<Vec<Doc>, StoreError>;
    /// At most `limit` documents whose key starts with `prefix` and comes after
    /// `after` (from the start when `None`), in key order: one page of a list.
    async fn list_page(
        &self,
        coll: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Doc>, StoreError>;
    /// How many documents have a key starting with `prefix`.
    async fn count(&self, coll: &str, prefix: &str) -> Result<u64, StoreError>;
    /// Applies all writes in one transaction, or none. Returns the new etag of
    /// each `Put`, in order.
    async fn apply(&self, writes: Vec<Write>) -> Result<Vec<String>, StoreError>;
    /// "sqlite", "postgres" or "memory".
    fn backend(&self) -> &'static str;
    /// The revision of the last write (0 before any). A document's etag is the
    /// revision that wrote it, in decimal.
    async fn revision(&self) -> Result<u64, StoreError>;
    /// `list` (bodies as stored JSON text) and the revision it reflects, read
    /// from one snapshot: a watch from that revision sees exactly the changes
    /// the list does not.
    async fn list_at(&self, coll: &str, prefix: &str) -> Result<(Vec<RawDoc>, u64), StoreError>;
    /// At most `limit` changes to `coll` after revision `after`, in order.
    async fn changes(&self, coll: &str, after: u64, limit: usize) -> Result<Changes, StoreError>;
}

/// Opens the store a `--store` value names: `sqlite:<path>` (or a plain path),
/// `memory`, or a `postgres://` URL.
pub async fn open(spec: &str) -> Result<std::sync::Arc<dyn Store>, StoreError> {
    if spec == "memory" {
        Ok(std::sync::Arc::new(sqlite::SqliteStore::memory()?))
    } else if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(
            postgres::PostgresStore::connect(spec).await?,
        ))
    } else {
        let path = spec.strip_prefix("sqlite:").unwrap_or(spec);
        Ok(std::sync::Arc::new(sqlite::SqliteStore::open(
            std::path::Path::new(path),
        )?))
    }
}

/// The bounds of a page: the lower key and whether it is excluded, and an upper
/// bound above every key starting with `prefix`.
pub(crate) fn page_bounds<'a>(prefix: &'a str, after: Option<&'a str>) -> (&'a str, bool, String) {
    let upper = range_end(prefix);
    match after {
        Some(a) if a >= prefix => (a, true, upper),
        _ => (prefix, false, upper),
    }
}

/// An upper bound of every key starting with `prefix` (for a range scan's `<`).
pub(crate) fn range_end(prefix: &str) -> String {
    prefix_upper_bound(prefix).unwrap_or_else(|| "\u{10FFFF}".repeat(4))
}

/// The smallest string greater than every string starting with `prefix`, for
/// range scans (keys are compared bytewise in both backends).
pub(crate) fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = last as u32 + 1;
        if (0xD800..=0xDFFF).contains(&next) {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_bound() {
        assert_eq!(prefix_upper_bound("/a/"), Some("/a0".to_string()));
        assert_eq!(prefix_upper_bound(""), None);
    }
}
