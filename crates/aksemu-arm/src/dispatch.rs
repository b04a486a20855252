//! The ARM request path: parse → authorise → dispatch. Authentication happened
//! before (the caller arrives as a `Principal`).

use std::sync::Arc;

use aksemu_core::{ArmError, Principal};

use crate::cloud::Cloud;
use crate::endpoint::{self, Endpoint, RbacOp, RgOp, VIRTUAL_MACHINE_SCALE_SETS};
use crate::gate::authorize;
use crate::providers::{
    managed_identities, operations, registrations, resource_groups, role_assignments,
    role_definitions, scale_sets, subscriptions, tracked,
};
use crate::request::{ArmRequest, ArmResponse};

pub async fn handle(
    cloud: &Arc<Cloud>,
    principal: &Principal,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let ep = endpoint::parse(req.method, &req.path, req.api_version())?;
    let auth = authorize(cloud, principal, &ep).await?;
    let api_version = req.api_version().unwrap_or_default();
    match &ep {
        Endpoint::ListSubscriptions => subscriptions::list(cloud, &auth).await,
        Endpoint::GetSubscription { .. } => subscriptions::get(cloud, &auth).await,
        Endpoint::ListLocations { sub } => subscriptions::list_locations(&auth, sub),
        Endpoint::ListTenants => subscriptions::list_tenants(cloud, &auth).await,
        Endpoint::ListResourceGroups { sub } => resource_groups::list(cloud, &auth, sub).await,
        Endpoint::ResourceGroup { op, .. } => match op {
            RgOp::Put => resource_groups::put(cloud, &auth, req).await,
            RgOp::Get => resource_groups::get(cloud, &auth, false).await,
            RgOp::Head => resource_groups::get(cloud, &auth, true).await,
            RgOp::Patch => resource_groups::patch(cloud, &auth, req).await,
            RgOp::Delete => resource_groups::delete(cloud, &auth, req).await,
        },
        Endpoint::ListProviders { sub } => registrations::list(cloud, &auth, sub).await,
        Endpoint::GetProvider { sub, namespace } => {
            registrations::get(cloud, &auth, sub, namespace).await
        }
        Endpoint::RegisterProvider {
            sub,
            namespace,
            register,
        } => registrations::set(cloud, &auth, sub, namespace, *register).await,
        Endpoint::OperationStatus {
            id, result: false, ..
        } => operations::status(cloud, &auth, id).await,
        Endpoint::OperationStatus {
            id, result: true, ..
        } => operations::result(cloud, &auth, id, &req.base_url, api_version).await,
        Endpoint::RoleDefinitions { scope, name, op } => match (op, name) {
            (RbacOp::List, _) => role_definitions::list(cloud, &auth, scope, req).await,
            (RbacOp::Get, Some(n)) => role_definitions::get(cloud, &auth, scope, n).await,
            (RbacOp::Put, Some(n)) => role_definitions::put(cloud, &auth, scope, n, req).await,
            (RbacOp::Delete, Some(n)) => role_definitions::delete(cloud, &auth, scope, n).await,
            (_, None) => Err(ArmError::UnsupportedHttpMethod(
                req.method.as_str().to_string(),
            )),
        },
        Endpoint::RoleAssignments { scope, name, op } => match (op, name) {
            (RbacOp::List, _) => role_assignments::list(cloud, &auth, scope, req).await,
            (RbacOp::Get, Some(n)) => role_assignments::get(cloud, &auth, scope, n).await,
            (RbacOp::Put, Some(n)) => role_assignments::put(cloud, &auth, scope, n, req).await,
            (RbacOp::Delete, Some(n)) => role_assignments::delete(cloud, &auth, scope, n).await,
            (_, None) => Err(ArmError::UnsupportedHttpMethod(
                req.method.as_str().to_string(),
            )),
        },
        Endpoint::Resource {
            rtype,
            rg,
            name,
            op,
            sub,
        } if *rtype == &VIRTUAL_MACHINE_SCALE_SETS => match op {
            RgOp::Put => scale_sets::put(cloud, &auth, rtype, sub, rg, name, req).await,
            RgOp::Get => tracked::get(cloud, &auth, rtype, rg, name, false).await,
            RgOp::Head => tracked::get(cloud, &auth, rtype, rg, name, true).await,
            RgOp::Patch => tracked::patch(cloud, &auth, rtype, rg, name, req).await,
            RgOp::Delete => tracked::delete(cloud, &auth, req).await,
        },
        Endpoint::Resource {
            rtype,
            rg,
            name,
            op,
            sub,
        } => match op {
            RgOp::Put => managed_identities::put(cloud, &auth, rtype, sub, rg, name, req).await,
            RgOp::Get => tracked::get(cloud, &auth, rtype, rg, name, false).await,
            RgOp::Head => tracked::get(cloud, &auth, rtype, rg, name, true).await,
            RgOp::Patch => tracked::patch(cloud, &auth, rtype, rg, name, req).await,
            RgOp::Delete => tracked::delete(cloud, &auth, req).await,
        },
        // Listing is the same for every tracked type: by type under a prefix.
        Endpoint::ListResources { rtype, sub, rg } => {
            tracked::list_of_type(cloud, rtype, sub, rg.as_deref()).await
        }
    }
}
