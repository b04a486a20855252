//! Role definitions prepared for deciding: each action pattern is split once,
//! at its `*`, into the literal prefix and suffix an action must carry, so a
//! decision compares bytes instead of re-reading the pattern. Patterns with more
//! than one `*`, or the `…/*/…` form that also matches zero segments, keep the
//! general matcher.

use crate::action::action_matches;
use crate::role::{ActionKind, RoleDefinition};

#[derive(Debug, Clone)]
enum Pattern {
    /// No `*`: the whole action, case-insensitively.
    Exact(Box<[u8]>),
    /// One `*` (`*`, `prefix/*`, `*/suffix`, `a*b`): this prefix and suffix.
    Split {
        prefix: Box<[u8]>,
        suffix: Box<[u8]>,
    },
    /// `a/*/b`: `a/…/b`, or `a/b` (the `*` standing for zero segments).
    Segments {
        prefix: Box<[u8]>,
        suffix: Box<[u8]>,
    },
    General(Box<str>),
}

impl Pattern {
    fn new(p: &str) -> Self {
        let b = p.as_bytes();
        let Some(star) = b.iter().position(|&c| c == b'*') else {
            return Pattern::Exact(b.into());
        };
        let rest = &b[star + 1..];
        if rest.contains(&b'*') {
            return Pattern::General(p.into());
        }
        // `…/*/…` also matches a single `/`.
        if star > 0 && b[star - 1] == b'/' && rest.first() == Some(&b'/') {
            return Pattern::Segments {
                prefix: b[..star].into(),
                suffix: rest.into(),
            };
        }
        Pattern::Split {
            prefix: b[..star].into(),
            suffix: rest.into(),
        }
    }

    #[inline]
    fn matches(&self, action: &str) -> bool {
        let a = action.as_bytes();
        match self {
            Pattern::Exact(e) => a.eq_ignore_ascii_case(e),
            Pattern::Split { prefix, suffix } => {
                a.len() >= prefix.len() + suffix.len()
                    && a[..prefix.len()].eq_ignore_ascii_case(prefix)
                    && a[a.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
            }
            Pattern::Segments { prefix, suffix } => {
                let (p, s) = (prefix.len(), suffix.len());
                if a.len() >= p + s {
                    a[..p].eq_ignore_ascii_case(prefix)
                        && a[a.len() - s..].eq_ignore_ascii_case(suffix)
                } else {
                    // `a/b`: the prefix without its `/`, then the suffix.
                    a.len() == p - 1 + s
                        && a[..p - 1].eq_ignore_ascii_case(&prefix[..p - 1])
                        && a[p - 1..].eq_ignore_ascii_case(suffix)
                }
            }
            Pattern::General(p) => action_matches(p, action),
        }
    }
}

/// A role's control-plane permissions: per permission block, actions minus
/// notActions.
#[derive(Debug, Clone)]
pub struct CompiledRole {
    blocks: Vec<Block>,
    data_blocks: Vec<Block>,
}

/// One permission block's granting and excluding patterns.
type Block = (Vec<Pattern>, Vec<Pattern>);

fn blocks(role: &RoleDefinition, kind: ActionKind) -> Vec<Block> {
    role.permissions
        .iter()
        .map(|p| {
            let (allow, deny) = p.lists(kind);
            let compile = |l: &[String]| l.iter().map(|a| Pattern::new(a)).collect::<Vec<_>>();
            (compile(allow), compile(deny))
        })
        // A block granting nothing of this kind cannot change an answer.
        .filter(|(allow, _)| !allow.is_empty())
        .collect()
}

impl CompiledRole {
    pub fn new(role: &RoleDefinition) -> Self {
        CompiledRole {
            blocks: blocks(role, ActionKind::Control),
            data_blocks: blocks(role, ActionKind::Data),
        }
    }

    /// Whether this role grants `action` of `kind` (the same answer as
    /// `RoleDefinition::grants_kind`).
    #[inline]
    pub fn grants(&self, action: &str, kind: ActionKind) -> bool {
        let blocks = match kind {
            ActionKind::Control => &self.blocks,
            ActionKind::Data => &self.data_blocks,
        };
        blocks.iter().any(|(allow, deny)| {
            allow.iter().any(|p| p.matches(action)) && !deny.iter().any(|p| p.matches(action))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::builtin_roles;

    const DATA_ACTIONS: &[&str] = &[
        "Microsoft.ContainerService/managedClusters/pods/read",
        "Microsoft.ContainerService/managedClusters/apps/deployments/write",
        "Microsoft.ContainerService/managedClusters/namespaces/write",
        "Microsoft.ContainerService/managedClusters/secrets/read",
        "Microsoft.ContainerService/managedClusters/resourcequotas/delete",
        "microsoft.containerservice/managedclusters/PODS/exec/action",
    ];

    #[test]
    fn data_actions_come_only_from_data_lists() {
        let roles = builtin_roles();
        let named = |n: &str| {
            roles
                .iter()
                .find(|r| r.role_name == n)
                .map(CompiledRole::new)
        };
        let (Some(owner), Some(admin), Some(reader), Some(writer)) = (
            named("Owner"),
            named("Azure Kubernetes Service RBAC Admin"),
            named("Azure Kubernetes Service RBAC Reader"),
            named("Azure Kubernetes Service RBAC Writer"),
        ) else {
            panic!("built-in roles missing")
        };
        let pods = "Microsoft.ContainerService/managedClusters/pods/read";
        // Owner's `*` is an action pattern: it grants no data action.
        assert!(!owner.grants(pods, ActionKind::Data));
        assert!(reader.grants(pods, ActionKind::Data) && !reader.grants(pods, ActionKind::Control));
        let secrets = "Microsoft.ContainerService/managedClusters/secrets/read";
        assert!(
            !reader.grants(secrets, ActionKind::Data) && writer.grants(secrets, ActionKind::Data)
        );
        let ns = "Microsoft.ContainerService/managedClusters/namespaces/write";
        assert!(
            !admin.grants(ns, ActionKind::Data),
            "excluded by notDataActions"
        );
        assert!(admin.grants(
            "Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/roles/write",
            ActionKind::Data
        ));
    }

    #[test]
    fn same_answers_as_the_definitions() {
        let actions = [
            "Microsoft.Resources/subscriptions/resourceGroups/write",
            "microsoft.resources/subscriptions/resourcegroups/read",
            "Microsoft.Authorization/roleAssignments/write",
            "Microsoft.Authorization/roleAssignments/read",
            "Microsoft.Authorization/elevateAccess/Action",
            "Microsoft.Network/virtualNetworks/subnets/join/action",
            "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action",
            "Microsoft.ManagedIdentity/userAssignedIdentities/x/assign/action",
            "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
            "Microsoft.ContainerRegistry/registries/pull/read",
            "Microsoft.Compute/virtualMachineScaleSets/write",
            "read",
            "",
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            "Microsoft.ManagedIdentity/userAssignedIdentities/assign",
            "Microsoft.Authorization//read",
            "microsoft.authorization/read",
            "a/x/bzc",
            "a/bc",
            "q/x/y/read",
        ];
        let extra = RoleDefinition {
            permissions: vec![crate::role::Permission {
                actions: vec![
                    "Microsoft.Authorization/*/read".into(),
                    "a/*/b*c".into(),
                    "*".into(),
                ],
                not_actions: vec!["*/x/*/read".into()],
                ..Default::default()
            }],
            ..builtin_roles()[0].clone()
        };
        for r in builtin_roles().iter().chain([&extra]) {
            let c = CompiledRole::new(r);
            for a in actions.iter().chain(DATA_ACTIONS) {
                for kind in [ActionKind::Control, ActionKind::Data] {
                    assert_eq!(
                        c.grants(a, kind),
                        r.grants_kind(a, kind),
                        "{} / {a} / {kind:?}",
                        r.role_name
                    );
                }
            }
        }
    }
}
