//! Kubernetes resource quantities (`100m`, `1.5`, `256Mi`, `2G`, `1e3`) as
//! thousandths of a unit, for the sums quota admission makes, and back to
//! kube's canonical text for its messages.

/// Thousandths of the unit (`"100m"` → 100, `"1Ki"` → 1,024,000); `None` if malformed.
pub fn milli(q: &str) -> Option<i128> {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(q.len());
    let (number, suffix) = q.split_at(split);
    let value: f64 = number.parse().ok()?;
    let scale: f64 = match suffix {
        "" => 1.0,
        "m" => 0.001,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s if s.starts_with(['e', 'E']) => 10f64.powi(s[1..].parse().ok()?),
        _ => return None,
    };
    let m = (value * scale * 1000.0).round();
    m.is_finite().then_some(m as i128)
}

/// kube's canonical text: whole units plainly, thousandths with `m`, whole
/// binary multiples with `Ki`/`Mi`/`Gi`.
pub fn text(milli: i128) -> String {
    if milli % 1000 != 0 {
        return format!("{milli}m");
    }
    let units = milli / 1000;
    for (suffix, size) in [("Gi", 1i128 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)] {
        if units != 0 && units % size == 0 {
            return format!("{}{suffix}", units / size);
        }
    }
    units.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_as_kube_does() {
        assert_eq!(milli("100m"), Some(100));
        assert_eq!(milli("1.5"), Some(1500));
        assert_eq!(milli("256Mi"), Some(256 * 1024 * 1024 * 1000));
        assert_eq!(milli("2G"), Some(2_000_000_000_000));
        assert_eq!(milli("1e3"), Some(1_000_000));
        assert_eq!(milli("x"), None);
        assert_eq!(milli("1Zi"), None);
        assert_eq!(text(500), "500m");
        assert_eq!(text(2000), "2");
        assert_eq!(text(256 * 1024 * 1024 * 1000), "256Mi");
    }
}
