//! The ARM request path: parse → authorise → dispatch. Authentication happened
//! before (the caller arrives as a `Principal`).

use std::sync::Arc;

use aksemu_core::{ArmError, Principal};

use crate::cloud::Cloud;
use crate::endpoint::{
    self, AGENT_POOLS, CONTAINER_REGISTRIES, Endpoint, MANAGED_CLUSTERS, RESET_SERVICE_PRINCIPAL,
    RbacOp, RgOp, UPGRADE_PROFILES, USER_ASSIGNED_IDENTITIES, VIRTUAL_NETWORKS,
};
use crate::gate::authorize;
use crate::providers::{
    aks, all_resources, generic, managed_identities, network, operations, registrations,
    registries, resource_groups, role_assignments, role_definitions, subscriptions, tracked,
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
            sub,
            rg,
            name,
            op,
        } if *rtype == &MANAGED_CLUSTERS => match op {
            RgOp::Put => aks::cluster::put(cloud, &auth, sub, rg, name, req).await,
            RgOp::Get | RgOp::Head => {
                tracked::get(cloud, &auth, rtype, rg, name, *op == RgOp::Head).await
            }
            RgOp::Patch => aks::cluster::patch(cloud, &auth, req).await,
            RgOp::Delete => aks::cluster::delete(cloud, &auth, req).await,
        },
        Endpoint::Resource {
            rtype,
            rg,
            name,
            op,
            sub,
        } => match op {
            RgOp::Put if *rtype == &USER_ASSIGNED_IDENTITIES => {
                managed_identities::put(cloud, &auth, rtype, sub, rg, name, req).await
            }
            RgOp::Put => {
                let shape: generic::Shape = if *rtype == &VIRTUAL_NETWORKS {
                    network::shape_vnet
                } else if *rtype == &CONTAINER_REGISTRIES {
                    registries::shape
                } else {
                    generic::keep
                };
                generic::put(cloud, &auth, rtype, sub, rg, name, req, shape).await
            }
            RgOp::Get => tracked::get(cloud, &auth, rtype, rg, name, false).await,
            RgOp::Head => tracked::get(cloud, &auth, rtype, rg, name, true).await,
            RgOp::Patch => tracked::patch(cloud, &auth, rtype, rg, name, req).await,
            RgOp::Delete => tracked::delete(cloud, &auth, req).await,
        },
        Endpoint::ChildResource {
            child,
            rg,
            name,
            child_name,
            op,
            ..
        } if *child == &AGENT_POOLS => match op {
            RgOp::Get | RgOp::Head => aks::pools::get(cloud, &auth, rg, name, child_name).await,
            RgOp::Put | RgOp::Patch => aks::pools::put(cloud, &auth, child_name, req).await,
            RgOp::Delete => aks::pools::delete(cloud, &auth, child_name, req).await,
        },
        Endpoint::ChildResource {
            child,
            rg,
            name,
            child_name,
            op,
            ..
        } if *child == &UPGRADE_PROFILES => match op {
            RgOp::Get | RgOp::Head => {
                aks::pools::upgrade_profile(cloud, &auth, rg, name, child_name).await
            }
            _ => Err(ArmError::UnsupportedHttpMethod(
                req.method.as_str().to_string(),
            )),
        },
        Endpoint::ChildResource {
            rg,
            name,
            child_name,
            op,
            ..
        } => match op {
            RgOp::Get | RgOp::Head => network::get_subnet(cloud, &auth, rg, name, child_name).await,
            RgOp::Put | RgOp::Patch => {
                network::write_subnet(cloud, &auth, rg, name, child_name, req, false).await
            }
            RgOp::Delete => {
                network::write_subnet(cloud, &auth, rg, name, child_name, req, true).await
            }
        },
        Endpoint::ListChildren {
            child, rg, name, ..
        } => {
            if *child == &AGENT_POOLS {
                aks::pools::list(cloud, &auth).await
            } else if *child == &UPGRADE_PROFILES {
                Err(ArmError::UnsupportedHttpMethod("GET".into()))
            } else {
                network::list_subnets(cloud, &auth, rg, name).await
            }
        }
        Endpoint::Action { action, .. } => {
            if *action == &RESET_SERVICE_PRINCIPAL {
                aks::cluster::reset_service_principal(cloud, &auth, req).await
            } else {
                aks::credentials::list(cloud, &auth, action, req).await
            }
        }
        Endpoint::KubernetesVersions { location, .. } => {
            if crate::catalog::normalise_location(location).is_none() {
                return Err(ArmError::LocationNotAvailableForResourceType(
                    location.clone(),
                    "Microsoft.ContainerService/locations/kubernetesVersions".into(),
                    crate::catalog::location_list(),
                ));
            }
            Ok(ArmResponse::json(200, aks::versions::list()))
        }
        Endpoint::ListAllResources { sub, rg } => {
            all_resources::list(cloud, &auth, sub, rg.as_deref(), req).await
        }
        Endpoint::RegistryNameAvailability { .. } => {
            registries::check_name(cloud, &auth, req).await
        }
        // Listing is the same for every tracked type: by type under a prefix.
        Endpoint::ListResources { rtype, sub, rg } => {
            tracked::list_of_type(cloud, rtype, sub, rg.as_deref()).await
        }
    }
}
