//! Plain data handed to and returned by the authorizer.

use serde_json::Value;

/// The authenticated identity of a request (k8s.io/apiserver user.Info).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub username: String,
    pub uid: String,
    pub groups: Vec<String>,
}

/// The request being authorized (k8s.io/apiserver authorizer.Attributes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// get list watch create update patch delete deletecollection (or impersonate, bind, ...);
    /// for non-resource requests the lower-cased HTTP method mapped to get/post/put/...
    pub verb: String,
    pub api_group: String,
    pub resource: String,
    pub subresource: String,
    /// "" for cluster-scoped requests or requests across all namespaces.
    pub namespace: String,
    pub name: String,
    /// `Some(path)` marks a non-resource request (e.g. "/healthz", "/api").
    pub path: Option<String>,
}

/// What the authorizer reads from the store, already listed: rbac.authorization.k8s.io/v1
/// Role, ClusterRole, RoleBinding and ClusterRoleBinding objects exactly as stored.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    pub roles: &'a [Value],
    pub cluster_roles: &'a [Value],
    pub role_bindings: &'a [Value],
    pub cluster_role_bindings: &'a [Value],
}

/// An authorization outcome; `reason` is what a SubjectAccessReview reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: String,
}
