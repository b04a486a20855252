//! Azure RBAC for Kubernetes authorization, as AKS's authorization webhook
//! (guard) does it: a request becomes a data action
//! `Microsoft.ContainerService/managedClusters[/<group>]/<resource>/<verb>`
//! at the cluster (`<cluster id>`) or its namespace
//! (`<cluster id>/namespaces/<ns>`), decided from Azure role assignments.
//! `system:` users (service accounts, nodes, controllers) and callers without
//! an Entra object id get no opinion, so Kubernetes RBAC decides for them.

use crate::KubeApi;
use crate::rbac::{Attributes, UserInfo};

/// The webhook's reasons, as AKS words them.
pub const ALLOWED: &str = "Access allowed by Azure RBAC";
pub const DENIED: &str =
    "User does not have access to the resource in Azure. Update role assignment to allow access.";

const PREFIX: &str = "Microsoft.ContainerService/managedClusters";

/// Subresources with an action of their own (`pods/exec/action`).
const ACTION_SUBRESOURCES: &[&str] = &["exec", "attach", "portforward", "proxy"];

fn verb_action(verb: &str) -> String {
    match verb {
        "get" | "list" | "watch" => "read".into(),
        "create" | "update" | "patch" => "write".into(),
        "delete" | "deletecollection" => "delete".into(),
        "*" => "*".into(),
        other => format!("{other}/action"),
    }
}

/// The data action a request needs.
pub fn data_action(attrs: &Attributes) -> String {
    if let Some(path) = &attrs.path {
        return format!(
            "{PREFIX}{}/{}",
            path.trim_end_matches('/'),
            verb_action(&attrs.verb)
        );
    }
    let group = if attrs.api_group.is_empty() {
        String::new()
    } else {
        format!("/{}", attrs.api_group)
    };
    if ACTION_SUBRESOURCES.contains(&attrs.subresource.as_str()) {
        return format!(
            "{PREFIX}{group}/{}/{}/action",
            attrs.resource, attrs.subresource
        );
    }
    format!(
        "{PREFIX}{group}/{}/{}",
        attrs.resource,
        verb_action(&attrs.verb)
    )
}

/// The scope the data action is checked at.
pub fn scope(cluster_id: &str, attrs: &Attributes) -> String {
    if attrs.namespace.is_empty() {
        cluster_id.to_string()
    } else {
        format!("{cluster_id}/namespaces/{}", attrs.namespace)
    }
}

/// `Some(allowed)` when Azure RBAC has an opinion on this request (an Entra
/// caller on an Azure RBAC cluster), `None` otherwise.
pub async fn opinion(
    api: &KubeApi,
    uid: &str,
    user: &UserInfo,
    attrs: &Attributes,
) -> Option<bool> {
    if user.uid.is_empty() || user.username.starts_with("system:") {
        return None;
    }
    let cluster = api.clusters.cluster(uid).await.ok().flatten()?;
    if !cluster.entra.as_ref().is_some_and(|e| e.azure_rbac) {
        return None;
    }
    let rbac = api.azure_rbac.get()?;
    let groups: Vec<String> = user
        .groups
        .iter()
        .filter(|g| uuid::Uuid::parse_str(g).is_ok())
        .cloned()
        .collect();
    let action = data_action(attrs);
    let scope = scope(&cluster.resource_id, attrs);
    Some(rbac.allows(&user.uid, &groups, &action, &scope).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(verb: &str, group: &str, resource: &str, sub: &str, ns: &str) -> Attributes {
        Attributes {
            verb: verb.into(),
            api_group: group.into(),
            resource: resource.into(),
            subresource: sub.into(),
            namespace: ns.into(),
            name: String::new(),
            path: None,
        }
    }

    #[test]
    fn requests_map_to_aks_data_actions() {
        let a = attrs("list", "", "pods", "", "default");
        assert_eq!(
            data_action(&a),
            "Microsoft.ContainerService/managedClusters/pods/read"
        );
        assert_eq!(scope("/c", &a), "/c/namespaces/default");
        let d = attrs("patch", "apps", "deployments", "", "dev");
        assert_eq!(
            data_action(&d),
            "Microsoft.ContainerService/managedClusters/apps/deployments/write"
        );
        let e = attrs("create", "", "pods", "exec", "dev");
        assert_eq!(
            data_action(&e),
            "Microsoft.ContainerService/managedClusters/pods/exec/action"
        );
        let n = attrs("get", "", "nodes", "", "");
        assert_eq!(scope("/c", &n), "/c");
        let b = attrs("bind", "rbac.authorization.k8s.io", "clusterroles", "", "");
        assert_eq!(
            data_action(&b),
            "Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterroles/bind/action"
        );
        let mut m = attrs("get", "", "", "", "");
        m.path = Some("/metrics".into());
        assert_eq!(
            data_action(&m),
            "Microsoft.ContainerService/managedClusters/metrics/read"
        );
    }
}
