//! Azure's built-in roles, with their real GUIDs and permissions.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::role::{Permission, RoleDefinition};

pub const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
pub const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
pub const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

/// A role as Azure publishes it (`az role definition list`); the table is
/// `builtin_roles.json`, the roles of shared/reference/aks-msi-rbac.md §4.4
/// with their real GUIDs and permissions.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Published {
    name: String,
    role_name: String,
    description: String,
    permissions: Vec<Permission>,
    assignable_scopes: Vec<String>,
}

pub fn builtin_roles() -> &'static [RoleDefinition] {
    static ROLES: OnceLock<Vec<RoleDefinition>> = OnceLock::new();
    ROLES.get_or_init(|| {
        // Compiled in and checked by the tests below: it cannot fail at run time.
        let published: Vec<Published> =
            serde_json::from_str(include_str!("builtin_roles.json")).unwrap_or_default();
        published
            .into_iter()
            .map(|p| RoleDefinition {
                name: p.name,
                role_name: p.role_name,
                description: p.description,
                built_in: true,
                permissions: p.permissions,
                assignable_scopes: p.assignable_scopes,
            })
            .collect()
    })
}

pub fn builtin_role(guid: &str) -> Option<&'static RoleDefinition> {
    builtin_roles()
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(guid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_with_the_named_roles() {
        let roles = builtin_roles();
        assert_eq!(roles.len(), 22);
        for guid in [OWNER, CONTRIBUTOR, READER] {
            assert!(builtin_role(guid).is_some(), "{guid}");
        }
        assert!(
            roles
                .iter()
                .all(|r| uuid_like(&r.name) && r.assignable_scopes == ["/"])
        );
    }

    fn uuid_like(s: &str) -> bool {
        s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
    }
}
