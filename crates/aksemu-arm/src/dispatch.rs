//! The ARM request path: parse → authorise → dispatch. Authentication happened
//! before (the caller arrives as a `Principal`). ARM's own endpoints are
//! answered here; everything in a provider namespace goes to the provider that
//! registered it.

use std::sync::Arc;

use aksemu_authz::Authorized;
use aksemu_core::{ArmError, Principal};

use crate::cloud::Cloud;
use crate::endpoint::{self, Endpoint, RbacOp, RgOp};
use crate::gate::authorize;
use crate::providers::{
    all_resources, operations, registrations, resource_groups, role_assignments, role_definitions,
    subscriptions,
};
use aksemu_core::request::{ArmRequest, ArmResponse, Method};

pub async fn handle(
    cloud: &Arc<Cloud>,
    principal: &Principal,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let ep = endpoint::parse(
        cloud.registry().catalogue(),
        req.method,
        &req.path,
        req.api_version(),
    )?;
    let auth = authorize(cloud, principal, &ep).await?;
    // A PUT or PATCH without preconditions is last-writer-wins, as on Azure:
    // one that lost a race with another write (our own etag guard failed) is
    // planned again on what is stored now. Every write is one batch applied
    // after planning, so a lost attempt left nothing behind.
    let unconditional = req.if_match.is_none()
        && req.if_none_match.is_none()
        && matches!(req.method, Method::Put | Method::Patch);
    let mut attempt = 0;
    loop {
        match dispatch(cloud, &auth, &ep, req).await {
            Err(ArmError::ConcurrentUpdate | ArmError::PreconditionFailed)
                if unconditional && attempt < RETRIES =>
            {
                attempt += 1;
                // Spread the contenders out: each round one of them wins.
                let jitter = uuid::Uuid::new_v4().as_bytes()[0] as u64 % (attempt as u64 + 1);
                tokio::time::sleep(std::time::Duration::from_millis(jitter)).await;
            }
            answer => return answer,
        }
    }
}

/// Attempts of an unconditional write that keeps losing races (enough for a
/// few dozen clients writing one resource at once).
const RETRIES: usize = 40;

async fn dispatch(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    ep: &Endpoint,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    if let Some(ns) = ep.provider_namespace() {
        let provider = cloud
            .registry()
            .provider_of(ns)
            .cloned()
            .ok_or(ArmError::InternalServerError)?;
        return provider.handle(cloud, auth, ep, req).await;
    }
    resources(cloud, auth, ep, req).await
}

fn not_allowed(req: &ArmRequest) -> ArmError {
    ArmError::UnsupportedHttpMethod(req.method.as_str().to_string())
}

/// Microsoft.Resources: subscriptions, groups, providers, operations, listings.
async fn resources(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    ep: &Endpoint,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let api_version = req.api_version().unwrap_or_default();
    match ep {
        Endpoint::ListSubscriptions => subscriptions::list(cloud, auth).await,
        Endpoint::GetSubscription { .. } => subscriptions::get(cloud, auth).await,
        Endpoint::ListLocations { sub } => subscriptions::list_locations(auth, sub),
        Endpoint::ListTenants => subscriptions::list_tenants(cloud, auth).await,
        Endpoint::ListResourceGroups { sub } => resource_groups::list(cloud, auth, sub, req).await,
        Endpoint::ResourceGroup { op, .. } => match op {
            RgOp::Put => resource_groups::put(cloud, auth, req).await,
            RgOp::Get => resource_groups::get(cloud, auth, false).await,
            RgOp::Head => resource_groups::get(cloud, auth, true).await,
            RgOp::Patch => resource_groups::patch(cloud, auth, req).await,
            RgOp::Delete => resource_groups::delete(cloud, auth, req).await,
        },
        Endpoint::ListProviders { sub } => registrations::list(cloud, auth, sub).await,
        Endpoint::GetProvider { sub, namespace } => {
            registrations::get(cloud, auth, sub, namespace).await
        }
        Endpoint::RegisterProvider {
            sub,
            namespace,
            register,
        } => registrations::set(cloud, auth, sub, namespace, *register).await,
        Endpoint::OperationStatus {
            id, result: false, ..
        } => operations::status(cloud, auth, id).await,
        Endpoint::OperationStatus {
            id, result: true, ..
        } => operations::result(cloud, auth, id, &req.base_url, api_version).await,
        Endpoint::ListAllResources { sub, rg } => {
            all_resources::list(cloud, auth, sub, rg.as_deref(), req).await
        }
        _ => authorization(cloud, auth, ep, req).await,
    }
}

/// Microsoft.Authorization: role definitions and assignments.
async fn authorization(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    ep: &Endpoint,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    match ep {
        Endpoint::RoleDefinitions { scope, name, op } => match (op, name) {
            (RbacOp::List, _) => role_definitions::list(cloud, auth, scope, req).await,
            (RbacOp::Get, Some(n)) => role_definitions::get(cloud, auth, scope, n).await,
            (RbacOp::Put, Some(n)) => role_definitions::put(cloud, auth, scope, n, req).await,
            (RbacOp::Delete, Some(n)) => role_definitions::delete(cloud, auth, scope, n).await,
            (_, None) => Err(not_allowed(req)),
        },
        Endpoint::RoleAssignments { scope, name, op } => match (op, name) {
            (RbacOp::List, _) => role_assignments::list(cloud, auth, scope, req).await,
            (RbacOp::Get, Some(n)) => role_assignments::get(cloud, auth, scope, n).await,
            (RbacOp::Put, Some(n)) => role_assignments::put(cloud, auth, scope, n, req).await,
            (RbacOp::Delete, Some(n)) => role_assignments::delete(cloud, auth, scope, n).await,
            (_, None) => Err(not_allowed(req)),
        },
        // Provider namespaces were dispatched before.
        _ => Err(ArmError::InternalServerError),
    }
}
