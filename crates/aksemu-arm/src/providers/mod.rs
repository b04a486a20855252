//! Resource providers. Each function takes `&Authorized`: it cannot be called
//! without passing the gate.

pub mod all_resources;
pub mod cascade;
pub mod compute;
pub mod federated_credentials;
pub mod generic;
pub mod group_doc;
pub mod identity_block;
pub mod insights;
pub mod load_balancers;
pub mod managed_identities;
pub mod network;
pub mod operations;
pub mod public_ips;
pub mod put_target;
pub mod registrations;
pub mod registries;
pub mod registry_auth;
pub mod registry_import;
pub mod resource_groups;
pub mod role_assignments;
pub mod role_definitions;
pub mod subscriptions;
pub mod tracked;

use std::sync::Arc;

use aksemu_core::ArmError;
use serde_json::Value;

use crate::cloud::Registry;

/// A registry with ARM's own namespaces, providers and job kinds.
pub fn builtin_registry() -> Registry {
    let mut r = Registry::default();
    register_builtin(&mut r);
    r
}

/// ARM's own namespaces and providers, and its job kinds.
pub fn register_builtin(r: &mut Registry) {
    r.namespace(&crate::endpoint::AUTHORIZATION)
        .provider(Arc::new(managed_identities::ManagedIdentities))
        .provider(Arc::new(network::Network))
        .provider(Arc::new(compute::Compute))
        .provider(Arc::new(registries::Registries))
        .provider(Arc::new(insights::Workspaces))
        .provider(Arc::new(insights::Insights))
        .job(Arc::new(resource_groups::DeleteGroup));
}

/// `LinkedAuthorizationFailed`: the caller `auth` may do its action but not
/// `linked_action` on `linked_scope`, a resource its request uses.
pub fn linked_denied(
    auth: &aksemu_authz::Authorized,
    linked_action: &str,
    linked_scope: &str,
) -> aksemu_core::ArmError {
    aksemu_core::ArmError::LinkedAuthorizationFailed(Box::new(aksemu_core::error::LinkedDenial {
        client_id: auth.principal().app_id.clone(),
        object_id: auth.principal().object_id.clone(),
        action: auth.action().to_string(),
        scope: auth.scope().as_str().to_string(),
        linked_action: linked_action.to_string(),
        linked_scope: linked_scope.to_string(),
    }))
}

/// Parses a JSON request body into an object.
pub fn json_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, ArmError> {
    if body.is_empty() {
        return Err(ArmError::InvalidRequestContent(
            "The request body is empty.".to_string(),
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ArmError::InvalidRequestContent(
            "The request body must be a JSON object.".to_string(),
        )),
        Err(e) => Err(ArmError::InvalidRequestContent(e.to_string())),
    }
}

/// `tags` must be an object of strings (or null).
pub fn tags(v: Option<&Value>) -> Result<Option<Value>, ArmError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) if m.values().all(Value::is_string) => {
            Ok(Some(Value::Object(m.clone())))
        }
        Some(_) => Err(ArmError::InvalidRequestContent(
            "The 'tags' property must be an object whose values are strings.".to_string(),
        )),
    }
}
