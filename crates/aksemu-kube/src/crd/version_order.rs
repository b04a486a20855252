//! Kubernetes' version priority (`v2` > `v1` > `v1beta2` > `v1beta1` >
//! `v1alpha1` > anything else, alphabetically): which version of a group
//! discovery prefers.

use std::cmp::Ordering;

/// (stability rank, major, minor) of a Kubernetes-style version, if it is one.
fn parse(v: &str) -> Option<(u8, u64, u64)> {
    let rest = v.strip_prefix('v')?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let major: u64 = rest[..digits].parse().ok()?;
    let tail = &rest[digits..];
    if tail.is_empty() {
        return Some((3, major, 0));
    }
    let (rank, num) = if let Some(n) = tail.strip_prefix("beta") {
        (2, n)
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, n)
    } else {
        return None;
    };
    Some((rank, major, num.parse().ok()?))
}

/// Orders versions with the preferred first.
pub fn by_priority(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kube_order() {
        let mut v = vec![
            "foo1",
            "v1alpha1",
            "v1",
            "v1beta1",
            "v2",
            "v11alpha2",
            "v1beta2",
        ];
        v.sort_by(|a, b| by_priority(a, b));
        assert_eq!(
            v,
            [
                "v2",
                "v1",
                "v1beta2",
                "v1beta1",
                "v11alpha2",
                "v1alpha1",
                "foo1"
            ]
        );
    }
}
