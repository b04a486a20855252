//! Watches: the events after a resourceVersion (from the store's feed, then
//! live), optionally preceded by the current objects as ADDED events and the
//! `k8s.io/initial-events-end` bookmark (the watch-list kubectl's `wait`,
//! `rollout status` and `delete` use). A revision older than the feed keeps →
//! 410 Gone. The stream stays open until the client leaves or `timeoutSeconds`.

use std::sync::Arc;
use std::time::Duration;

use aksemu_store::{Change, ChangeOp};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use crate::KubeApi;
use crate::error::KubeError;
use crate::objects::{self, OBJECTS, with_rv};
use crate::resources::ResourceType;
use crate::selectors::Selector;

/// Turns an event (type, object) into the bytes of one line.
pub type Render = Arc<dyn Fn(&str, Value) -> Vec<u8> + Send + Sync>;

pub struct WatchSpec {
    pub uid: String,
    pub rt: &'static ResourceType,
    pub namespace: Option<String>,
    pub selector: Selector,
    /// Start after this revision; `None`: send the current objects first.
    pub from: Option<u64>,
    /// End the initial objects with the initial-events-end bookmark.
    pub initial_bookmark: bool,
    /// Send a BOOKMARK with the current resourceVersion now and then.
    pub bookmarks: bool,
    pub timeout: Duration,
    pub render: Render,
}

/// The most a watch stays open without a `timeoutSeconds`.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Parses `resourceVersion` for a watch: unset or "0" means "from now, with
/// the current objects first".
pub fn start(rv: Option<&str>) -> Result<Option<u64>, KubeError> {
    match rv {
        None | Some("") | Some("0") => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| KubeError::BadRequest(format!("invalid resource version: {v:?}"))),
    }
}

/// Starts the watch and returns its stream of lines.
pub async fn open(
    api: &Arc<KubeApi>,
    spec: WatchSpec,
) -> Result<mpsc::Receiver<Vec<u8>>, KubeError> {
    let rx = api.feed.subscribe().await;
    let (out, lines) = mpsc::channel(256);
    let (cursor, initial) = match spec.from {
        Some(rv) => {
            let page = api.store.changes(OBJECTS, rv, 1).await?;
            if rv < page.compacted {
                return Err(KubeError::Gone(format!(
                    "too old resource version: {rv} ({})",
                    page.compacted + 1
                )));
            }
            (rv, Vec::new())
        }
        None => {
            let (items, rev) =
                objects::list(api, &spec.uid, spec.rt, spec.namespace.as_deref()).await?;
            (
                rev,
                items
                    .into_iter()
                    .filter(|o| spec.selector.matches(o))
                    .collect(),
            )
        }
    };
    let api = api.clone();
    tokio::spawn(async move {
        let _ =
            tokio::time::timeout(spec.timeout, run(&api, &spec, rx, cursor, initial, &out)).await;
    });
    Ok(lines)
}

fn prefix(spec: &WatchSpec) -> String {
    objects::prefix(&spec.uid, spec.rt, spec.namespace.as_deref())
}

/// The event a change makes for this watch, if it concerns it.
fn event(spec: &WatchSpec, p: &str, c: &Change) -> Option<(&'static str, Value)> {
    if !c.key.starts_with(p) {
        return None;
    }
    let body: Value = serde_json::from_str(&c.body).ok()?;
    let obj = with_rv(body, &c.rev.to_string());
    if !spec.selector.matches(&obj) {
        return None;
    }
    let kind = match c.op {
        ChangeOp::Created => "ADDED",
        ChangeOp::Modified => "MODIFIED",
        ChangeOp::Deleted => "DELETED",
    };
    Some((kind, obj))
}

/// How often a watch that allows bookmarks gets one (kube-apiserver: about a minute).
const BOOKMARK_EVERY: Duration = Duration::from_secs(60);

/// A BOOKMARK object: the kind, and the resourceVersion the watch has reached.
fn bookmark(spec: &WatchSpec, rv: u64, initial_end: bool) -> Value {
    let mut mark = json!({"kind": spec.rt.kind, "apiVersion": spec.rt.api_version(),
                          "metadata": {"resourceVersion": rv.to_string()}});
    if initial_end {
        mark["metadata"]["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    mark
}

async fn send(out: &mpsc::Sender<Vec<u8>>, line: Vec<u8>) -> Result<(), ()> {
    out.send(line).await.map_err(|_| ())
}

async fn run(
    api: &KubeApi,
    spec: &WatchSpec,
    mut rx: broadcast::Receiver<Arc<Change>>,
    mut cursor: u64,
    initial: Vec<Value>,
    out: &mpsc::Sender<Vec<u8>>,
) -> Result<(), ()> {
    let p = prefix(spec);
    for obj in initial {
        send(out, (spec.render)("ADDED", obj)).await?;
    }
    if spec.initial_bookmark {
        send(out, (spec.render)("BOOKMARK", bookmark(spec, cursor, true))).await?;
    }
    // What happened between `cursor` and the live stream, from the store.
    loop {
        let page = api
            .store
            .changes(OBJECTS, cursor, 1_000)
            .await
            .map_err(|_| ())?;
        let n = page.items.len();
        for c in &page.items {
            cursor = c.rev;
            if let Some((kind, obj)) = event(spec, &p, c) {
                send(out, (spec.render)(kind, obj)).await?;
            }
        }
        if n < 1_000 {
            break;
        }
    }
    let mut tick =
        tokio::time::interval_at(tokio::time::Instant::now() + BOOKMARK_EVERY, BOOKMARK_EVERY);
    loop {
        let c = tokio::select! {
            c = rx.recv() => c,
            _ = out.closed() => return Err(()),
            _ = tick.tick(), if spec.bookmarks => {
                send(out, (spec.render)("BOOKMARK", bookmark(spec, cursor, false))).await?;
                continue;
            }
        };
        match c {
            Ok(c) if c.rev <= cursor => continue,
            Ok(c) => {
                cursor = c.rev;
                if let Some((kind, obj)) = event(spec, &p, &c) {
                    send(out, (spec.render)(kind, obj)).await?;
                }
            }
            // Fell behind or the feed stopped: end; the client lists again.
            Err(_) => return Err(()),
        }
    }
}
