//! The live decision feed's pacing. A busy server decides tens of thousands
//! of requests a second; a person reads a few rows. So the feed does not wait
//! on every decision: it wakes four times a second, drains what arrived
//! (the broadcast keeps the last 1,024; older ones are counted as skipped),
//! and sends the newest rows the session may see, with a note of how many
//! were left out. Recording a decision then costs the server the same
//! whether a console is open or not.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aksemu_arm::Cloud;
use aksemu_arm::rbac::decisions::Decision;
use axum::response::sse::Event;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::TryRecvError;

use super::names::Names;
use super::rows::{Filter, Viewer, row, visible};
use super::sessions::{Session, Sessions};

const TICK: Duration = Duration::from_millis(250);
/// The directory is read again for a new name at most this often.
const NAMES_EVERY: Duration = Duration::from_secs(5);
/// Rows sent per tick at most (the newest).
const PER_TICK: usize = 25;

pub struct Feed {
    cloud: Arc<Cloud>,
    session: Session,
    /// The sessions and this one's cookie: the feed ends with the session.
    open: (Arc<Sessions>, String),
    filter: Filter,
    rx: Receiver<Arc<Decision>>,
    /// Kept decisions made after the page was rendered, sent first.
    replay: VecDeque<Arc<Decision>>,
    /// The last decision handled (later ones only, each once).
    sent: u64,
    names: Names,
    names_read: Instant,
    /// When the principal was last looked up in the directory.
    checked: Instant,
    first: bool,
}

impl Feed {
    /// Subscribes first, then takes the kept decisions after `after`, so a
    /// decision made while the page loaded is sent once, not lost.
    pub async fn new(
        cloud: Arc<Cloud>,
        (session, open): (Session, (Arc<Sessions>, String)),
        filter: Filter,
        after: u64,
    ) -> Self {
        let log = &cloud.rbac.decisions;
        let rx = log.subscribe();
        let (kept, last) = log.snapshot();
        let replay = kept.into_iter().filter(|d| d.seq > after).collect();
        let sent = after.min(last);
        let names = Names::load(&cloud).await;
        Self {
            cloud,
            session,
            open,
            filter,
            rx,
            replay,
            sent,
            names,
            names_read: Instant::now(),
            checked: Instant::now(),
            first: true,
        }
    }

    /// The next batch of rows, newest first; `None` when the session or the
    /// log is gone.
    pub async fn next(&mut self) -> Option<Event> {
        loop {
            if !self.first {
                tokio::time::sleep(TICK).await;
            }
            self.first = false;
            self.still_open().await?;
            let (mut batch, mut skipped) = self.drain()?;
            if batch.is_empty() && skipped == 0 {
                continue;
            }
            if batch.len() > PER_TICK {
                skipped += (batch.len() - PER_TICK) as u64;
                batch.drain(..batch.len() - PER_TICK);
            }
            let unnamed = batch
                .iter()
                .any(|d| self.names.name(&d.object_id) == d.object_id);
            if unnamed && self.names_read.elapsed() >= NAMES_EVERY {
                // A principal made since the feed opened.
                self.names = Names::load(&self.cloud).await;
                self.names_read = Instant::now();
            }
            return Some(self.event(&batch, skipped));
        }
    }

    /// What arrived since the last tick that the session may see and the
    /// filters keep, and how many decisions were left out.
    fn drain(&mut self) -> Option<(Vec<Arc<Decision>>, u64)> {
        let mut batch = Vec::new();
        let mut skipped = 0u64;
        let mut arrived: Vec<Arc<Decision>> = self.replay.drain(..).collect();
        loop {
            match self.rx.try_recv() {
                Ok(d) => arrived.push(d),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Lagged(n)) => skipped += n,
                Err(TryRecvError::Closed) => return None,
            }
        }
        for d in arrived {
            if d.seq <= self.sent {
                continue;
            }
            self.sent = d.seq;
            if visible(&self.cloud, &self.session, &d) && self.filter.keeps(&d, &self.names) {
                batch.push(d);
            }
        }
        Some((batch, skipped))
    }

    /// Ends the feed with its session; every few seconds the principal is
    /// looked up again (deleted or disabled: the session closes) and its
    /// groups refreshed, as each page request does.
    async fn still_open(&mut self) -> Option<()> {
        let (sessions, id) = (&self.open.0, &self.open.1);
        if !sessions.is_open(id) {
            return None;
        }
        if self.checked.elapsed() >= NAMES_EVERY {
            self.checked = Instant::now();
            let valid = super::still_valid((&self.cloud, sessions), id, &mut self.session).await;
            valid.then_some(())?;
        }
        Some(())
    }

    fn event(&self, batch: &[Arc<Decision>], skipped: u64) -> Event {
        let viewer = Viewer {
            cloud: &self.cloud,
            session: &self.session,
        };
        let rows = batch.iter().rev().map(|d| row(d, &self.names, viewer));
        let mut html: String = rows.collect();
        if skipped > 0 {
            // How many others decided is not a non-administrator's business.
            let count = if self.session.admin {
                format!("{skipped} more decisions")
            } else {
                "Some decisions were".to_string()
            };
            html.push_str(&format!(
                "<li class=\"skipped muted\">{count} not shown (more than the feed shows at once; filter to narrow, or reload)</li>"
            ));
        }
        Event::default()
            .event("decisions")
            .id(self.sent.to_string())
            .data(html)
    }
}
