//! Runs the conformance suite against every backend. PostgreSQL runs when
//! `AKSEMU_TEST_POSTGRES_URL` is set (the README's test command sets it), in a
//! fresh schema; with `AKSEMU_REQUIRE_POSTGRES=1` its absence is a failure.

use aksemu_store::{conformance, postgres::PostgresStore, sqlite::SqliteStore};

#[tokio::test]
async fn sqlite_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("aksemu.db")).expect("open");
    conformance::run(&store).await;
}

/// One process per SQLite file: the read cache relies on seeing every write.
#[tokio::test]
async fn sqlite_file_is_held_by_one_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("aksemu.db");
    let first = SqliteStore::open(&path).expect("open");
    let second = SqliteStore::open(&path);
    assert!(
        matches!(&second, Err(aksemu_store::StoreError::Unavailable(m)) if m.contains("another aksemu process")),
        "a second store on the same file must be refused"
    );
    drop(first);
    SqliteStore::open(&path).expect("open again once released");
}

#[tokio::test]
async fn sqlite_reopen_keeps_data_and_migrates_once() {
    use aksemu_store::{Cond, Store, Write};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("aksemu.db");
    {
        let s = SqliteStore::open(&path).expect("open");
        s.apply(vec![Write::Put {
            coll: "c",
            key: "k".into(),
            id: "K".into(),
            body: serde_json::json!(1),
            cond: Cond::Absent,
        }])
        .await
        .expect("put");
    }
    let s = SqliteStore::open(&path).expect("reopen");
    assert_eq!(
        s.get("c", "k").await.expect("get").map(|d| d.id),
        Some("K".to_string())
    );
}

#[tokio::test]
async fn memory() {
    let store = SqliteStore::memory().expect("open");
    conformance::run(&store).await;
}

#[tokio::test]
async fn postgres() {
    let Ok(url) = std::env::var("AKSEMU_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("AKSEMU_REQUIRE_POSTGRES").is_err(),
            "AKSEMU_REQUIRE_POSTGRES is set but AKSEMU_TEST_POSTGRES_URL is not"
        );
        eprintln!("skipping: AKSEMU_TEST_POSTGRES_URL not set");
        return;
    };
    let schema = format!("conformance_{}", uuid::Uuid::new_v4().simple());
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .expect("create schema");
    let sep = if url.contains('?') { '&' } else { '?' };
    let scoped = format!("{url}{sep}options=-csearch_path%3D{schema}");
    let store = PostgresStore::connect(&scoped).await.expect("open");
    conformance::run(&store).await;
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .expect("drop schema");
}
