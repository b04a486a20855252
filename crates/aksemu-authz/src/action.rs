//! Action patterns: case-insensitive, `*` matches any run of characters including
//! `/`, and `/*/` also matches a single `/` (Managed Identity Operator's
//! `…/userAssignedIdentities/*/assign/action` grants `…/userAssignedIdentities/assign/action`).

pub fn action_matches(pattern: &str, action: &str) -> bool {
    let p = pattern.as_bytes();
    let a = action.as_bytes();
    // The literal text before the first `*` must match; most patterns are decided
    // there without reading the rest (no star, `prefix/*`, `*/suffix`).
    let Some(star) = p.iter().position(|&b| b == b'*') else {
        return pattern.eq_ignore_ascii_case(action);
    };
    if a.len() < star || !a[..star].eq_ignore_ascii_case(&p[..star]) {
        return false;
    }
    let rest = &p[star + 1..];
    if rest.is_empty() {
        return true;
    }
    if !rest.contains(&b'*') && (star == 0 || p[star - 1] != b'/' || rest[0] != b'/') {
        // One star in the middle or at the start: the rest is a literal suffix.
        return a.len() >= star + rest.len()
            && a[a.len() - rest.len()..].eq_ignore_ascii_case(rest);
    }
    glob(&p[star..], &a[star..], star > 0 && p[star - 1] == b'/')
}

fn glob(p: &[u8], t: &[u8], after_slash: bool) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some((b'*', rest)) => {
            if after_slash && rest.first() == Some(&b'/') && glob(&rest[1..], t, true) {
                return true;
            }
            (0..=t.len()).any(|i| glob(rest, &t[i..], false))
        }
        Some((c, rest)) => match t.split_first() {
            Some((d, t_rest)) if c.eq_ignore_ascii_case(d) => glob(rest, t_rest, *c == b'/'),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::action_matches as m;

    #[test]
    fn wildcards() {
        assert!(m(
            "*",
            "Microsoft.Resources/subscriptions/resourceGroups/write"
        ));
        assert!(m(
            "*/read",
            "microsoft.resources/subscriptions/resourcegroups/READ"
        ));
        assert!(!m(
            "*/read",
            "Microsoft.Resources/subscriptions/resourceGroups/write"
        ));
        assert!(!m("*/read", "ead"));
        assert!(m(
            "Microsoft.Network/*",
            "Microsoft.Network/virtualNetworks/subnets/join/action"
        ));
        assert!(!m("Microsoft.Network/*", "Microsoft.NetworkX/a"));
        assert!(!m("Microsoft.Network/*", "Microsoft.Net"));
        assert!(m(
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/roleAssignments/write"
        ));
        assert!(m(
            "microsoft.compute/disks/delete",
            "Microsoft.Compute/disks/DELETE"
        ));
        assert!(m(
            "Microsoft.Network/*/join/action",
            "microsoft.network/virtualnetworks/subnets/join/action"
        ));
    }

    #[test]
    fn slash_star_slash_matches_zero_segments() {
        let p = "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action";
        assert!(m(
            p,
            "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"
        ));
        assert!(m(
            p,
            "Microsoft.ManagedIdentity/userAssignedIdentities/x/assign/action"
        ));
        assert!(!m(
            p,
            "Microsoft.ManagedIdentity/userAssignedIdentities/write"
        ));
    }
}
