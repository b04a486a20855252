//! Resource quantities (`250m`, `2`, `512Mi`, `1G`) as numbers: CPU in
//! millicores, everything else in bytes or units (the API server's parser,
//! `aksemu_kube::quantity`).

/// A quantity in its base unit (thousandths of it for CPU, when `milli`);
/// `None` for a malformed or negative one.
pub fn parse(q: &str, milli: bool) -> Option<u128> {
    let m = u128::try_from(aksemu_kube::quantity::milli(q)?).ok()?;
    Some(if milli { m } else { (m + 500) / 1000 })
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
