//! Resource quantities (`250m`, `2`, `512Mi`, `1G`) as numbers: CPU in
//! millicores, everything else in bytes or units.

/// A quantity in its base unit (thousandths of it for CPU, when `milli`).
pub fn parse(q: &str, milli: bool) -> Option<u128> {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(q.len());
    let (number, suffix) = q.split_at(split);
    let value: f64 = number.parse().ok()?;
    let factor: f64 = match suffix {
        "" => 1.0,
        "m" => 0.001,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024.0_f64.powi(4),
        _ => return None,
    };
    let scaled = value * factor * if milli { 1000.0 } else { 1.0 };
    (scaled.is_finite() && scaled >= 0.0).then(|| scaled.round() as u128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(parse("250m", true), Some(250));
        assert_eq!(parse("2", true), Some(2000));
        assert_eq!(parse("512Mi", false), Some(512 * 1024 * 1024));
        assert_eq!(parse("1G", false), Some(1_000_000_000));
        assert_eq!(parse("7098008Ki", false), Some(7_098_008 * 1024));
        assert_eq!(parse("lots", false), None);
    }
}
