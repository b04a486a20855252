//! Users and groups: the directory's people and their memberships. Serialised
//! as stored (a user's password only as a digest); Graph's shape is rendered
//! elsewhere.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Object id: the principal id role assignments and group memberships name.
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub mail_nickname: String,
    pub tenant_id: String,
    pub account_enabled: bool,
    /// `sha256:…` of the password (`crate::secret::hash`).
    pub password_hash: String,
    pub created_date_time: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    pub display_name: String,
    pub mail_nickname: String,
    #[serde(default)]
    pub description: Option<String>,
    pub tenant_id: String,
    pub security_enabled: bool,
    pub mail_enabled: bool,
    pub created_date_time: String,
    /// Direct members' object ids (users, groups, service principals).
    #[serde(default)]
    pub members: Vec<String>,
}

/// The groups `object_id` belongs to, directly or through other groups
/// (transitive membership, as Entra computes `groups` claims and
/// `getMemberGroups`), in a stable order.
pub fn member_groups<'a>(object_id: &str, groups: &'a [Group]) -> Vec<&'a Group> {
    let mut found: Vec<&Group> = Vec::new();
    let mut frontier = vec![object_id.to_ascii_lowercase()];
    while let Some(id) = frontier.pop() {
        for g in groups {
            let member = g.members.iter().any(|m| m.eq_ignore_ascii_case(&id));
            if member && !found.iter().any(|f| f.id == g.id) {
                found.push(g);
                frontier.push(g.id.to_ascii_lowercase());
            }
        }
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: &str, members: &[&str]) -> Group {
        Group {
            id: id.into(),
            display_name: id.into(),
            mail_nickname: id.into(),
            description: None,
            tenant_id: "t".into(),
            security_enabled: true,
            mail_enabled: false,
            created_date_time: String::new(),
            members: members.iter().map(|m| m.to_string()).collect(),
        }
    }

    #[test]
    fn membership_is_transitive_and_cycles_end() {
        let groups = [
            group("a", &["u"]),
            group("b", &["A"]),
            group("c", &["b", "c"]),
            group("d", &["x"]),
        ];
        let ids: Vec<&str> = member_groups("U", &groups)
            .iter()
            .map(|g| g.id.as_str())
            .collect();
        assert_eq!(ids, ["a", "b", "c"]);
    }
}
