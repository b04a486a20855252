//! The store collections the identity plane owns, and how their keys are formed.

/// Keyed by object id.
pub const APPLICATIONS: &str = "applications";
/// Keyed by object id (the principal id role assignments name).
pub const SERVICE_PRINCIPALS: &str = "servicePrincipals";
/// Index `{tenantId}/{appId}` → application object id.
pub const APP_IDS: &str = "applicationAppIds";
/// Index `{tenantId}/{appId}` → service principal object id.
pub const SP_APP_IDS: &str = "servicePrincipalAppIds";
/// Users, keyed by object id.
pub const USERS: &str = "users";
/// Index `{tenantId}/{userPrincipalName}` → user object id.
pub const USER_NAMES: &str = "userPrincipalNames";
/// Groups, keyed by object id, with their direct members.
pub const GROUPS: &str = "groups";
/// Managed-identity hosts, keyed by their endpoint token.
pub const HOSTS: &str = "hosts";

pub fn directory_key(tenant_id: &str, app_id: &str) -> String {
    format!("{}/{}", tenant_id.to_lowercase(), app_id.to_lowercase())
}
