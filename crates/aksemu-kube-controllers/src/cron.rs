//! Cron schedules as CronJobs write them: five fields (minute, hour, day of
//! month, month, day of week) with `*`, lists, ranges and steps, or the
//! `@hourly`-style macros. Days follow cron's rule: when both day fields are
//! restricted, either may match.

use time::OffsetDateTime;

struct Field {
    allowed: Vec<bool>,
    star: bool,
}

fn field(spec: &str, min: u32, max: u32) -> Option<Field> {
    let mut allowed = vec![false; max as usize + 1];
    for part in spec.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().ok().filter(|s| *s > 0)?),
            None => (part, 1),
        };
        let (lo, hi) = match range {
            "*" => (min, max),
            r => match r.split_once('-') {
                Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
                None => {
                    let v: u32 = r.parse().ok()?;
                    (v, if part.contains('/') { max } else { v })
                }
            },
        };
        if lo < min || hi > max || lo > hi {
            return None;
        }
        for v in (lo..=hi).step_by(step as usize) {
            allowed[v as usize] = true;
        }
    }
    Some(Field {
        allowed,
        star: spec == "*",
    })
}

pub struct Schedule {
    minute: Field,
    hour: Field,
    dom: Field,
    month: Field,
    dow: Field,
}

impl Schedule {
    pub fn parse(spec: &str) -> Option<Self> {
        let spec = match spec.trim() {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            s => s,
        };
        let f: Vec<&str> = spec.split_whitespace().collect();
        let [m, h, dom, mon, dow] = f.as_slice() else {
            return None;
        };
        // Sunday is 0 or 7.
        let dow = field(&dow.replace('7', "0"), 0, 6)?;
        Some(Self {
            minute: field(m, 0, 59)?,
            hour: field(h, 0, 23)?,
            dom: field(dom, 1, 31)?,
            month: field(mon, 1, 12)?,
            dow,
        })
    }

    pub fn matches(&self, t: OffsetDateTime) -> bool {
        let day_ok = {
            let dom = self.dom.allowed[usize::from(t.day())];
            let dow = self.dow.allowed[usize::from(t.weekday().number_days_from_sunday())];
            match (self.dom.star, self.dow.star) {
                (true, true) => true,
                (true, false) => dow,
                (false, true) => dom,
                (false, false) => dom || dow,
            }
        };
        self.minute.allowed[usize::from(t.minute())]
            && self.hour.allowed[usize::from(t.hour())]
            && self.month.allowed[usize::from(u8::from(t.month()))]
            && day_ok
    }

    /// The latest scheduled minute in (`after`, `until`], looking back at most
    /// `limit` minutes from `until`.
    pub fn latest(
        &self,
        after: OffsetDateTime,
        until: OffsetDateTime,
        limit: u32,
    ) -> Option<OffsetDateTime> {
        let mut t = until.replace_second(0).ok()?.replace_nanosecond(0).ok()?;
        for _ in 0..limit {
            if t <= after {
                return None;
            }
            if self.matches(t) {
                return Some(t);
            }
            t -= time::Duration::minutes(1);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn schedules() {
        let every5 = Schedule::parse("*/5 * * * *").unwrap();
        assert!(every5.matches(datetime!(2026-12-01 10:05 UTC)));
        assert!(!every5.matches(datetime!(2026-12-01 10:06 UTC)));
        let daily = Schedule::parse("@daily").unwrap();
        let last = daily.latest(
            datetime!(2026-11-30 00:00 UTC),
            datetime!(2026-12-01 10:07:30 UTC),
            100_000,
        );
        assert_eq!(last, Some(datetime!(2026-12-01 00:00 UTC)));
        let weekdays = Schedule::parse("30 9 * * 1-5").unwrap();
        assert!(weekdays.matches(datetime!(2026-12-01 09:30 UTC))); // a Tuesday
        assert!(!weekdays.matches(datetime!(2026-12-06 09:30 UTC))); // a Sunday
        assert!(Schedule::parse("61 * * * *").is_none());
        assert!(Schedule::parse("* * *").is_none());
        assert!(Schedule::parse("*/0 * * * *").is_none());
    }
}
