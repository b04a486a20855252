//! Conformance checks of the revision counter and the change feed (part of
//! `conformance::run`).

#![allow(clippy::unwrap_used, clippy::panic)]

use serde_json::json;

use crate::{ChangeOp, Cond, Store, Write};

const F: &str = "conformance-feed";

fn put(key: &str, n: i64) -> Write {
    Write::Put {
        coll: F,
        key: key.to_string(),
        id: key.to_uppercase(),
        body: json!({"n": n}),
        cond: Cond::Any,
    }
}

pub async fn run(s: &dyn Store) {
    etags_are_rising_revisions(s).await;
    feed_records_puts_and_deletes(s).await;
    failed_batches_leave_no_change(s).await;
    list_at_matches_the_feed(s).await;
    concurrent_writers_never_skip(s).await;
}

async fn etags_are_rising_revisions(s: &dyn Store) {
    let start = s.revision().await.unwrap();
    let etags = s.apply(vec![put("/r/a", 1), put("/r/b", 2)]).await.unwrap();
    let revs: Vec<u64> = etags.iter().map(|e| e.parse().unwrap()).collect();
    assert_eq!(
        revs,
        vec![start + 1, start + 2],
        "one revision per write, in order"
    );
    assert_eq!(s.revision().await.unwrap(), start + 2);
    let doc = s.get(F, "/r/b").await.unwrap().unwrap();
    assert_eq!(doc.etag, (start + 2).to_string());
}

async fn feed_records_puts_and_deletes(s: &dyn Store) {
    let start = s.revision().await.unwrap();
    s.apply(vec![put("/f/x", 1), put("/f/y", 2)]).await.unwrap();
    s.apply(vec![put("/f/x", 3)]).await.unwrap();
    s.apply(vec![Write::Delete {
        coll: F,
        key: "/f/y".into(),
        cond: Cond::Any,
    }])
    .await
    .unwrap();
    // Deleting what is absent changes nothing and records nothing.
    s.apply(vec![Write::Delete {
        coll: F,
        key: "/f/none".into(),
        cond: Cond::Any,
    }])
    .await
    .unwrap();
    s.apply(vec![Write::DeletePrefix {
        coll: F,
        prefix: "/f/".into(),
    }])
    .await
    .unwrap();
    let page = s.changes(F, start, 100).await.unwrap();
    let seen: Vec<(String, ChangeOp, i64)> = page
        .items
        .iter()
        .map(|c| {
            let body: serde_json::Value = serde_json::from_str(&c.body).unwrap();
            (c.key.clone(), c.op, body["n"].as_i64().unwrap())
        })
        .collect();
    use ChangeOp::{Created, Deleted, Modified};
    let want = [
        ("/f/x", Created, 1),
        ("/f/y", Created, 2),
        ("/f/x", Modified, 3),
        ("/f/y", Deleted, 2),
        ("/f/x", Deleted, 3),
    ];
    let want: Vec<(String, ChangeOp, i64)> = want
        .iter()
        .map(|(k, d, n)| (k.to_string(), *d, *n))
        .collect();
    assert_eq!(seen, want);
    let revs: Vec<u64> = page.items.iter().map(|c| c.rev).collect();
    assert!(
        revs.windows(2).all(|w| w[0] < w[1]),
        "revisions rise: {revs:?}"
    );
    assert_eq!(page.revision, *revs.last().unwrap());
    assert_eq!(
        page.items[0].id, "/F/X",
        "the original-case id travels with the change"
    );
    // Paging the feed: after the first two, the rest.
    let rest = s.changes(F, revs[1], 100).await.unwrap();
    assert_eq!(rest.items.len(), 3);
    assert!(
        s.changes("other-collection", start, 100)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn failed_batches_leave_no_change(s: &dyn Store) {
    let start = s.revision().await.unwrap();
    let failed = s
        .apply(vec![
            put("/g/a", 1),
            Write::Put {
                coll: F,
                key: "/g/b".into(),
                id: "/g/b".into(),
                body: json!({}),
                cond: Cond::Exists,
            },
        ])
        .await;
    assert!(failed.is_err());
    assert_eq!(
        s.revision().await.unwrap(),
        start,
        "a failed batch takes no revision"
    );
    assert!(s.changes(F, start, 10).await.unwrap().items.is_empty());
}

async fn list_at_matches_the_feed(s: &dyn Store) {
    s.apply(vec![put("/l/a", 1), put("/l/b", 2)]).await.unwrap();
    let (docs, rev) = s.list_at(F, "/l/").await.unwrap();
    assert_eq!(docs.len(), 2);
    let first: serde_json::Value = serde_json::from_str(&docs[0].body).unwrap();
    assert_eq!(
        (docs[0].key.as_str(), first["n"].as_i64()),
        ("/l/a", Some(1))
    );
    assert_eq!(rev, s.revision().await.unwrap());
    s.apply(vec![put("/l/c", 3)]).await.unwrap();
    let after = s.changes(F, rev, 10).await.unwrap();
    let keys: Vec<&str> = after.items.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(
        keys,
        vec!["/l/c"],
        "a watch from the list's revision sees only what came after"
    );
}

async fn concurrent_writers_never_skip(s: &dyn Store) {
    let start = s.revision().await.unwrap();
    let writers = (0..8).map(|w| async move {
        for i in 0..10 {
            s.apply(vec![put(&format!("/c/{w}/{i}"), i)]).await.unwrap();
        }
    });
    futures_join(writers).await;
    let page = s.changes(F, start, 1000).await.unwrap();
    let revs: Vec<u64> = page.items.iter().map(|c| c.rev).collect();
    assert_eq!(revs.len(), 80);
    assert_eq!(
        revs,
        ((start + 1)..=(start + 80)).collect::<Vec<_>>(),
        "no gaps, no reordering"
    );
}

/// Runs futures concurrently on the current task (no extra dependency).
async fn futures_join<F: std::future::Future<Output = ()>>(futs: impl Iterator<Item = F>) {
    let mut set = Vec::new();
    for f in futs {
        set.push(Box::pin(f));
    }
    let mut pending: Vec<_> = set.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for slot in pending.iter_mut() {
            if let Some(f) = slot {
                if f.as_mut().poll(cx).is_ready() {
                    *slot = None;
                } else {
                    done = false;
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
}
