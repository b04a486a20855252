//! SQLite side of the change feed (see `feed`): revisions handed out inside the
//! writing transaction, change rows beside the documents, compaction, and the
//! reads watchers and snapshot lists make.

use rusqlite::{Connection, params};

use crate::StoreError;
use crate::feed::{Change, ChangeOp, Changes, compact_below, crosses_compaction};

fn internal(e: rusqlite::Error) -> StoreError {
    StoreError::Internal(e.to_string())
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The next revision; rolled back with the transaction or savepoint it is in.
pub(crate) fn next_rev(tx: &Connection) -> Result<u64, StoreError> {
    tx.prepare_cached("UPDATE revision SET rev = rev + 1 WHERE id = 1 RETURNING rev")
        .and_then(|mut st| st.query_row([], |r| r.get::<_, i64>(0)))
        .map(to_u64)
        .map_err(internal)
}

/// Records one change at `rev`.
pub(crate) fn record(
    tx: &Connection,
    rev: u64,
    (coll, key, id): (&str, &str, &str),
    op: ChangeOp,
    body: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO changes (rev, coll, key, id, op, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut st| st.execute(params![to_i64(rev), coll, key, id, op.code(), body]))
    .map_err(internal)?;
    Ok(())
}

/// The documents a prefix delete removes, to record their deletion.
pub(crate) fn doomed(
    tx: &Connection,
    coll: &str,
    prefix: &str,
) -> Result<Vec<(String, String, String)>, StoreError> {
    let upper = crate::range_end(prefix);
    let mut st = tx
        .prepare_cached(
            "SELECT key, id, body FROM documents WHERE coll = ?1 AND key >= ?2 AND key < ?3 ORDER BY key",
        )
        .map_err(internal)?;
    st.query_map(params![coll, prefix, upper], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .map_err(internal)?
    .collect::<Result<Vec<_>, _>>()
    .map_err(internal)
}

/// The current revision, read in the caller's transaction.
pub(crate) fn current(c: &Connection) -> Result<u64, StoreError> {
    c.prepare_cached("SELECT rev FROM revision WHERE id = 1")
        .and_then(|mut st| st.query_row([], |r| r.get::<_, i64>(0)))
        .map(to_u64)
        .map_err(internal)
}

/// Drops changes that fell out of the window, when `before → after` crossed a
/// compaction point (so the cost is paid once per `COMPACT_EVERY` revisions).
pub(crate) fn maybe_compact(tx: &Connection, before: u64, after: u64) -> Result<(), StoreError> {
    if !crosses_compaction(before, after) {
        return Ok(());
    }
    let below = to_i64(compact_below(after));
    tx.execute("DELETE FROM changes WHERE rev <= ?1", params![below])
        .map_err(internal)?;
    tx.execute(
        "UPDATE revision SET compacted = MAX(compacted, ?1) WHERE id = 1",
        params![below],
    )
    .map_err(internal)?;
    Ok(())
}

/// A page of one collection's feed, with the window and revision it was read at.
pub(crate) fn read(
    c: &Connection,
    coll: &str,
    after: u64,
    limit: usize,
) -> Result<Changes, StoreError> {
    let tx = c.unchecked_transaction().map_err(internal)?;
    let (revision, compacted) = tx
        .prepare_cached("SELECT rev, compacted FROM revision WHERE id = 1")
        .and_then(|mut st| st.query_row([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))))
        .map_err(internal)?;
    let mut st = tx
        .prepare_cached(
            "SELECT rev, key, id, op, body FROM changes WHERE coll = ?1 AND rev > ?2 ORDER BY rev LIMIT ?3",
        )
        .map_err(internal)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let items = st
        .query_map(params![coll, to_i64(after), limit], |r| {
            Ok(Change {
                rev: to_u64(r.get(0)?),
                key: r.get(1)?,
                id: r.get(2)?,
                op: ChangeOp::from_code(r.get(3)?),
                body: r.get(4)?,
            })
        })
        .map_err(internal)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal)?;
    drop(st);
    tx.commit().map_err(internal)?;
    Ok(Changes {
        items,
        compacted: to_u64(compacted),
        revision: to_u64(revision),
    })
}
