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

/// How far ahead of real time the cloud clock may be: a thousand years, far
/// enough for any expiry a test wants to pass and far from the end of the
/// calendar, so "now + a secret's lifetime" always exists.
pub const MAX_OFFSET_MS: i64 = 1000 * 366 * 86_400 * 1000;

/// The emulated cloud's clock: real time plus an offset that only moves when the
/// user moves it (`aksemu clock advance|set`). Token lifetimes stay on real time;
/// what the cloud decides (secret expiry, propagation) reads this clock. The
/// offset is kept within `0..=MAX_OFFSET_MS` whatever it is given, so no stored
/// or requested value can make "now" unrepresentable.
#[derive(Debug, Default)]
pub struct VirtualClock {
    offset_ms: AtomicI64,
}

fn bounded(offset_ms: i64) -> i64 {
    offset_ms.clamp(0, MAX_OFFSET_MS)
}

impl VirtualClock {
    pub fn with_offset_ms(offset_ms: i64) -> Self {
        Self {
            offset_ms: AtomicI64::new(bounded(offset_ms)),
        }
    }

    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn set_offset_ms(&self, offset_ms: i64) {
        self.offset_ms.store(bounded(offset_ms), Ordering::Relaxed);
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> OffsetDateTime {
        let real = OffsetDateTime::now_utc();
        real.checked_add(time::Duration::milliseconds(self.offset_ms()))
            .unwrap_or(real)
    }
}

/// RFC 3339 with fractional seconds, as ARM prints timestamps.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_stays_in_range_and_now_exists() {
        let c = VirtualClock::with_offset_ms(i64::MAX);
        assert_eq!(c.offset_ms(), MAX_OFFSET_MS);
        assert!(c.now().year() < 4000);
        c.set_offset_ms(-5);
        assert_eq!(c.offset_ms(), 0);
    }
}
