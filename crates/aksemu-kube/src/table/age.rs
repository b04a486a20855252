//! Time helpers of the Table printers: apimachinery's `duration.HumanDuration` and the
//! `translateTimestampSince` family of printers.go, parameterised by `now` so a virtual clock
//! can move AGE columns.

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// apimachinery's `duration.HumanDuration`: ~2-3 significant figures, exactly as kubectl
/// prints AGE ("10s", "3m10s", "70m", "4h5m", "2d1h", "367d", "2y45d", "9y").
pub fn human_duration(d: Duration) -> String {
    // Go truncates toward zero (`int(d.Seconds())`, `d / time.Minute`), as do `whole_*`.
    let seconds = d.whole_seconds();
    // Up to 2s (exclusive) in the future is tolerated as clock skew and printed as "0s".
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = d.whole_minutes();
    if minutes < 10 {
        return with_remainder(minutes, "m", seconds % 60, "s");
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = d.whole_hours();
    if hours < 8 {
        return with_remainder(hours, "h", minutes % 60, "m");
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        return with_remainder(hours / 24, "d", hours % 24, "h");
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        return with_remainder(hours / 24 / 365, "y", (hours / 24) % 365, "d");
    }
    format!("{}y", hours / 24 / 365)
}

/// "3m" or "3m10s": the smaller unit is dropped when it is zero.
fn with_remainder(big: i64, big_unit: &str, small: i64, small_unit: &str) -> String {
    if small == 0 {
        format!("{big}{big_unit}")
    } else {
        format!("{big}{big_unit}{small}{small_unit}")
    }
}

/// Parses a `metav1.Time` / `metav1.MicroTime` JSON value. `None` stands for Go's zero time:
/// absent, null, unparsable, or the literal 0001-01-01T00:00:00Z a Go client may serialise.
pub fn parse_time(v: Option<&Value>) -> Option<OffsetDateTime> {
    let t = OffsetDateTime::parse(v?.as_str()?, &Rfc3339).ok()?;
    (t != time::macros::datetime!(0001-01-01 00:00:00 UTC)).then_some(t)
}

/// printers.go `translateTimestampSince`: "<unknown>" for the zero time.
pub fn since(t: Option<OffsetDateTime>, now: OffsetDateTime) -> String {
    match t {
        Some(t) => human_duration(now - t),
        None => "<unknown>".to_string(),
    }
}

/// AGE of an object from its metadata.creationTimestamp (RFC3339), "<unknown>" if absent/bad.
pub fn age(obj: &Value, now: OffsetDateTime) -> String {
    let ts = obj.get("metadata").and_then(|m| m.get("creationTimestamp"));
    since(parse_time(ts), now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    const SEC: i64 = 1_000_000_000;
    const MIN: i64 = 60 * SEC;
    const HOUR: i64 = 60 * MIN;
    const DAY: i64 = 24 * HOUR;
    const MS: i64 = 1_000_000;

    fn check(cases: &[(i64, &str)]) {
        for &(nanos, want) in cases {
            let got = human_duration(Duration::nanoseconds(nanos));
            assert_eq!(got, want, "HumanDuration({nanos}ns)");
        }
    }

    /// apimachinery duration_test.go `TestHumanDuration`.
    #[test]
    fn human_duration_table() {
        check(&[
            (SEC, "1s"),
            (70 * SEC, "70s"),
            (190 * SEC, "3m10s"),
            (70 * MIN, "70m"),
            (47 * HOUR, "47h"),
            (49 * HOUR, "2d1h"),
            ((8 * 24 + 2) * HOUR, "8d"),
            (367 * DAY, "367d"),
            ((365 * 2 * 24 + 25) * HOUR, "2y1d"),
            ((365 * 8 * 24 + 2) * HOUR, "8y"),
        ]);
    }

    /// apimachinery duration_test.go `TestHumanDurationBoundaries`.
    #[test]
    fn human_duration_boundaries() {
        let y = 365 * DAY;
        check(&[
            (-2 * SEC, "<invalid>"),
            (-2 * SEC + 1, "0s"),
            (0, "0s"),
            (SEC - MS, "0s"),
            (2 * MIN - MS, "119s"),
            (2 * MIN, "2m"),
            (2 * MIN + SEC, "2m1s"),
            (10 * MIN - MS, "9m59s"),
            (10 * MIN, "10m"),
            (10 * MIN + SEC, "10m"),
            (3 * HOUR - MS, "179m"),
            (3 * HOUR, "3h"),
            (3 * HOUR + MIN, "3h1m"),
            (8 * HOUR - MS, "7h59m"),
            (8 * HOUR, "8h"),
            (8 * HOUR + 59 * MIN, "8h"),
            (2 * DAY - MS, "47h"),
            (2 * DAY, "2d"),
            (2 * DAY + HOUR, "2d1h"),
            (8 * DAY - MS, "7d23h"),
            (8 * DAY, "8d"),
            (8 * DAY + 23 * HOUR, "8d"),
            (2 * y - MS, "729d"),
            (2 * y, "2y"),
            (2 * y + 23 * HOUR, "2y"),
            (2 * y + 23 * HOUR + 59 * MIN, "2y"),
            (2 * y + DAY - MS, "2y"),
            (2 * y + DAY, "2y1d"),
            (3 * y, "3y"),
            (4 * y, "4y"),
            (5 * y, "5y"),
            (6 * y, "6y"),
            (7 * y, "7y"),
            (8 * y - MS, "7y364d"),
            (8 * y, "8y"),
            (8 * y + 364 * DAY, "8y"),
            (9 * y, "9y"),
        ]);
    }

    #[test]
    fn age_of_objects() {
        let now = datetime!(2024-05-01 12:00:00 UTC);
        let obj = json!({"metadata": {"creationTimestamp": "2024-05-01T11:55:00Z"}});
        assert_eq!(age(&obj, now), "5m");
        let frac = json!({"metadata": {"creationTimestamp": "2024-04-28T10:59:59.123456Z"}});
        assert_eq!(age(&frac, now), "3d1h");
        for bad in [
            json!({}),
            json!({"metadata": {"creationTimestamp": null}}),
            json!({"metadata": {"creationTimestamp": 5}}),
            json!({"metadata": {"creationTimestamp": "yesterday"}}),
            json!({"metadata": {"creationTimestamp": "0001-01-01T00:00:00Z"}}),
            json!([1, 2]),
        ] {
            assert_eq!(age(&bad, now), "<unknown>", "{bad}");
        }
    }
}
