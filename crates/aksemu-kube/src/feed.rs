//! One reader of the store's change feed per process, fanned out to every
//! watch. It reads when this process wrote (woken by `wake`) and otherwise
//! polls every `POLL`, which is how writes made by another server on the same
//! PostgreSQL reach this one's watches. Polling, not LISTEN/NOTIFY: the feed is
//! already ordered by revision, one query serves every watch, and it works the
//! same on SQLite.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use aksemu_store::{Change, Store};
use tokio::sync::{Notify, broadcast};

use crate::objects::OBJECTS;

const POLL: Duration = Duration::from_millis(200);
const PAGE: usize = 1_000;
/// Changes a slow watch may fall behind before it is ended (the client re-lists).
const BACKLOG: usize = 16_384;

pub struct Feed {
    store: Arc<dyn Store>,
    wake: Arc<Notify>,
    tx: broadcast::Sender<Arc<Change>>,
    started: AtomicBool,
    /// The last revision broadcast.
    position: Arc<AtomicU64>,
}

impl Feed {
    pub fn new(store: Arc<dyn Store>) -> Self {
        let (tx, _) = broadcast::channel(BACKLOG);
        Self {
            store,
            wake: Arc::new(Notify::new()),
            tx,
            started: AtomicBool::new(false),
            position: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Something was written: read the feed now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// A receiver of every change from now on, after starting the reader if
    /// this is the first watch.
    pub async fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        let rx = self.tx.subscribe();
        if !self.started.swap(true, Ordering::SeqCst) {
            let start = self.store.revision().await.unwrap_or(0);
            self.position.store(start, Ordering::SeqCst);
            let (store, wake, tx, pos) = (
                self.store.clone(),
                self.wake.clone(),
                self.tx.clone(),
                self.position.clone(),
            );
            tokio::spawn(pump(store, wake, tx, pos));
        }
        rx
    }
}

async fn pump(
    store: Arc<dyn Store>,
    wake: Arc<Notify>,
    tx: broadcast::Sender<Arc<Change>>,
    position: Arc<AtomicU64>,
) {
    loop {
        let _ = tokio::time::timeout(POLL, wake.notified()).await;
        loop {
            let from = position.load(Ordering::SeqCst);
            let page = match store.changes(OBJECTS, from, PAGE).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the change feed failed");
                    break;
                }
            };
            let n = page.items.len();
            for c in page.items {
                position.store(c.rev, Ordering::SeqCst);
                // No receivers is fine: nobody is watching right now.
                let _ = tx.send(Arc::new(c));
            }
            if n < PAGE {
                break;
            }
        }
    }
}
