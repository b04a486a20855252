//! PostgreSQL backend: a deadpool of tokio-postgres connections. Migrations take
//! an advisory lock so replicas starting together do not race.

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use crate::feed::ChangeOp;
use crate::migrate::{self, POSTGRES};
use crate::postgres_feed as feed;
use crate::sqlite::check;
use crate::{Changes, Doc, Store, StoreError, Write, prefix_upper_bound};

/// Arbitrary constant naming aksemu's migration lock.
const MIGRATION_LOCK: i64 = 0x616b_7365_6d75;

pub struct PostgresStore {
    pool: Pool,
}

fn pg(e: tokio_postgres::Error) -> StoreError {
    if e.is_closed() {
        StoreError::Unavailable(e.to_string())
    } else {
        StoreError::Internal(e.to_string())
    }
}

fn pool_err(e: deadpool_postgres::PoolError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url.parse().map_err(|e: tokio_postgres::Error| {
            StoreError::Unavailable(format!("bad PostgreSQL URL: {e}"))
        })?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .build()
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let store = Self { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut c = self.pool.get().await.map_err(pool_err)?;
        c.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(pg)?;
        let result = async {
            c.batch_execute(migrate::CREATE_TABLE).await.map_err(pg)?;
            let current: i64 = c
                .query_one("SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations", &[])
                .await
                .map_err(pg)?
                .get(0);
            if let Some(msg) = migrate::too_new(current, POSTGRES) {
                return Err(StoreError::Unavailable(msg));
            }
            for m in POSTGRES.iter().filter(|m| m.version > current) {
                let tx = c.transaction().await.map_err(pg)?;
                tx.batch_execute(m.sql).await.map_err(pg)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now()::TEXT)",
                    &[&m.version, &m.name],
                )
                .await
                .map_err(pg)?;
                tx.commit().await.map_err(pg)?;
            }
            Ok(())
        }
        .await;
        c.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(pg)?;
        result
    }
}

fn to_doc(r: &tokio_postgres::Row) -> Result<Doc, StoreError> {
    let body: String = r.get(3);
    Ok(Doc {
        key: r.get(0),
        id: r.get(1),
        etag: r.get(2),
        body: serde_json::from_str(&body).map_err(|e| StoreError::Internal(e.to_string()))?,
    })
}

#[async_trait]
impl Store for PostgresStore {
    async fn get(&self, coll: &str, key: &str) -> Result<Option<Doc>, StoreError> {
        let c = self.pool.get().await.map_err(pool_err)?;
        let st = c
            .prepare_cached(
                "SELECT key, id, etag, body FROM documents WHERE coll = $1 AND key = $2",
            )
            .await
            .map_err(pg)?;
        c.query_opt(&st, &[&coll, &key])
            .await
            .map_err(pg)?
            .as_ref()
            .map(to_doc)
            .transpose()
    }

    async fn list(&self, coll: &str, prefix: &str) -> Result<Vec<Doc>, StoreError> {
        let c = self.pool.get().await.map_err(pool_err)?;
        let rows = match prefix_upper_bound(prefix) {
            Some(upper) => {
                let st = c
                    .prepare_cached(
                        "SELECT key, id, etag, body FROM documents WHERE coll = $1 AND key >= $2 AND key < $3 ORDER BY key",
                    )
                    .await
                    .map_err(pg)?;
                c.query(&st, &[&coll, &prefix, &upper]).await.map_err(pg)?
            }
            None => {
                let st = c
                    .prepare_cached(
                        "SELECT key, id, etag, body FROM documents WHERE coll = $1 ORDER BY key",
                    )
                    .await
                    .map_err(pg)?;
                c.query(&st, &[&coll]).await.map_err(pg)?
            }
        };
        rows.iter().map(to_doc).collect()
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
            "SELECT key, id, etag, body FROM documents WHERE coll = $1 AND key > $2 AND key < $3 ORDER BY key LIMIT $4"
        } else {
            "SELECT key, id, etag, body FROM documents WHERE coll = $1 AND key >= $2 AND key < $3 ORDER BY key LIMIT $4"
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let c = self.pool.get().await.map_err(pool_err)?;
        let st = c.prepare_cached(sql).await.map_err(pg)?;
        let rows = c
            .query(&st, &[&coll, &lower, &upper, &limit])
            .await
            .map_err(pg)?;
        rows.iter().map(to_doc).collect()
    }

    async fn count(&self, coll: &str, prefix: &str) -> Result<u64, StoreError> {
        let c = self.pool.get().await.map_err(pool_err)?;
        let row = match prefix_upper_bound(prefix) {
            Some(upper) => c
                .query_one(
                    "SELECT COUNT(*) FROM documents WHERE coll = $1 AND key >= $2 AND key < $3",
                    &[&coll, &prefix, &upper],
                )
                .await
                .map_err(pg)?,
            None => c
                .query_one("SELECT COUNT(*) FROM documents WHERE coll = $1", &[&coll])
                .await
                .map_err(pg)?,
        };
        let n: i64 = row.get(0);
        Ok(n.max(0) as u64)
    }

    async fn apply(&self, writes: Vec<Write>) -> Result<Vec<String>, StoreError> {
        let mut c = self.pool.get().await.map_err(pool_err)?;
        let tx = c.transaction().await.map_err(pg)?;
        let before = feed::lock(&tx).await?;
        let mut etags = Vec::new();
        for w in &writes {
            match w {
                Write::Put {
                    coll,
                    key,
                    id,
                    body,
                    cond,
                } => etags.push(put(&tx, (coll, key, id), body, cond).await?),
                Write::Delete { coll, key, cond } => delete(&tx, coll, key, cond).await?,
                Write::DeletePrefix { coll, prefix } => delete_prefix(&tx, coll, prefix).await?,
            }
        }
        let after = feed::current(&tx).await?;
        feed::maybe_compact(&tx, before, after).await?;
        tx.commit().await.map_err(pg)?;
        Ok(etags)
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn revision(&self) -> Result<u64, StoreError> {
        let c = self.pool.get().await.map_err(pool_err)?;
        let row = c
            .query_one("SELECT rev FROM revision WHERE id = 1", &[])
            .await
            .map_err(pg)?;
        Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
    }

    async fn list_at(
        &self,
        coll: &str,
        prefix: &str,
    ) -> Result<(Vec<crate::RawDoc>, u64), StoreError> {
        let mut c = self.pool.get().await.map_err(pool_err)?;
        // REPEATABLE READ: the revision and the rows come from one snapshot.
        let tx = snapshot(&mut c).await?;
        let rev = feed::current(&tx).await?;
        let upper = crate::range_end(prefix);
        let rows = tx
            .query(
                "SELECT key, id, etag, body FROM documents WHERE coll = $1 AND key >= $2 AND key < $3 ORDER BY key",
                &[&coll, &prefix, &upper],
            )
            .await
            .map_err(pg)?;
        let docs = feed::raw_docs(&rows);
        tx.commit().await.map_err(pg)?;
        Ok((docs, rev))
    }

    async fn changes(&self, coll: &str, after: u64, limit: usize) -> Result<Changes, StoreError> {
        let mut c = self.pool.get().await.map_err(pool_err)?;
        let tx = snapshot(&mut c).await?;
        let page = feed::read(&tx, coll, after, limit).await?;
        tx.commit().await.map_err(pg)?;
        Ok(page)
    }
}

/// A read-only transaction that sees one snapshot (the feed's revision and
/// the rows it read agree).
async fn snapshot(c: &mut deadpool_postgres::Object) -> Result<Tx<'_>, StoreError> {
    c.build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(pg)
}

/// The row's etag, locked for the rest of the transaction.
async fn locked_etag(tx: &Tx<'_>, coll: &str, key: &str) -> Result<Option<String>, StoreError> {
    let row = tx
        .query_opt(
            "SELECT etag FROM documents WHERE coll = $1 AND key = $2 FOR UPDATE",
            &[&coll, &key],
        )
        .await
        .map_err(pg)?;
    Ok(row.map(|r| r.get(0)))
}

type Tx<'a> = deadpool_postgres::Transaction<'a>;

/// Writes one document under its condition; returns its new etag.
async fn put(
    tx: &Tx<'_>,
    (coll, key, id): (&str, &String, &String),
    body: &serde_json::Value,
    cond: &crate::Cond,
) -> Result<String, StoreError> {
    let current = locked_etag(tx, coll, key).await?;
    check(coll, key, cond, current.as_deref())?;
    let rev = feed::next_rev(tx).await?;
    let etag = rev.to_string();
    // With a precondition, the upsert only overwrites the row we read (locked
    // FOR UPDATE); a row inserted concurrently after our read makes it affect
    // nothing.
    let body = body.to_string();
    let n = if *cond == crate::Cond::Any {
        tx.execute(
            "INSERT INTO documents (coll, key, id, etag, body) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (coll, key) DO UPDATE SET id = EXCLUDED.id, etag = EXCLUDED.etag, body = EXCLUDED.body",
            &[&coll, key, id, &etag, &body],
        )
        .await
    } else {
        tx.execute(
            "INSERT INTO documents (coll, key, id, etag, body) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (coll, key) DO UPDATE SET id = EXCLUDED.id, etag = EXCLUDED.etag, body = EXCLUDED.body
             WHERE documents.etag IS NOT DISTINCT FROM $6::TEXT",
            &[&coll, key, id, &etag, &body, &current],
        )
        .await
    }
    .map_err(pg)?;
    if n == 0 {
        return Err(StoreError::AlreadyExists {
            coll: coll.to_string(),
            key: key.clone(),
        });
    }
    let op = if current.is_some() {
        ChangeOp::Modified
    } else {
        ChangeOp::Created
    };
    feed::record(tx, rev, (coll, key, id), op, &body).await?;
    Ok(etag)
}

async fn delete(tx: &Tx<'_>, coll: &str, key: &str, cond: &crate::Cond) -> Result<(), StoreError> {
    let current = locked_etag(tx, coll, key).await?;
    check(coll, key, cond, current.as_deref())?;
    let gone = tx
        .query_opt(
            "DELETE FROM documents WHERE coll = $1 AND key = $2 RETURNING id, body",
            &[&coll, &key],
        )
        .await
        .map_err(pg)?;
    if let Some(row) = gone {
        let (id, body): (String, String) = (row.get(0), row.get(1));
        let rev = feed::next_rev(tx).await?;
        feed::record(tx, rev, (coll, key, &id), ChangeOp::Deleted, &body).await?;
    }
    Ok(())
}

async fn delete_prefix(tx: &Tx<'_>, coll: &str, prefix: &str) -> Result<(), StoreError> {
    for (key, id, body) in feed::doomed(tx, coll, prefix).await? {
        let rev = feed::next_rev(tx).await?;
        feed::record(tx, rev, (coll, &key, &id), ChangeOp::Deleted, &body).await?;
    }
    let done = match prefix_upper_bound(prefix) {
        Some(upper) => {
            tx.execute(
                "DELETE FROM documents WHERE coll = $1 AND key >= $2 AND key < $3",
                &[&coll, &prefix, &upper],
            )
            .await
        }
        None => {
            tx.execute("DELETE FROM documents WHERE coll = $1", &[&coll])
                .await
        }
    };
    done.map_err(pg)?;
    Ok(())
}
