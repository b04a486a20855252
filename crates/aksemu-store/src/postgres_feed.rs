//! PostgreSQL side of the change feed (see `feed`). Revisions come from the
//! one-row `revision` table: updating it locks the row until commit, so writers
//! commit in revision order and a feed reader never skips a revision that
//! commits late. That serialises writers, which the single SQLite writer does
//! anyway; reads stay concurrent.

use deadpool_postgres::Transaction;

use crate::feed::{Change, ChangeOp, Changes, compact_below, crosses_compaction};
use crate::{RawDoc, StoreError};

fn pg(e: tokio_postgres::Error) -> StoreError {
    StoreError::Internal(e.to_string())
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The next revision, locking the counter until the transaction ends.
pub(crate) async fn next_rev(tx: &Transaction<'_>) -> Result<u64, StoreError> {
    let st = tx
        .prepare_cached("UPDATE revision SET rev = rev + 1 WHERE id = 1 RETURNING rev")
        .await
        .map_err(pg)?;
    Ok(to_u64(tx.query_one(&st, &[]).await.map_err(pg)?.get(0)))
}

/// The current revision, locking the counter for the rest of the transaction.
/// Writers take it first, before any document row, so two batches touching the
/// same documents in different orders cannot deadlock on it.
pub(crate) async fn lock(tx: &Transaction<'_>) -> Result<u64, StoreError> {
    let st = tx
        .prepare_cached("SELECT rev FROM revision WHERE id = 1 FOR UPDATE")
        .await
        .map_err(pg)?;
    Ok(to_u64(tx.query_one(&st, &[]).await.map_err(pg)?.get(0)))
}

/// The current revision, as the transaction sees it.
pub(crate) async fn current(tx: &Transaction<'_>) -> Result<u64, StoreError> {
    let st = tx
        .prepare_cached("SELECT rev FROM revision WHERE id = 1")
        .await
        .map_err(pg)?;
    Ok(to_u64(tx.query_one(&st, &[]).await.map_err(pg)?.get(0)))
}

/// Records one change at `rev`.
pub(crate) async fn record(
    tx: &Transaction<'_>,
    rev: u64,
    (coll, key, id): (&str, &str, &str),
    op: ChangeOp,
    body: &str,
) -> Result<(), StoreError> {
    let st = tx
        .prepare_cached(
            "INSERT INTO changes (rev, coll, key, id, op, body) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .await
        .map_err(pg)?;
    tx.execute(&st, &[&to_i64(rev), &coll, &key, &id, &op.code(), &body])
        .await
        .map_err(pg)?;
    Ok(())
}

/// Drops changes that fell out of the window when a compaction point was crossed.
pub(crate) async fn maybe_compact(
    tx: &Transaction<'_>,
    before: u64,
    after: u64,
) -> Result<(), StoreError> {
    if !crosses_compaction(before, after) {
        return Ok(());
    }
    let below = to_i64(compact_below(after));
    tx.execute("DELETE FROM changes WHERE rev <= $1", &[&below])
        .await
        .map_err(pg)?;
    tx.execute(
        "UPDATE revision SET compacted = GREATEST(compacted, $1) WHERE id = 1",
        &[&below],
    )
    .await
    .map_err(pg)?;
    Ok(())
}

/// A page of one collection's feed, read in one snapshot with the window.
pub(crate) async fn read(
    tx: &Transaction<'_>,
    coll: &str,
    after: u64,
    limit: usize,
) -> Result<Changes, StoreError> {
    let row = tx
        .query_one("SELECT rev, compacted FROM revision WHERE id = 1", &[])
        .await
        .map_err(pg)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let st = tx
        .prepare_cached(
            "SELECT rev, key, id, op, body FROM changes WHERE coll = $1 AND rev > $2 ORDER BY rev LIMIT $3",
        )
        .await
        .map_err(pg)?;
    let rows = tx
        .query(&st, &[&coll, &to_i64(after), &limit])
        .await
        .map_err(pg)?;
    let items = rows
        .iter()
        .map(|r| Change {
            rev: to_u64(r.get(0)),
            key: r.get(1),
            id: r.get(2),
            op: ChangeOp::from_code(i64::from(r.get::<_, i16>(3))),
            body: r.get(4),
        })
        .collect();
    Ok(Changes {
        items,
        compacted: to_u64(row.get(1)),
        revision: to_u64(row.get(0)),
    })
}

/// Prefix deletes record each document they remove.
pub(crate) async fn doomed(
    tx: &Transaction<'_>,
    coll: &str,
    prefix: &str,
) -> Result<Vec<(String, String, String)>, StoreError> {
    let upper = crate::range_end(prefix);
    let rows = tx
        .query(
            "SELECT key, id, body FROM documents WHERE coll = $1 AND key >= $2 AND key < $3 ORDER BY key FOR UPDATE",
            &[&coll, &prefix, &upper],
        )
        .await
        .map_err(pg)?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// Rows of (key, id, etag, body) as documents with their stored text.
pub(crate) fn raw_docs(rows: &[tokio_postgres::Row]) -> Vec<RawDoc> {
    rows.iter()
        .map(|r| RawDoc {
            key: r.get(0),
            id: r.get(1),
            etag: r.get(2),
            body: r.get(3),
        })
        .collect()
}
