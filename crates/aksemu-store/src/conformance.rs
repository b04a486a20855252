//! The storage conformance suite. Both backends run it (see `tests/`); a new
//! backend is done when it passes. Panics on the first violation, like a test.

#![allow(clippy::unwrap_used, clippy::panic)]

use serde_json::json;

use crate::{Cond, Store, StoreError, Write};

const C: &str = "conformance";

fn put(key: &str, id: &str, n: i64, cond: Cond) -> Write {
    Write::Put {
        coll: C,
        key: key.to_string(),
        id: id.to_string(),
        body: json!({"n": n, "id": id}),
        cond,
    }
}

/// Runs every check against an empty store.
pub async fn run(store: &dyn Store) {
    create_get_and_original_case(store).await;
    preconditions(store).await;
    batches_are_atomic(store).await;
    prefix_listing_and_deletion(store).await;
    collections_are_separate(store).await;
    unicode_keys(store).await;
    concurrent_batches_are_isolated(store).await;
    reads_follow_every_write(store).await;
    pages_walk_a_prefix(store).await;
    concurrent_reads_see_the_last_write(store).await;
    crate::conformance_feed::run(store).await;
}

async fn create_get_and_original_case(s: &dyn Store) {
    let etags = s
        .apply(vec![put("/a/rg1", "/A/RG1", 1, Cond::Absent)])
        .await
        .unwrap();
    let d = s.get(C, "/a/rg1").await.unwrap().unwrap();
    assert_eq!(d.id, "/A/RG1", "original-case id kept beside the key");
    assert_eq!(d.etag, etags[0]);
    let raw = s.get_raw(C, "/a/rg1").await.unwrap().unwrap();
    assert_eq!(
        (raw.key.as_str(), raw.id.as_str(), raw.etag.as_str()),
        (d.key.as_str(), d.id.as_str(), d.etag.as_str())
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&raw.body).unwrap(),
        d.body,
        "raw body is the same JSON"
    );
    assert!(s.get_raw(C, "/a/none").await.unwrap().is_none());
    assert_eq!(
        s.etag(C, "/a/rg1").await.unwrap().as_deref(),
        Some(d.etag.as_str())
    );
    assert_eq!(s.etag(C, "/a/none").await.unwrap(), None);
    assert_eq!(d.body["n"], 1);
    assert!(s.get(C, "/a/missing").await.unwrap().is_none());
    // Keys are exact: normalising is the caller's job, done once in ResourceId.
    assert!(s.get(C, "/A/RG1").await.unwrap().is_none());
}

async fn preconditions(s: &dyn Store) {
    let e1 = s.get(C, "/a/rg1").await.unwrap().unwrap().etag;
    assert!(matches!(
        s.apply(vec![put("/a/rg1", "/a/rg1", 2, Cond::Absent)])
            .await,
        Err(StoreError::AlreadyExists { .. })
    ));
    assert!(matches!(
        s.apply(vec![put("/a/rg1", "/a/rg1", 2, Cond::Etag("stale".into()))])
            .await,
        Err(StoreError::PreconditionFailed { .. })
    ));
    assert!(matches!(
        s.apply(vec![put("/a/none", "/a/none", 2, Cond::Exists)])
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let e2 = s
        .apply(vec![put("/a/rg1", "/a/RG1", 2, Cond::Etag(e1.clone()))])
        .await
        .unwrap();
    assert_ne!(e1, e2[0], "every write changes the etag");
    let d = s.get(C, "/a/rg1").await.unwrap().unwrap();
    assert_eq!((d.body["n"].as_i64(), d.id.as_str()), (Some(2), "/a/RG1"));
    assert!(matches!(
        s.apply(vec![Write::Delete {
            coll: C,
            key: "/a/rg1".into(),
            cond: Cond::Etag(e1)
        }])
        .await,
        Err(StoreError::PreconditionFailed { .. })
    ));
    assert!(matches!(
        s.apply(vec![Write::Delete {
            coll: C,
            key: "/a/zzz".into(),
            cond: Cond::Exists
        }])
        .await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn batches_are_atomic(s: &dyn Store) {
    // The second write fails, so the first must not be visible.
    let r = s
        .apply(vec![
            put("/b/x", "/b/x", 1, Cond::Absent),
            put("/a/rg1", "/a/rg1", 9, Cond::Absent),
        ])
        .await;
    assert!(matches!(r, Err(StoreError::AlreadyExists { .. })));
    assert!(
        s.get(C, "/b/x").await.unwrap().is_none(),
        "failed batch left a row"
    );
    assert_eq!(s.get(C, "/a/rg1").await.unwrap().unwrap().body["n"], 2);
    let etags = s
        .apply(vec![
            put("/b/x", "/b/x", 1, Cond::Absent),
            put("/b/y", "/b/y", 2, Cond::Any),
            Write::Delete {
                coll: C,
                key: "/b/x".into(),
                cond: Cond::Exists,
            },
        ])
        .await
        .unwrap();
    assert_eq!(etags.len(), 2);
    assert!(s.get(C, "/b/x").await.unwrap().is_none());
    assert!(s.get(C, "/b/y").await.unwrap().is_some());
}

async fn prefix_listing_and_deletion(s: &dyn Store) {
    s.apply(vec![
        put("/p/rg", "/p/rg", 0, Cond::Any),
        put("/p/rg/x", "/p/rg/x", 1, Cond::Any),
        put("/p/rg/y/z", "/p/rg/y/z", 2, Cond::Any),
        put("/p/rg2", "/p/rg2", 3, Cond::Any),
        put("/p/rg2/x", "/p/rg2/x", 4, Cond::Any),
    ])
    .await
    .unwrap();
    let keys: Vec<String> = s
        .list(C, "/p/rg/")
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.key)
        .collect();
    assert_eq!(
        keys,
        vec!["/p/rg/x", "/p/rg/y/z"],
        "prefix is segment-exact and ordered"
    );
    assert_eq!(s.list(C, "/p/").await.unwrap().len(), 5);
    s.apply(vec![
        Write::DeletePrefix {
            coll: C,
            prefix: "/p/rg/".into(),
        },
        Write::Delete {
            coll: C,
            key: "/p/rg".into(),
            cond: Cond::Exists,
        },
    ])
    .await
    .unwrap();
    let left: Vec<String> = s
        .list(C, "/p/")
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.key)
        .collect();
    assert_eq!(left, vec!["/p/rg2", "/p/rg2/x"]);
}

async fn collections_are_separate(s: &dyn Store) {
    s.apply(vec![Write::Put {
        coll: "other",
        key: "/p/rg2".into(),
        id: "x".into(),
        body: json!(1),
        cond: Cond::Absent,
    }])
    .await
    .unwrap();
    assert_eq!(
        s.get("other", "/p/rg2").await.unwrap().unwrap().body,
        json!(1)
    );
    assert_eq!(s.get(C, "/p/rg2").await.unwrap().unwrap().body["n"], 3);
    assert_eq!(s.list("other", "").await.unwrap().len(), 1);
}

async fn unicode_keys(s: &dyn Store) {
    s.apply(vec![put("/u/grüße", "/u/Grüße", 1, Cond::Absent)])
        .await
        .unwrap();
    assert_eq!(s.get(C, "/u/grüße").await.unwrap().unwrap().id, "/u/Grüße");
    assert_eq!(s.list(C, "/u/gr").await.unwrap().len(), 1);
}

async fn concurrent_batches_are_isolated(s: &dyn Store) {
    // Backends may commit concurrent batches together; a failing one must not
    // take the others down, nor leave any of its own writes behind.
    let (a, bad, c) = tokio::join!(
        s.apply(vec![put("/g/a", "/g/a", 1, Cond::Absent)]),
        s.apply(vec![
            put("/g/b", "/g/b", 1, Cond::Absent),
            put("/a/rg1", "/a/rg1", 9, Cond::Absent),
        ]),
        s.apply(vec![put("/g/c", "/g/c", 1, Cond::Absent)]),
    );
    assert!(a.is_ok() && c.is_ok(), "{a:?} {c:?}");
    assert!(matches!(bad, Err(StoreError::AlreadyExists { .. })));
    let keys: Vec<String> = s
        .list(C, "/g/")
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.key)
        .collect();
    assert_eq!(keys, vec!["/g/a", "/g/c"]);
}

/// Every read after a write sees it, whatever was read before (a read cache
/// must drop what puts, deletes and prefix deletes change, absences included).
async fn reads_follow_every_write(s: &dyn Store) {
    const R: &str = "conformanceReads";
    let put_n = |key: &str, n: i64| Write::Put {
        coll: R,
        key: key.to_string(),
        id: key.to_string(),
        body: json!({ "n": n }),
        cond: Cond::Any,
    };
    assert!(s.get(R, "/r/a").await.unwrap().is_none());
    s.apply(vec![put_n("/r/a", 1)]).await.unwrap();
    assert_eq!(s.get(R, "/r/a").await.unwrap().unwrap().body["n"], 1);
    s.apply(vec![put_n("/r/a", 2), put_n("/r/b", 2)])
        .await
        .unwrap();
    assert_eq!(s.get(R, "/r/a").await.unwrap().unwrap().body["n"], 2);
    assert!(
        s.get_raw(R, "/r/b")
            .await
            .unwrap()
            .unwrap()
            .body
            .contains('2')
    );
    s.apply(vec![Write::Delete {
        coll: R,
        key: "/r/a".into(),
        cond: Cond::Any,
    }])
    .await
    .unwrap();
    assert!(s.get(R, "/r/a").await.unwrap().is_none());
    s.apply(vec![Write::DeletePrefix {
        coll: R,
        prefix: "/r/".into(),
    }])
    .await
    .unwrap();
    assert!(s.get_raw(R, "/r/b").await.unwrap().is_none());
    // A failed batch changes nothing, and reads say so.
    s.apply(vec![put_n("/r/c", 3)]).await.unwrap();
    let failed = s
        .apply(vec![put_n("/r/c", 4), put("/r/x", "/r/x", 0, Cond::Exists)])
        .await;
    assert!(failed.is_err());
    assert_eq!(s.get(R, "/r/c").await.unwrap().unwrap().body["n"], 3);
}

/// Readers racing a writer end up seeing its last write.
async fn concurrent_reads_see_the_last_write(s: &dyn Store) {
    const R: &str = "conformanceRace";
    let read = || async {
        for _ in 0..50 {
            let _ = s.get(R, "/race").await.unwrap();
        }
    };
    let write = || async {
        for n in 0..50 {
            let w = Write::Put {
                coll: R,
                key: "/race".into(),
                id: "/race".into(),
                body: json!({ "n": n }),
                cond: Cond::Any,
            };
            s.apply(vec![w]).await.unwrap();
        }
    };
    tokio::join!(read(), write(), read());
    assert_eq!(s.get(R, "/race").await.unwrap().unwrap().body["n"], 49);
}

/// Pages cover a prefix exactly once, in key order, and stay inside it.
async fn pages_walk_a_prefix(s: &dyn Store) {
    const P: &str = "conformancePages";
    let mut writes: Vec<Write> = (0..25)
        .map(|i| Write::Put {
            coll: P,
            key: format!("/p/{i:02}"),
            id: format!("/p/{i:02}"),
            body: json!({ "i": i }),
            cond: Cond::Any,
        })
        .collect();
    for k in ["/o/x", "/q/x", "/p"] {
        writes.push(Write::Put {
            coll: P,
            key: k.into(),
            id: k.into(),
            body: json!({}),
            cond: Cond::Any,
        });
    }
    s.apply(writes).await.unwrap();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = s.list_page(P, "/p/", after.as_deref(), 10).await.unwrap();
        assert!(page.len() <= 10);
        seen.extend(page.iter().map(|d| d.key.clone()));
        match page.last() {
            Some(d) if page.len() == 10 => after = Some(d.key.clone()),
            _ => break,
        }
    }
    let expected: Vec<String> = (0..25).map(|i| format!("/p/{i:02}")).collect();
    assert_eq!(seen, expected);
}
