//! The notion of "now". Everything the emulated cloud decides about time asks a
//! `Clock`, so a virtual clock can later replace the system one in one place.

use std::sync::atomic::{AtomicI64, Ordering};

use time::OffsetDateTime;

pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// The emulated cloud's clock: real time plus an offset that only moves when the
/// user moves it (`aksemu clock advance|set`). Token lifetimes stay on real time;
/// what the cloud decides (secret expiry, propagation) reads this clock.
#[derive(Debug, Default)]
pub struct VirtualClock {
    offset_ms: AtomicI64,
}

impl VirtualClock {
    pub fn with_offset_ms(offset_ms: i64) -> Self {
        Self {
            offset_ms: AtomicI64::new(offset_ms),
        }
    }

    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn set_offset_ms(&self, offset_ms: i64) {
        self.offset_ms.store(offset_ms, Ordering::Relaxed);
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::milliseconds(self.offset_ms())
    }
}

/// RFC 3339 with fractional seconds, as ARM prints timestamps.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
