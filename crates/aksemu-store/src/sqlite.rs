//! SQLite backend: WAL, one writer connection and a few readers. Writes run on the
//! blocking pool with `synchronous=FULL`, so a change is on disk before the caller
//! is answered.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::migrate::{self, SQLITE};
use crate::{Cond, Doc, Store, StoreError, Write, new_etag, prefix_upper_bound};

const READERS: usize = 4;

pub struct SqliteStore {
    writer: Arc<Mutex<Connection>>,
    /// Empty for an in-memory store, which has one connection only.
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    memory: bool,
}

fn internal(e: rusqlite::Error) -> StoreError {
    StoreError::Internal(e.to_string())
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock cannot leave a half-applied transaction
    // (rusqlite rolls back on drop), so the connection stays usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let writer = Connection::open(path).map_err(internal)?;
        writer
            .execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;",
            )
            .map_err(internal)?;
        migrate_sqlite(&writer)?;
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
            writer: Arc::new(Mutex::new(writer)),
            readers,
            next_reader: AtomicUsize::new(0),
            memory: false,
        })
    }

    pub fn memory() -> Result<Self, StoreError> {
        let c = Connection::open_in_memory().map_err(internal)?;
        migrate_sqlite(&c)?;
        Ok(Self {
            writer: Arc::new(Mutex::new(c)),
            readers: Vec::new(),
            next_reader: AtomicUsize::new(0),
            memory: true,
        })
    }

    fn with_reader<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if self.readers.is_empty() {
            return f(&lock(&self.writer));
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

fn apply_sync(c: &mut Connection, writes: &[Write]) -> Result<Vec<String>, StoreError> {
    let tx = c
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(internal)?;
    let mut etags = Vec::new();
    for w in writes {
        match w {
            Write::Put {
                coll,
                key,
                id,
                body,
                cond,
            } => {
                let current: Option<String> = tx
                    .query_row(
                        "SELECT etag FROM documents WHERE coll = ?1 AND key = ?2",
                        params![coll, key],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(internal)?;
                check(coll, key, cond, current.as_deref())?;
                let etag = new_etag();
                tx.execute(
                    "INSERT INTO documents (coll, key, id, etag, body) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (coll, key) DO UPDATE SET id = excluded.id, etag = excluded.etag, body = excluded.body",
                    params![coll, key, id, etag, body.to_string()],
                )
                .map_err(internal)?;
                etags.push(etag);
            }
            Write::Delete { coll, key, cond } => {
                let current: Option<String> = tx
                    .query_row(
                        "SELECT etag FROM documents WHERE coll = ?1 AND key = ?2",
                        params![coll, key],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(internal)?;
                check(coll, key, cond, current.as_deref())?;
                tx.execute(
                    "DELETE FROM documents WHERE coll = ?1 AND key = ?2",
                    params![coll, key],
                )
                .map_err(internal)?;
            }
            Write::DeletePrefix { coll, prefix } => match prefix_upper_bound(prefix) {
                Some(upper) => {
                    tx.execute(
                        "DELETE FROM documents WHERE coll = ?1 AND key >= ?2 AND key < ?3",
                        params![coll, prefix, upper],
                    )
                    .map_err(internal)?;
                }
                None => {
                    tx.execute("DELETE FROM documents WHERE coll = ?1", params![coll])
                        .map_err(internal)?;
                }
            },
        }
    }
    tx.commit().map_err(internal)?;
    Ok(etags)
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

#[async_trait]
impl Store for SqliteStore {
    async fn get(&self, coll: &str, key: &str) -> Result<Option<Doc>, StoreError> {
        self.with_reader(|c| {
            let mut st = c
                .prepare_cached(
                    "SELECT key, id, etag, body FROM documents WHERE coll = ?1 AND key = ?2",
                )
                .map_err(internal)?;
            st.query_row(params![coll, key], row_to_doc)
                .optional()
                .map_err(internal)?
                .map(to_doc)
                .transpose()
        })
    }

    async fn list(&self, coll: &str, prefix: &str) -> Result<Vec<Doc>, StoreError> {
        self.with_reader(|c| {
            let rows = match prefix_upper_bound(prefix) {
                Some(upper) => {
                    let mut st = c
                        .prepare_cached(
                            "SELECT key, id, etag, body FROM documents WHERE coll = ?1 AND key >= ?2 AND key < ?3 ORDER BY key",
                        )
                        .map_err(internal)?;
                    st.query_map(params![coll, prefix, upper], row_to_doc)
                        .map_err(internal)?
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(internal)?
                }
                None => {
                    let mut st = c
                        .prepare_cached("SELECT key, id, etag, body FROM documents WHERE coll = ?1 ORDER BY key")
                        .map_err(internal)?;
                    st.query_map(params![coll], row_to_doc)
                        .map_err(internal)?
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(internal)?
                }
            };
            rows.into_iter().map(to_doc).collect()
        })
    }

    async fn apply(&self, writes: Vec<Write>) -> Result<Vec<String>, StoreError> {
        let writer = self.writer.clone();
        let job = move || apply_sync(&mut lock(&writer), &writes);
        if self.memory {
            // No disk to wait for: stay on this thread.
            return job();
        }
        tokio::task::spawn_blocking(job)
            .await
            .map_err(|e| StoreError::Internal(e.to_string()))?
    }

    fn backend(&self) -> &'static str {
        if self.memory { "memory" } else { "sqlite" }
    }
}
