//! Kubernetes RBAC authorizer (k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac) and the
//! bootstrap ClusterRoles/ClusterRoleBindings kube-apiserver creates, over stored JSON objects.
//!
//! Layout (no cycles): `types` holds the plain data types, `evaluate` the authorizer, the
//! 403 message and the rules review, `defaults` the bootstrap policy (`bootstrap.json`).

mod defaults;
mod evaluate;
mod types;

#[cfg(test)]
mod tests;

pub use defaults::{default_cluster_role_bindings, default_cluster_roles, read_only_cluster_role};
pub use evaluate::{authorize, forbidden_message, rules_for};
pub use types::{Attributes, Decision, Policy, UserInfo};
