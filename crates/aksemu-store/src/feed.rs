//! The change feed: every write gets the next revision of the store (one
//! counter for all collections, so revisions are totally ordered), and every
//! put or delete leaves a row that watchers read after a revision they hold.
//! The feed keeps the last `RETAINED_CHANGES` (or what `set_retained_changes`
//! says); a watcher further behind is told its revision was compacted
//! (Kubernetes answers that with 410 Gone).

use std::sync::atomic::{AtomicU64, Ordering};

/// How many changes the feed keeps unless told otherwise.
pub const RETAINED_CHANGES: u64 = 100_000;
/// Compaction runs when the revision crosses a multiple of this (or of the
/// window, if smaller).
pub(crate) const COMPACT_EVERY: u64 = 1_024;

/// The window of this process (`serve --watch-history`).
static RETAINED: AtomicU64 = AtomicU64::new(RETAINED_CHANGES);

/// Sets how many changes the feed keeps (at least 1).
pub fn set_retained_changes(n: u64) {
    RETAINED.store(n.max(1), Ordering::Relaxed);
}

fn retained() -> u64 {
    RETAINED.load(Ordering::Relaxed)
}

/// What a change did to its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeOp {
    Created,
    Modified,
    /// `body` is what the document held before.
    Deleted,
}

impl ChangeOp {
    pub(crate) fn code(self) -> i16 {
        match self {
            ChangeOp::Created => 0,
            ChangeOp::Modified => 1,
            ChangeOp::Deleted => 2,
        }
    }

    pub(crate) fn from_code(c: i64) -> Self {
        match c {
            0 => ChangeOp::Created,
            2 => ChangeOp::Deleted,
            _ => ChangeOp::Modified,
        }
    }
}

/// One change to one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub rev: u64,
    pub key: String,
    pub id: String,
    pub op: ChangeOp,
    /// The document's JSON text after the change (before it, for a delete).
    pub body: String,
}

/// A page of the feed of one collection.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Changes {
    /// In revision order.
    pub items: Vec<Change>,
    /// Changes at or below this revision are gone from the feed.
    pub compacted: u64,
    /// The store's revision when the page was read.
    pub revision: u64,
}

/// Whether the revision moved past a compaction point between `before` and `after`.
pub(crate) fn crosses_compaction(before: u64, after: u64) -> bool {
    let step = COMPACT_EVERY.min(retained());
    before / step != after / step
}

/// The revision at or below which changes are dropped, once the store is at `rev`.
pub(crate) fn compact_below(rev: u64) -> u64 {
    rev.saturating_sub(retained())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compaction_points() {
        assert!(!crosses_compaction(1, 2));
        assert!(crosses_compaction(1023, 1024));
        assert!(crosses_compaction(1000, 3000));
        assert_eq!(compact_below(10), 0);
        assert_eq!(compact_below(RETAINED_CHANGES + 5), 5);
    }
}
