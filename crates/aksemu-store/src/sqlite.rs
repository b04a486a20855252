//! SQLite backend: WAL, a few reader connections and one writer thread. The
//! writer commits with `synchronous=FULL`, so a change is on disk before the caller
//! is answered, and it commits every batch waiting at that moment together (group
//! commit): each batch in its own savepoint, so one failing batch leaves the others
//! intact, and one fsync for all.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, mpsc};

use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::feed::ChangeOp;
use crate::migrate::{self, SQLITE};
use crate::read_cache::{ReadCache, touched};
use crate::sqlite_feed;
use crate::{Changes, Cond, Doc, RawDoc, Store, StoreError, Write, prefix_upper_bound};
use std::sync::Arc;

const READERS: usize = 4;
/// Most batches one commit takes.
const GROUP_MAX: usize = 256;

type Reply = tokio::sync::oneshot::Sender<Result<Vec<String>, StoreError>>;

struct Job {
    writes: Vec<Write>,
    reply: Reply,
}

enum Writer {
    /// In-memory: one connection for reads and writes, used in place.
    Memory(Mutex<Connection>),
    /// File: the writer thread's queue.
    Thread(Mutex<mpsc::Sender<Job>>),
}

pub struct SqliteStore {
    writer: Writer,
    /// Empty for an in-memory store.
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    /// Point reads of a file store (this process is its only writer); the
    /// writer thread drops what it commits.
    cache: Option<Arc<ReadCache>>,
    /// Held while the store is open: one process per database file.
    _exclusive: Option<std::fs::File>,
}

fn internal(e: rusqlite::Error) -> StoreError {
    StoreError::Internal(e.to_string())
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock cannot leave a half-applied transaction
    // (rusqlite rolls back on drop), so the connection stays usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Takes the database's lock file, so no second process opens it: the read
/// cache relies on every write passing through this one. (Processes share a
/// store through PostgreSQL.)
fn exclusive(path: &Path) -> Result<std::fs::File, StoreError> {
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| StoreError::Unavailable(format!("{}: {e}", path.display())))?;
    file.try_lock().map_err(|_| {
        StoreError::Unavailable(format!(
            "{} is in use by another aksemu process (processes share a store through PostgreSQL)",
            path.display()
        ))
    })?;
    Ok(file)
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let lock = exclusive(path)?;
        let writer = Connection::open(path).map_err(internal)?;
        writer
            .execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;",
            )
            .map_err(internal)?;
        migrate_sqlite(&writer)?;
        let (tx, rx) = mpsc::channel::<Job>();
        let cache = Arc::new(ReadCache::default());
        let writer_cache = cache.clone();
        std::thread::Builder::new()
            .name("aksemu-sqlite-writer".into())
            .spawn(move || writer_loop(writer, rx, &writer_cache))
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let r = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(internal)?;
            r.execute_batch("PRAGMA busy_timeout=5000;")
                .map_err(internal)?;
            readers.push(Mutex::new(r));
        }
        Ok(Self {
            writer: Writer::Thread(Mutex::new(tx)),
            readers,
            next_reader: AtomicUsize::new(0),
            cache: Some(cache),
            _exclusive: Some(lock),
        })
    }

    pub fn memory() -> Result<Self, StoreError> {
        let c = Connection::open_in_memory().map_err(internal)?;
        migrate_sqlite(&c)?;
        Ok(Self {
            writer: Writer::Memory(Mutex::new(c)),
            readers: Vec::new(),
            next_reader: AtomicUsize::new(0),
            cache: None,
            _exclusive: None,
        })
    }

    fn with_reader<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if let Writer::Memory(c) = &self.writer {
            return f(&lock(c));
        }
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..self.readers.len() {
            if let Ok(c) = self.readers[(start + i) % self.readers.len()].try_lock() {
                return f(&c);
            }
        }
        f(&lock(&self.readers[start % self.readers.len()]))
    }
}

impl SqliteStore {
    /// One document, as stored, from a reader connection.
    fn read_raw(&self, coll: &str, key: &str) -> Result<Option<RawDoc>, StoreError> {
        self.with_reader(|c| {
            let mut st = c
                .prepare_cached(
                    "SELECT key, id, etag, body FROM documents WHERE coll = ?1 AND key = ?2",
                )
                .map_err(internal)?;
            let row = st.query_row(params![coll, key], row_to_doc).optional();
            Ok(row.map_err(internal)?.map(|(key, id, etag, body)| RawDoc {
                key,
                id,
                etag,
                body,
            }))
        })
    }
}

fn parse_raw(d: RawDoc) -> Result<Doc, StoreError> {
    to_doc((d.key, d.id, d.etag, d.body))
}

fn migrate_sqlite(c: &Connection) -> Result<(), StoreError> {
    c.execute_batch(migrate::CREATE_TABLE).map_err(internal)?;
    let current: i64 = c
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )
        .map_err(internal)?;
    if let Some(msg) = migrate::too_new(current, SQLITE) {
        return Err(StoreError::Unavailable(msg));
    }
    for m in SQLITE.iter().filter(|m| m.version > current) {
        let tx = c.unchecked_transaction().map_err(internal)?;
        tx.execute_batch(m.sql).map_err(internal)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, datetime('now'))",
            params![m.version, m.name],
        )
        .map_err(internal)?;
        tx.commit().map_err(internal)?;
    }
    Ok(())
}

fn row_to_doc(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn to_doc((key, id, etag, body): (String, String, String, String)) -> Result<Doc, StoreError> {
    let body = serde_json::from_str(&body).map_err(|e| StoreError::Internal(e.to_string()))?;
    Ok(Doc {
        key,
        id,
        etag,
        body,
    })
}

/// The writer thread: takes every job queued, applies each in a savepoint of one
/// transaction, commits once, drops what the jobs touched from the read cache
/// (here, so a caller that went away cannot leave it stale), then answers each.
fn writer_loop(mut c: Connection, rx: mpsc::Receiver<Job>, cache: &ReadCache) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < GROUP_MAX {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let mut results = Vec::with_capacity(jobs.len());
        let committed = (|| {
            let mut tx = c
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(internal)?;
            for job in &jobs {
                let mut sp = tx.savepoint().map_err(internal)?;
                let r = apply_writes(&sp, &job.writes);
                if r.is_ok() {
                    sp.commit().map_err(internal)?;
                } else {
                    sp.rollback().map_err(internal)?;
                }
                results.push(r);
            }
            tx.commit().map_err(internal)
        })();
        for job in &jobs {
            cache.invalidate(&touched(&job.writes));
        }
        for (i, job) in jobs.into_iter().enumerate() {
            let r = match &committed {
                Ok(()) => results
                    .get(i)
                    .cloned()
                    .unwrap_or(Err(StoreError::Internal("lost result".into()))),
                Err(e) => Err(e.clone()),
            };
            let _ = job.reply.send(r);
        }
    }
}

fn apply_sync(c: &mut Connection, writes: &[Write]) -> Result<Vec<String>, StoreError> {
    let tx = c
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(internal)?;
    let etags = apply_writes(&tx, writes)?;
    tx.commit().map_err(internal)?;
    Ok(etags)
}

/// Applies writes inside an open transaction or savepoint: each put or delete
/// takes the next revision (its etag) and leaves a change row.
fn apply_writes(tx: &Connection, writes: &[Write]) -> Result<Vec<String>, StoreError> {
    let before = sqlite_feed::current(tx)?;
    let mut etags = Vec::new();
    for w in writes {
        match w {
            Write::Put {
                coll,
                key,
                id,
                body,
                cond,
            } => etags.push(put(tx, (coll, key, id), body, cond)?),
            Write::Delete { coll, key, cond } => delete(tx, coll, key, cond)?,
            Write::DeletePrefix { coll, prefix } => delete_prefix(tx, coll, prefix)?,
        }
    }
    let after = sqlite_feed::current(tx)?;
    sqlite_feed::maybe_compact(tx, before, after)?;
    Ok(etags)
}

fn current_etag(tx: &Connection, coll: &str, key: &str) -> Result<Option<String>, StoreError> {
    tx.prepare_cached("SELECT etag FROM documents WHERE coll = ?1 AND key = ?2")
        .and_then(|mut st| st.query_row(params![coll, key], |r| r.get(0)).optional())
        .map_err(internal)
}

fn put(
    tx: &Connection,
    (coll, key, id): (&str, &str, &str),
    body: &serde_json::Value,
    cond: &Cond,
) -> Result<String, StoreError> {
    let current = current_etag(tx, coll, key)?;
    check(coll, key, cond, current.as_deref())?;
    let op = if current.is_some() {
        ChangeOp::Modified
    } else {
        ChangeOp::Created
    };
    let rev = sqlite_feed::next_rev(tx)?;
    let etag = rev.to_string();
    let body = body.to_string();
    tx.prepare_cached(
        "INSERT INTO documents (coll, key, id, etag, body) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (coll, key) DO UPDATE SET id = excluded.id, etag = excluded.etag, body = excluded.body",
    )
    .and_then(|mut st| st.execute(params![coll, key, id, etag, body]))
    .map_err(internal)?;
    sqlite_feed::record(tx, rev, (coll, key, id), op, &body)?;
    Ok(etag)
}

fn delete(tx: &Connection, coll: &str, key: &str, cond: &Cond) -> Result<(), StoreError> {
    let old: Option<(String, String, String)> = tx
        .prepare_cached("SELECT etag, id, body FROM documents WHERE coll = ?1 AND key = ?2")
        .and_then(|mut st| {
            st.query_row(params![coll, key], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
        })
        .map_err(internal)?;
    check(coll, key, cond, old.as_ref().map(|o| o.0.as_str()))?;
    let Some((_, id, body)) = old else {
        return Ok(());
    };
    tx.execute(
        "DELETE FROM documents WHERE coll = ?1 AND key = ?2",
        params![coll, key],
    )
    .map_err(internal)?;
    let rev = sqlite_feed::next_rev(tx)?;
    sqlite_feed::record(tx, rev, (coll, key, &id), ChangeOp::Deleted, &body)
}

fn delete_prefix(tx: &Connection, coll: &str, prefix: &str) -> Result<(), StoreError> {
    for (key, id, body) in sqlite_feed::doomed(tx, coll, prefix)? {
        let rev = sqlite_feed::next_rev(tx)?;
        sqlite_feed::record(tx, rev, (coll, &key, &id), ChangeOp::Deleted, &body)?;
    }
    match prefix_upper_bound(prefix) {
        Some(upper) => tx.execute(
            "DELETE FROM documents WHERE coll = ?1 AND key >= ?2 AND key < ?3",
            params![coll, prefix, upper],
        ),
        None => tx.execute("DELETE FROM documents WHERE coll = ?1", params![coll]),
    }
    .map_err(internal)?;
    Ok(())
}

/// Evaluates a precondition against the current etag (`None`: absent).
pub(crate) fn check(
    coll: &str,
    key: &str,
    cond: &Cond,
    current: Option<&str>,
) -> Result<(), StoreError> {
    let err_nf = || StoreError::NotFound {
        coll: coll.to_string(),
        key: key.to_string(),
    };
    match (cond, current) {
        (Cond::Any, _) => Ok(()),
        (Cond::Absent, None) => Ok(()),
        (Cond::Absent, Some(_)) => Err(StoreError::AlreadyExists {
            coll: coll.to_string(),
            key: key.to_string(),
        }),
        (Cond::Exists, Some(_)) => Ok(()),
        (Cond::Exists | Cond::Etag(_), None) => Err(err_nf()),
        (Cond::Etag(want), Some(have)) if want == have => Ok(()),
        (Cond::Etag(_), Some(_)) => Err(StoreError::PreconditionFailed {
            coll: coll.to_string(),
            key: key.to_string(),
        }),
    }
}

/// Documents of `coll` under `prefix`, in key order, on connection `c`.
fn list_in(c: &Connection, coll: &str, prefix: &str) -> Result<Vec<Doc>, StoreError> {
    list_raw_in(c, coll, prefix)?
        .into_iter()
        .map(parse_raw)
        .collect()
}

/// `list_in` with the bodies as stored.
fn list_raw_in(c: &Connection, coll: &str, prefix: &str) -> Result<Vec<RawDoc>, StoreError> {
    let upper = crate::range_end(prefix);
    let mut st = c
        .prepare_cached(
            "SELECT key, id, etag, body FROM documents WHERE coll = ?1 AND key >= ?2 AND key < ?3 ORDER BY key",
        )
        .map_err(internal)?;
    let rows = st
        .query_map(params![coll, prefix, upper], row_to_doc)
        .map_err(internal)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal)?;
    Ok(rows
        .into_iter()
        .map(|(key, id, etag, body)| RawDoc {
            key,
            id,
            etag,
            body,
        })
        .collect())
}

#[async_trait]
impl Store for SqliteStore {
    async fn get(&self, coll: &str, key: &str) -> Result<Option<Doc>, StoreError> {
        self.get_raw(coll, key).await?.map(parse_raw).transpose()
    }

    async fn get_raw(&self, coll: &str, key: &str) -> Result<Option<RawDoc>, StoreError> {
        let Some(cache) = &self.cache else {
            return self.read_raw(coll, key);
        };
        match cache.get(coll, key) {
            Ok(hit) => Ok(hit),
            Err(miss) => {
                let found = self.read_raw(coll, key)?;
                cache.fill(miss, &found);
                Ok(found)
            }
        }
    }

    async fn etag(&self, coll: &str, key: &str) -> Result<Option<String>, StoreError> {
        let Some(cache) = &self.cache else {
            return Ok(self.read_raw(coll, key)?.map(|d| d.etag));
        };
        match cache.etag(coll, key) {
            Ok(hit) => Ok(hit),
            Err(miss) => {
                let found = self.read_raw(coll, key)?;
                let etag = found.as_ref().map(|d| d.etag.clone());
                cache.fill(miss, &found);
                Ok(etag)
            }
        }
    }

    async fn list(&self, coll: &str, prefix: &str) -> Result<Vec<Doc>, StoreError> {
        self.with_reader(|c| list_in(c, coll, prefix))
    }

    async fn list_page(
        &self,
        coll: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Doc>, StoreError> {
        let (lower, exclusive, upper) = crate::page_bounds(prefix, after);
        let sql = if exclusive {
            "SELECT key, id, etag, body FROM documents WHERE coll = ?1 AND key > ?2 AND key < ?3 ORDER BY key LIMIT ?4"
        } else {
            "SELECT key, id, etag, body FROM documents WHERE coll = ?1 AND key >= ?2 AND key < ?3 ORDER BY key LIMIT ?4"
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with_reader(|c| {
            let mut st = c.prepare_cached(sql).map_err(internal)?;
            let rows = st
                .query_map(params![coll, lower, upper, limit], row_to_doc)
                .map_err(internal)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(internal)?;
            rows.into_iter().map(to_doc).collect()
        })
    }

    async fn count(&self, coll: &str, prefix: &str) -> Result<u64, StoreError> {
        self.with_reader(|c| {
            let n: i64 = match prefix_upper_bound(prefix) {
                Some(upper) => c
                    .prepare_cached(
                        "SELECT COUNT(*) FROM documents WHERE coll = ?1 AND key >= ?2 AND key < ?3",
                    )
                    .and_then(|mut st| st.query_row(params![coll, prefix, upper], |r| r.get(0))),
                None => c
                    .prepare_cached("SELECT COUNT(*) FROM documents WHERE coll = ?1")
                    .and_then(|mut st| st.query_row(params![coll], |r| r.get(0))),
            }
            .map_err(internal)?;
            Ok(n.max(0) as u64)
        })
    }

    async fn apply(&self, writes: Vec<Write>) -> Result<Vec<String>, StoreError> {
        match &self.writer {
            // No disk to wait for: apply in place.
            Writer::Memory(c) => apply_sync(&mut lock(c), &writes),
            Writer::Thread(queue) => {
                let (reply, answer) = tokio::sync::oneshot::channel();
                let stopped = || StoreError::Unavailable("the SQLite writer has stopped".into());
                let job = Job { writes, reply };
                queue
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .send(job)
                    .map_err(|_| stopped())?;
                answer.await.map_err(|_| stopped())?
            }
        }
    }

    async fn revision(&self) -> Result<u64, StoreError> {
        self.with_reader(sqlite_feed::current)
    }

    async fn list_at(&self, coll: &str, prefix: &str) -> Result<(Vec<RawDoc>, u64), StoreError> {
        self.with_reader(|c| {
            // One read transaction: WAL gives it one snapshot for both reads.
            let tx = c.unchecked_transaction().map_err(internal)?;
            let rev = sqlite_feed::current(&tx)?;
            let docs = list_raw_in(&tx, coll, prefix)?;
            tx.commit().map_err(internal)?;
            Ok((docs, rev))
        })
    }

    async fn changes(&self, coll: &str, after: u64, limit: usize) -> Result<Changes, StoreError> {
        self.with_reader(|c| sqlite_feed::read(c, coll, after, limit))
    }

    fn backend(&self) -> &'static str {
        match self.writer {
            Writer::Memory(_) => "memory",
            Writer::Thread(_) => "sqlite",
        }
    }
}
