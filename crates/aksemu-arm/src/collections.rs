//! Names of the store's collections and how their keys are formed. Keys are
//! always normalised (`ResourceId::key`, lower-cased GUIDs). The directory's and
//! the managed-identity hosts' collections are aksemu-entra's.

/// ARM resources, resource groups included, keyed by normalised resource id.
pub const RESOURCES: &str = "resources";
pub const SUBSCRIPTIONS: &str = "subscriptions";
pub const TENANTS: &str = "tenants";
/// Keyed by normalised assignment id, so assignments at a scope are one range scan.
pub const ROLE_ASSIGNMENTS: &str = "roleAssignments";
/// The same assignments keyed `{principalId}|{normalised assignment id}`, so a
/// principal's assignments are one range scan.
pub const ASSIGNMENTS_BY_PRINCIPAL: &str = "roleAssignmentsByPrincipal";
/// Uniqueness of (scope, role, principal): keyed `{scope key}|{role guid}|{principal}`.
pub const ASSIGNMENT_TRIPLES: &str = "roleAssignmentTriples";
/// Custom role definitions, keyed by GUID.
pub const ROLE_DEFINITIONS: &str = "roleDefinitions";
/// Uniqueness of custom role names in the tenant: keyed by the lower-cased
/// name, written with the role in one batch, so two creates cannot both win.
pub const ROLE_DEFINITION_NAMES: &str = "roleDefinitionNames";
/// Resource-provider registration state, keyed by normalised
/// `/subscriptions/{s}/providers/{namespace}`.
pub const REGISTRATIONS: &str = "registrations";
/// Long-running operations, keyed by operation id.
pub const OPERATIONS: &str = "operations";
/// What a cluster keeps out of its ARM document, keyed like the cluster: the
/// service principal's secret and the seed of its kubeconfig credentials.
pub const CLUSTER_SECRETS: &str = "clusterSecrets";
/// Singletons (the bootstrap record).
pub const META: &str = "meta";

pub fn assignment_key(principal_id: &str, assignment_key: &str) -> String {
    format!("{}|{}", principal_id.to_lowercase(), assignment_key)
}
