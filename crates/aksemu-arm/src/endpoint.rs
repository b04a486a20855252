//! Path + method → `Endpoint`. ARM paths are matched case-insensitively; names
//! keep the casing the client sent. Every endpoint declares the action it needs
//! and the scope it acts on, so authorisation happens once, before dispatch.

use aksemu_core::{ApiVersion, ArmError, ResourceId};

use crate::catalog;
use crate::request::Method;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RgOp {
    Put,
    Get,
    Head,
    Patch,
    Delete,
}

/// A resource type a provider serves, with the actions that guard it.
#[derive(Debug, PartialEq, Eq)]
pub struct ResourceType {
    pub namespace: &'static str,
    pub type_name: &'static str,
    pub read: &'static str,
    pub write: &'static str,
    pub delete: &'static str,
    /// Whether resources of the type take an `identity` block.
    pub accepts_identity: bool,
}

pub const USER_ASSIGNED_IDENTITIES: ResourceType = ResourceType {
    namespace: "Microsoft.ManagedIdentity",
    type_name: "userAssignedIdentities",
    read: "Microsoft.ManagedIdentity/userAssignedIdentities/read",
    write: "Microsoft.ManagedIdentity/userAssignedIdentities/write",
    delete: "Microsoft.ManagedIdentity/userAssignedIdentities/delete",
    accepts_identity: false,
};

pub const VIRTUAL_MACHINE_SCALE_SETS: ResourceType = ResourceType {
    namespace: "Microsoft.Compute",
    type_name: "virtualMachineScaleSets",
    read: "Microsoft.Compute/virtualMachineScaleSets/read",
    write: "Microsoft.Compute/virtualMachineScaleSets/write",
    delete: "Microsoft.Compute/virtualMachineScaleSets/delete",
    accepts_identity: true,
};

pub const MANAGED_CLUSTERS: ResourceType = ResourceType {
    namespace: "Microsoft.ContainerService",
    type_name: "managedClusters",
    read: "Microsoft.ContainerService/managedClusters/read",
    write: "Microsoft.ContainerService/managedClusters/write",
    delete: "Microsoft.ContainerService/managedClusters/delete",
    accepts_identity: true,
};

pub const VIRTUAL_NETWORKS: ResourceType = ResourceType {
    namespace: "Microsoft.Network",
    type_name: "virtualNetworks",
    read: "Microsoft.Network/virtualNetworks/read",
    write: "Microsoft.Network/virtualNetworks/write",
    delete: "Microsoft.Network/virtualNetworks/delete",
    accepts_identity: false,
};

pub const LOAD_BALANCERS: ResourceType = ResourceType {
    namespace: "Microsoft.Network",
    type_name: "loadBalancers",
    read: "Microsoft.Network/loadBalancers/read",
    write: "Microsoft.Network/loadBalancers/write",
    delete: "Microsoft.Network/loadBalancers/delete",
    accepts_identity: false,
};

pub const PUBLIC_IP_ADDRESSES: ResourceType = ResourceType {
    namespace: "Microsoft.Network",
    type_name: "publicIPAddresses",
    read: "Microsoft.Network/publicIPAddresses/read",
    write: "Microsoft.Network/publicIPAddresses/write",
    delete: "Microsoft.Network/publicIPAddresses/delete",
    accepts_identity: false,
};

pub const NETWORK_SECURITY_GROUPS: ResourceType = ResourceType {
    namespace: "Microsoft.Network",
    type_name: "networkSecurityGroups",
    read: "Microsoft.Network/networkSecurityGroups/read",
    write: "Microsoft.Network/networkSecurityGroups/write",
    delete: "Microsoft.Network/networkSecurityGroups/delete",
    accepts_identity: false,
};

pub const CONTAINER_REGISTRIES: ResourceType = ResourceType {
    namespace: "Microsoft.ContainerRegistry",
    type_name: "registries",
    read: "Microsoft.ContainerRegistry/registries/read",
    write: "Microsoft.ContainerRegistry/registries/write",
    delete: "Microsoft.ContainerRegistry/registries/delete",
    accepts_identity: true,
};

/// Tracked resource types, by namespace and type (matched case-insensitively).
pub const RESOURCE_TYPES: &[&ResourceType] = &[
    &USER_ASSIGNED_IDENTITIES,
    &VIRTUAL_MACHINE_SCALE_SETS,
    &MANAGED_CLUSTERS,
    &VIRTUAL_NETWORKS,
    &LOAD_BALANCERS,
    &PUBLIC_IP_ADDRESSES,
    &NETWORK_SECURITY_GROUPS,
    &CONTAINER_REGISTRIES,
];

/// A child resource type (`{parent}/{name}/{child type}/{child name}`), stored
/// inside its parent's document.
#[derive(Debug, PartialEq, Eq)]
pub struct ChildType {
    pub parent: &'static ResourceType,
    pub type_name: &'static str,
    pub read: &'static str,
    pub write: &'static str,
    pub delete: &'static str,
}

pub const AGENT_POOLS: ChildType = ChildType {
    parent: &MANAGED_CLUSTERS,
    type_name: "agentPools",
    read: "Microsoft.ContainerService/managedClusters/agentPools/read",
    write: "Microsoft.ContainerService/managedClusters/agentPools/write",
    delete: "Microsoft.ContainerService/managedClusters/agentPools/delete",
};

pub const SUBNETS: ChildType = ChildType {
    parent: &VIRTUAL_NETWORKS,
    type_name: "subnets",
    read: "Microsoft.Network/virtualNetworks/subnets/read",
    write: "Microsoft.Network/virtualNetworks/subnets/write",
    delete: "Microsoft.Network/virtualNetworks/subnets/delete",
};

pub const UPGRADE_PROFILES: ChildType = ChildType {
    parent: &MANAGED_CLUSTERS,
    type_name: "upgradeProfiles",
    read: "Microsoft.ContainerService/managedClusters/upgradeProfiles/read",
    write: "Microsoft.ContainerService/managedClusters/upgradeProfiles/write",
    delete: "Microsoft.ContainerService/managedClusters/upgradeProfiles/delete",
};

pub const CHILD_TYPES: &[&ChildType] = &[&AGENT_POOLS, &SUBNETS, &UPGRADE_PROFILES];

fn child_type(parent: &ResourceType, type_name: &str) -> Option<&'static ChildType> {
    CHILD_TYPES
        .iter()
        .copied()
        .find(|c| c.parent == parent && c.type_name.eq_ignore_ascii_case(type_name))
}

/// A POST action on a resource (`{resource}/{action}`).
#[derive(Debug, PartialEq, Eq)]
pub struct ResourceAction {
    pub rtype: &'static ResourceType,
    pub name: &'static str,
    pub action: &'static str,
}

pub const LIST_USER_CREDENTIAL: ResourceAction = ResourceAction {
    rtype: &MANAGED_CLUSTERS,
    name: "listClusterUserCredential",
    action: "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
};
pub const LIST_ADMIN_CREDENTIAL: ResourceAction = ResourceAction {
    rtype: &MANAGED_CLUSTERS,
    name: "listClusterAdminCredential",
    action: "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
};
pub const LIST_MONITORING_CREDENTIAL: ResourceAction = ResourceAction {
    rtype: &MANAGED_CLUSTERS,
    name: "listClusterMonitoringUserCredential",
    action: "Microsoft.ContainerService/managedClusters/listClusterMonitoringUserCredential/action",
};
pub const RESET_SERVICE_PRINCIPAL: ResourceAction = ResourceAction {
    rtype: &MANAGED_CLUSTERS,
    name: "resetServicePrincipalProfile",
    action: "Microsoft.ContainerService/managedClusters/resetServicePrincipalProfile/action",
};

pub const RESOURCE_ACTIONS: &[&ResourceAction] = &[
    &LIST_USER_CREDENTIAL,
    &LIST_ADMIN_CREDENTIAL,
    &LIST_MONITORING_CREDENTIAL,
    &RESET_SERVICE_PRINCIPAL,
];

fn resource_action(rtype: &ResourceType, name: &str) -> Option<&'static ResourceAction> {
    RESOURCE_ACTIONS
        .iter()
        .copied()
        .find(|a| a.rtype == rtype && a.name.eq_ignore_ascii_case(name))
}

pub const KUBERNETES_VERSIONS_READ: &str =
    "Microsoft.ContainerService/locations/kubernetesVersions/read";
pub const GROUP_RESOURCES_READ: &str =
    "Microsoft.Resources/subscriptions/resourceGroups/resources/read";
pub const SUBSCRIPTION_RESOURCES_READ: &str = "Microsoft.Resources/subscriptions/resources/read";
pub const REGISTRY_NAME_CHECK: &str = "Microsoft.ContainerRegistry/checkNameAvailability/read";

fn resource_type(ns: &str, type_name: &str) -> Option<&'static ResourceType> {
    RESOURCE_TYPES.iter().copied().find(|t| {
        t.namespace.eq_ignore_ascii_case(ns) && t.type_name.eq_ignore_ascii_case(type_name)
    })
}

/// Operations on role definitions and assignments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RbacOp {
    List,
    Get,
    Put,
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    ListSubscriptions,
    GetSubscription {
        sub: String,
    },
    ListLocations {
        sub: String,
    },
    ListTenants,
    ListResourceGroups {
        sub: String,
    },
    ResourceGroup {
        sub: String,
        name: String,
        op: RgOp,
    },
    ListProviders {
        sub: String,
    },
    GetProvider {
        sub: String,
        namespace: String,
    },
    RegisterProvider {
        sub: String,
        namespace: String,
        register: bool,
    },
    OperationStatus {
        sub: String,
        namespace: String,
        id: String,
        result: bool,
    },
    /// `{scope}/providers/Microsoft.Authorization/roleDefinitions[/{guid}]`
    RoleDefinitions {
        scope: ResourceId,
        name: Option<String>,
        op: RbacOp,
    },
    /// `{scope}/providers/Microsoft.Authorization/roleAssignments[/{guid}]`
    RoleAssignments {
        scope: ResourceId,
        name: Option<String>,
        op: RbacOp,
    },
    /// A tracked resource in a group: `…/resourceGroups/{rg}/providers/{ns}/{type}/{name}`.
    Resource {
        rtype: &'static ResourceType,
        sub: String,
        rg: String,
        name: String,
        op: RgOp,
    },
    /// Resources of one type in a group, or (no group) in the subscription.
    ListResources {
        rtype: &'static ResourceType,
        sub: String,
        rg: Option<String>,
    },
    /// `{resource}/{child type}/{child name}`.
    ChildResource {
        child: &'static ChildType,
        sub: String,
        rg: String,
        name: String,
        child_name: String,
        op: RgOp,
    },
    /// `{resource}/{child type}`.
    ListChildren {
        child: &'static ChildType,
        sub: String,
        rg: String,
        name: String,
    },
    /// `POST {resource}/{action}`.
    Action {
        action: &'static ResourceAction,
        sub: String,
        rg: String,
        name: String,
    },
    /// `GET /subscriptions/{s}/providers/Microsoft.ContainerService/locations/{l}/kubernetesVersions`.
    KubernetesVersions {
        sub: String,
        location: String,
    },
    /// Every resource in a group or a subscription (`…/resources`).
    ListAllResources {
        sub: String,
        rg: Option<String>,
    },
    /// `POST /subscriptions/{s}/providers/Microsoft.ContainerRegistry/checkNameAvailability`.
    RegistryNameAvailability {
        sub: String,
    },
}

/// What an endpoint needs from the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Any authenticated principal of the tenant; results are filtered per item.
    TenantMember(&'static str),
    /// `action` at `scope`.
    Scope {
        action: &'static str,
        scope: ResourceId,
    },
    /// Resolved by looking at the stored operation's target.
    OperationTarget,
}

pub const SUBSCRIPTION_READ: &str = "Microsoft.Resources/subscriptions/read";
pub const RG_READ: &str = "Microsoft.Resources/subscriptions/resourceGroups/read";
pub const RG_WRITE: &str = "Microsoft.Resources/subscriptions/resourceGroups/write";
pub const RG_DELETE: &str = "Microsoft.Resources/subscriptions/resourceGroups/delete";
pub const PROVIDERS_READ: &str = "Microsoft.Resources/subscriptions/providers/read";

impl Endpoint {
    pub fn subscription(&self) -> Option<&str> {
        match self {
            Endpoint::ListSubscriptions | Endpoint::ListTenants => None,
            Endpoint::GetSubscription { sub }
            | Endpoint::ListLocations { sub }
            | Endpoint::ListResourceGroups { sub }
            | Endpoint::ResourceGroup { sub, .. }
            | Endpoint::ListProviders { sub }
            | Endpoint::GetProvider { sub, .. }
            | Endpoint::RegisterProvider { sub, .. }
            | Endpoint::OperationStatus { sub, .. } => Some(sub),
            Endpoint::RoleDefinitions { scope, .. } | Endpoint::RoleAssignments { scope, .. } => {
                scope.subscription_id()
            }
            Endpoint::Resource { sub, .. }
            | Endpoint::ListResources { sub, .. }
            | Endpoint::ChildResource { sub, .. }
            | Endpoint::ListChildren { sub, .. }
            | Endpoint::Action { sub, .. }
            | Endpoint::KubernetesVersions { sub, .. }
            | Endpoint::ListAllResources { sub, .. }
            | Endpoint::RegistryNameAvailability { sub } => Some(sub),
        }
    }

    pub fn access(&self) -> Access {
        let sub_scope = |s: &str| ResourceId::subscription(s);
        match self {
            Endpoint::ListSubscriptions => Access::TenantMember(SUBSCRIPTION_READ),
            Endpoint::ListTenants => Access::TenantMember("Microsoft.Resources/tenants/read"),
            Endpoint::GetSubscription { sub } => Access::Scope {
                action: SUBSCRIPTION_READ,
                scope: sub_scope(sub),
            },
            Endpoint::ListLocations { sub } => Access::Scope {
                action: "Microsoft.Resources/subscriptions/locations/read",
                scope: sub_scope(sub),
            },
            // Listing groups is filtered per group, as in Azure: a caller with a
            // role on one group sees that group.
            Endpoint::ListResourceGroups { .. } => Access::TenantMember(RG_READ),
            Endpoint::ResourceGroup { sub, name, op } => Access::Scope {
                action: match op {
                    RgOp::Get | RgOp::Head => RG_READ,
                    RgOp::Put | RgOp::Patch => RG_WRITE,
                    RgOp::Delete => RG_DELETE,
                },
                scope: ResourceId::resource_group(sub, name),
            },
            Endpoint::ListProviders { sub } | Endpoint::GetProvider { sub, .. } => Access::Scope {
                action: PROVIDERS_READ,
                scope: sub_scope(sub),
            },
            Endpoint::RegisterProvider {
                sub,
                namespace,
                register,
            } => Access::Scope {
                action: registration_action(namespace, *register),
                scope: sub_scope(sub),
            },
            Endpoint::OperationStatus { .. } => Access::OperationTarget,
            Endpoint::RoleDefinitions { scope, op, .. } => {
                let action = match op {
                    RbacOp::List | RbacOp::Get => "Microsoft.Authorization/roleDefinitions/read",
                    RbacOp::Put => "Microsoft.Authorization/roleDefinitions/write",
                    RbacOp::Delete => "Microsoft.Authorization/roleDefinitions/delete",
                };
                // Built-in definitions live at the tenant root, readable by all.
                if scope.key() == "/" && matches!(op, RbacOp::List | RbacOp::Get) {
                    Access::TenantMember(action)
                } else {
                    Access::Scope {
                        action,
                        scope: scope.clone(),
                    }
                }
            }
            Endpoint::Resource {
                rtype,
                sub,
                rg,
                name,
                op,
            } => Access::Scope {
                action: match op {
                    RgOp::Get | RgOp::Head => rtype.read,
                    RgOp::Put | RgOp::Patch => rtype.write,
                    RgOp::Delete => rtype.delete,
                },
                scope: resource_id(rtype, sub, rg, name),
            },
            Endpoint::ListResources { rtype, sub, rg } => Access::Scope {
                action: rtype.read,
                scope: match rg {
                    Some(rg) => ResourceId::resource_group(sub, rg),
                    None => ResourceId::subscription(sub),
                },
            },
            Endpoint::ChildResource {
                child,
                sub,
                rg,
                name,
                child_name,
                op,
            } => Access::Scope {
                action: match op {
                    RgOp::Get | RgOp::Head => child.read,
                    RgOp::Put | RgOp::Patch => child.write,
                    RgOp::Delete => child.delete,
                },
                scope: resource_id(child.parent, sub, rg, name)
                    .child(&[child.type_name, child_name]),
            },
            Endpoint::ListChildren {
                child,
                sub,
                rg,
                name,
            } => Access::Scope {
                action: child.read,
                scope: resource_id(child.parent, sub, rg, name),
            },
            Endpoint::Action {
                action,
                sub,
                rg,
                name,
            } => Access::Scope {
                action: action.action,
                scope: resource_id(action.rtype, sub, rg, name),
            },
            Endpoint::KubernetesVersions { sub, .. } => Access::Scope {
                action: KUBERNETES_VERSIONS_READ,
                scope: sub_scope(sub),
            },
            Endpoint::ListAllResources { sub, rg } => Access::Scope {
                action: match rg {
                    Some(_) => GROUP_RESOURCES_READ,
                    None => SUBSCRIPTION_RESOURCES_READ,
                },
                scope: match rg {
                    Some(rg) => ResourceId::resource_group(sub, rg),
                    None => sub_scope(sub),
                },
            },
            Endpoint::RegistryNameAvailability { sub } => Access::Scope {
                action: REGISTRY_NAME_CHECK,
                scope: sub_scope(sub),
            },
            Endpoint::RoleAssignments { scope, op, .. } => Access::Scope {
                action: match op {
                    RbacOp::List | RbacOp::Get => "Microsoft.Authorization/roleAssignments/read",
                    RbacOp::Put => "Microsoft.Authorization/roleAssignments/write",
                    RbacOp::Delete => "Microsoft.Authorization/roleAssignments/delete",
                },
                scope: scope.clone(),
            },
        }
    }
}

/// `{namespace}/register/action`, from the fixed catalogue (actions are `'static`).
fn registration_action(namespace: &str, register: bool) -> &'static str {
    const REGISTER: &[(&str, &str, &str)] = &[
        (
            "Microsoft.ContainerService",
            "Microsoft.ContainerService/register/action",
            "Microsoft.ContainerService/unregister/action",
        ),
        (
            "Microsoft.ManagedIdentity",
            "Microsoft.ManagedIdentity/register/action",
            "Microsoft.ManagedIdentity/unregister/action",
        ),
        (
            "Microsoft.Authorization",
            "Microsoft.Authorization/register/action",
            "Microsoft.Authorization/unregister/action",
        ),
        (
            "Microsoft.Network",
            "Microsoft.Network/register/action",
            "Microsoft.Network/unregister/action",
        ),
        (
            "Microsoft.Compute",
            "Microsoft.Compute/register/action",
            "Microsoft.Compute/unregister/action",
        ),
        (
            "Microsoft.ContainerRegistry",
            "Microsoft.ContainerRegistry/register/action",
            "Microsoft.ContainerRegistry/unregister/action",
        ),
    ];
    REGISTER
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(namespace))
        .map(|(_, r, u)| if register { *r } else { *u })
        .unwrap_or("Microsoft.Resources/subscriptions/providers/register/action")
}

fn method_not_allowed(m: Method) -> ArmError {
    ArmError::UnsupportedHttpMethod(m.as_str().to_string())
}

fn known_namespace(ns: &str) -> Result<String, ArmError> {
    catalog::namespace(ns)
        .map(|(n, _)| n.to_string())
        .ok_or_else(|| ArmError::InvalidResourceNamespace(ns.to_string()))
}

const AUTHZ: &str = "/providers/microsoft.authorization/";

/// `{scope}/providers/Microsoft.Authorization/{roleDefinitions|roleAssignments}[/{name}]`,
/// where the scope is any ARM scope (or the root).
fn parse_authorization(method: Method, path: &str, pos: usize) -> Result<Endpoint, ArmError> {
    // `to_ascii_lowercase` keeps byte offsets, so `pos` indexes `path` too.
    let scope = match &path[..pos] {
        "" => ResourceId::root(),
        s => ResourceId::parse(s)?,
    };
    if scope.key() != "/" && scope.subscription_id().is_none() {
        return Err(ArmError::InvalidResourceId(scope.as_str().to_string()));
    }
    let rest: Vec<&str> = path[pos + AUTHZ.len()..]
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let (kind, name) = match rest.as_slice() {
        [kind] => (kind.to_ascii_lowercase(), None),
        [kind, name] => (kind.to_ascii_lowercase(), Some(name.to_string())),
        _ => {
            return Err(ArmError::InvalidResourceType {
                namespace: "Microsoft.Authorization".into(),
                resource_type: rest.first().copied().unwrap_or_default().to_string(),
                api_version: String::new(),
            });
        }
    };
    let op = match (method, name.is_some()) {
        (Method::Get, false) => RbacOp::List,
        (Method::Get, true) => RbacOp::Get,
        (Method::Put, true) => RbacOp::Put,
        (Method::Delete, true) => RbacOp::Delete,
        (m, _) => return Err(method_not_allowed(m)),
    };
    match kind.as_str() {
        "roledefinitions" => Ok(Endpoint::RoleDefinitions { scope, name, op }),
        "roleassignments" => Ok(Endpoint::RoleAssignments { scope, name, op }),
        other => Err(ArmError::InvalidResourceType {
            namespace: "Microsoft.Authorization".into(),
            resource_type: other.to_string(),
            api_version: String::new(),
        }),
    }
}

/// The id of a tracked resource, with the type's canonical casing.
pub fn resource_id(rtype: &ResourceType, sub: &str, rg: &str, name: &str) -> ResourceId {
    ResourceId::resource_group(sub, rg).child(&[
        "providers",
        rtype.namespace,
        rtype.type_name,
        name,
    ])
}

fn rg_op(method: Method) -> Result<RgOp, ArmError> {
    match method {
        Method::Put => Ok(RgOp::Put),
        Method::Get => Ok(RgOp::Get),
        Method::Head => Ok(RgOp::Head),
        Method::Patch => Ok(RgOp::Patch),
        Method::Delete => Ok(RgOp::Delete),
        m => Err(method_not_allowed(m)),
    }
}

fn unknown_type(ns: &str, type_name: &str, api_version: Option<&str>) -> ArmError {
    match catalog::namespace(ns) {
        None => ArmError::InvalidResourceNamespace(ns.to_string()),
        Some((namespace, _)) => ArmError::InvalidResourceType {
            namespace: namespace.to_string(),
            resource_type: type_name.to_string(),
            api_version: api_version.unwrap_or_default().to_string(),
        },
    }
}

/// Parses a collapsed path. `api_version` is checked for every ARM endpoint.
pub fn parse(method: Method, path: &str, api_version: Option<&str>) -> Result<Endpoint, ArmError> {
    if let Some(pos) = path.to_ascii_lowercase().rfind(AUTHZ) {
        let ep = parse_authorization(method, path, pos)?;
        ApiVersion::parse(api_version)?;
        return Ok(ep);
    }
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let lower: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
    let l: Vec<&str> = lower.iter().map(String::as_str).collect();
    let get_only = |ep: Endpoint| {
        if method == Method::Get {
            Ok(ep)
        } else {
            Err(method_not_allowed(method))
        }
    };
    let ep = match (l.as_slice(), segs.as_slice()) {
        (["subscriptions"], _) => get_only(Endpoint::ListSubscriptions),
        (["tenants"], _) => get_only(Endpoint::ListTenants),
        (["subscriptions", _], [_, sub]) => get_only(Endpoint::GetSubscription {
            sub: sub.to_string(),
        }),
        (["subscriptions", _, "locations"], [_, sub, _]) => get_only(Endpoint::ListLocations {
            sub: sub.to_string(),
        }),
        (["subscriptions", _, "resourcegroups"], [_, sub, _]) => {
            get_only(Endpoint::ListResourceGroups {
                sub: sub.to_string(),
            })
        }
        (["subscriptions", _, "resourcegroups", _], [_, sub, _, name]) => {
            let op = match method {
                Method::Put => RgOp::Put,
                Method::Get => RgOp::Get,
                Method::Head => RgOp::Head,
                Method::Patch => RgOp::Patch,
                Method::Delete => RgOp::Delete,
                m => return Err(method_not_allowed(m)),
            };
            Ok(Endpoint::ResourceGroup {
                sub: sub.to_string(),
                name: name.to_string(),
                op,
            })
        }
        (["subscriptions", _, "providers"], [_, sub, _]) => get_only(Endpoint::ListProviders {
            sub: sub.to_string(),
        }),
        (["subscriptions", _, "providers", _], [_, sub, _, ns]) => {
            get_only(Endpoint::GetProvider {
                sub: sub.to_string(),
                namespace: known_namespace(ns)?,
            })
        }
        (
            [
                "subscriptions",
                _,
                "providers",
                _,
                verb @ ("register" | "unregister"),
            ],
            [_, sub, _, ns, _],
        ) => {
            if method != Method::Post {
                return Err(method_not_allowed(method));
            }
            Ok(Endpoint::RegisterProvider {
                sub: sub.to_string(),
                namespace: known_namespace(ns)?,
                register: *verb == "register",
            })
        }
        (
            [
                "subscriptions",
                _,
                "providers",
                _,
                "locations",
                _,
                kind @ ("operationstatuses" | "operationresults"),
                _,
            ],
            [_, sub, _, ns, _, _, _, id],
        ) => get_only(Endpoint::OperationStatus {
            sub: sub.to_string(),
            namespace: ns.to_string(),
            id: id.to_string(),
            result: *kind == "operationresults",
        }),
        (
            [
                "subscriptions",
                _,
                "providers",
                "microsoft.containerservice",
                "locations",
                _,
                "kubernetesversions",
            ],
            [_, sub, _, _, _, location, _],
        ) => get_only(Endpoint::KubernetesVersions {
            sub: sub.to_string(),
            location: location.to_string(),
        }),
        (
            [
                "subscriptions",
                _,
                "providers",
                "microsoft.containerregistry",
                "checknameavailability",
            ],
            [_, sub, ..],
        ) => {
            if method != Method::Post {
                return Err(method_not_allowed(method));
            }
            Ok(Endpoint::RegistryNameAvailability {
                sub: sub.to_string(),
            })
        }
        (["subscriptions", _, "resources"], [_, sub, _]) => get_only(Endpoint::ListAllResources {
            sub: sub.to_string(),
            rg: None,
        }),
        (["subscriptions", _, "resourcegroups", _, "resources"], [_, sub, _, rg, _]) => {
            get_only(Endpoint::ListAllResources {
                sub: sub.to_string(),
                rg: Some(rg.to_string()),
            })
        }
        (
            [
                "subscriptions",
                _,
                "resourcegroups",
                _,
                "providers",
                _,
                _,
                _,
                _,
                _,
            ],
            [_, sub, _, rg, _, ns, t, name, ct, cname],
        ) => {
            let rtype = resource_type(ns, t).ok_or_else(|| unknown_type(ns, t, api_version))?;
            let child = child_type(rtype, ct)
                .ok_or_else(|| unknown_type(ns, &format!("{t}/{ct}"), api_version))?;
            Ok(Endpoint::ChildResource {
                child,
                sub: sub.to_string(),
                rg: rg.to_string(),
                name: name.to_string(),
                child_name: cname.to_string(),
                op: rg_op(method)?,
            })
        }
        (
            [
                "subscriptions",
                _,
                "resourcegroups",
                _,
                "providers",
                _,
                _,
                _,
                _,
            ],
            [_, sub, _, rg, _, ns, t, name, last],
        ) => {
            let rtype = resource_type(ns, t).ok_or_else(|| unknown_type(ns, t, api_version))?;
            if method == Method::Post {
                let action = resource_action(rtype, last)
                    .ok_or_else(|| unknown_type(ns, &format!("{t}/{last}"), api_version))?;
                Ok(Endpoint::Action {
                    action,
                    sub: sub.to_string(),
                    rg: rg.to_string(),
                    name: name.to_string(),
                })
            } else {
                let child = child_type(rtype, last)
                    .ok_or_else(|| unknown_type(ns, &format!("{t}/{last}"), api_version))?;
                get_only(Endpoint::ListChildren {
                    child,
                    sub: sub.to_string(),
                    rg: rg.to_string(),
                    name: name.to_string(),
                })
            }
        }
        (
            [
                "subscriptions",
                _,
                "resourcegroups",
                _,
                "providers",
                _,
                _,
                _,
            ],
            [_, sub, _, rg, _, ns, t, name],
        ) => {
            let rtype = resource_type(ns, t).ok_or_else(|| unknown_type(ns, t, api_version))?;
            Ok(Endpoint::Resource {
                rtype,
                sub: sub.to_string(),
                rg: rg.to_string(),
                name: name.to_string(),
                op: rg_op(method)?,
            })
        }
        (
            ["subscriptions", _, "resourcegroups", _, "providers", _, _],
            [_, sub, _, rg, _, ns, t],
        ) => {
            let rtype = resource_type(ns, t).ok_or_else(|| unknown_type(ns, t, api_version))?;
            get_only(Endpoint::ListResources {
                rtype,
                sub: sub.to_string(),
                rg: Some(rg.to_string()),
            })
        }
        (["subscriptions", _, "providers", _, _], [_, sub, _, ns, t])
            if resource_type(ns, t).is_some() =>
        {
            get_only(Endpoint::ListResources {
                rtype: resource_type(ns, t).ok_or_else(|| unknown_type(ns, t, api_version))?,
                sub: sub.to_string(),
                rg: None,
            })
        }
        (["subscriptions", _, "providers", ns, rest @ ..], _)
        | (
            [
                "subscriptions",
                _,
                "resourcegroups",
                _,
                "providers",
                ns,
                rest @ ..,
            ],
            _,
        ) => {
            let namespace = known_namespace(ns)?;
            Err(ArmError::InvalidResourceType {
                namespace,
                resource_type: rest.first().copied().unwrap_or_default().to_string(),
                api_version: api_version.unwrap_or_default().to_string(),
            })
        }
        _ => Err(ArmError::InvalidResourceType {
            namespace: "Microsoft.Resources".to_string(),
            resource_type: l
                .get(l.len().saturating_sub(1))
                .copied()
                .unwrap_or_default()
                .to_string(),
            api_version: api_version.unwrap_or_default().to_string(),
        }),
    }?;
    ApiVersion::parse(api_version)?;
    Ok(ep)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: Option<&str> = Some("2024-11-01");

    #[test]
    fn resource_groups_any_case() {
        let e = parse(Method::Put, "/subscriptions/S/resourcegroups/MyRG", V).unwrap();
        assert_eq!(
            e,
            Endpoint::ResourceGroup {
                sub: "S".into(),
                name: "MyRG".into(),
                op: RgOp::Put
            }
        );
        assert!(parse(Method::Get, "/SUBSCRIPTIONS/S/RESOURCEGROUPS/x", V).is_ok());
    }

    #[test]
    fn api_version_required() {
        assert_eq!(
            parse(Method::Get, "/subscriptions", None)
                .err()
                .map(|e| e.code()),
            Some("MissingApiVersionParameter")
        );
    }

    #[test]
    fn unknown_namespace_and_method() {
        assert_eq!(
            parse(Method::Get, "/subscriptions/s/providers/Foo.Bar", V)
                .err()
                .map(|e| e.code()),
            Some("InvalidResourceNamespace")
        );
        assert_eq!(
            parse(Method::Post, "/subscriptions/s/resourcegroups/x", V)
                .err()
                .map(|e| e.status()),
            Some(405)
        );
    }
}

/// One request per endpoint kind, for tests that must cover every endpoint (the
/// enforcement walk). `variant_index` is an exhaustive match, so a new endpoint
/// does not compile until it is numbered, and the unit test below fails until it
/// has a sample here.
pub fn samples(sub: &str, rg: &str) -> Vec<(Method, String)> {
    let s = format!("/subscriptions/{sub}");
    let g = format!("{s}/resourceGroups/{rg}");
    let auth = "providers/Microsoft.Authorization";
    let guid = "00000000-0000-0000-0000-0000000000aa";
    vec![
        (Method::Get, "/subscriptions".into()),
        (Method::Get, s.clone()),
        (Method::Get, format!("{s}/locations")),
        (Method::Get, "/tenants".into()),
        (Method::Get, format!("{s}/resourcegroups")),
        (Method::Get, g.clone()),
        (Method::Head, g.clone()),
        (Method::Put, g.clone()),
        (Method::Patch, g.clone()),
        (Method::Delete, g.clone()),
        (Method::Get, format!("{s}/providers")),
        (
            Method::Get,
            format!("{s}/providers/Microsoft.ContainerService"),
        ),
        (
            Method::Post,
            format!("{s}/providers/Microsoft.ContainerService/register"),
        ),
        (
            Method::Get,
            format!("{s}/providers/Microsoft.Resources/locations/westus2/operationStatuses/{guid}"),
        ),
        (Method::Get, format!("{g}/{auth}/roleDefinitions")),
        (
            Method::Get,
            format!("{s}/{auth}/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"),
        ),
        (Method::Put, format!("{s}/{auth}/roleDefinitions/{guid}")),
        (Method::Delete, format!("{s}/{auth}/roleDefinitions/{guid}")),
        (Method::Get, format!("{g}/{auth}/roleAssignments")),
        (Method::Get, format!("{g}/{auth}/roleAssignments/{guid}")),
        (Method::Put, format!("{g}/{auth}/roleAssignments/{guid}")),
        (Method::Delete, format!("{g}/{auth}/roleAssignments/{guid}")),
        (
            Method::Put,
            format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"),
        ),
        (
            Method::Get,
            format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"),
        ),
        (
            Method::Patch,
            format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"),
        ),
        (
            Method::Delete,
            format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"),
        ),
        (
            Method::Get,
            format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities"),
        ),
        (
            Method::Get,
            format!("{s}/providers/Microsoft.ManagedIdentity/userAssignedIdentities"),
        ),
        (
            Method::Put,
            format!("{g}/providers/Microsoft.ContainerService/managedClusters/c1"),
        ),
        (
            Method::Get,
            format!("{g}/providers/Microsoft.ContainerService/managedClusters/c1/agentPools/p1"),
        ),
        (
            Method::Put,
            format!("{g}/providers/Microsoft.ContainerService/managedClusters/c1/agentPools/p1"),
        ),
        (
            Method::Delete,
            format!("{g}/providers/Microsoft.ContainerService/managedClusters/c1/agentPools/p1"),
        ),
        (
            Method::Get,
            format!("{g}/providers/Microsoft.ContainerService/managedClusters/c1/agentPools"),
        ),
        (
            Method::Post,
            format!(
                "{g}/providers/Microsoft.ContainerService/managedClusters/c1/listClusterUserCredential"
            ),
        ),
        (
            Method::Post,
            format!(
                "{g}/providers/Microsoft.ContainerService/managedClusters/c1/listClusterAdminCredential"
            ),
        ),
        (
            Method::Get,
            format!(
                "{s}/providers/Microsoft.ContainerService/locations/westus2/kubernetesVersions"
            ),
        ),
        (Method::Get, format!("{g}/resources")),
        (Method::Get, format!("{s}/resources")),
        (
            Method::Post,
            format!("{s}/providers/Microsoft.ContainerRegistry/checkNameAvailability"),
        ),
        (
            Method::Put,
            format!("{g}/providers/Microsoft.Network/virtualNetworks/v1"),
        ),
        (
            Method::Get,
            format!("{g}/providers/Microsoft.Network/virtualNetworks/v1/subnets/s1"),
        ),
        (
            Method::Put,
            format!("{g}/providers/Microsoft.ContainerRegistry/registries/r1"),
        ),
    ]
}

/// Numbers the endpoint kinds (exhaustively).
pub fn variant_index(e: &Endpoint) -> usize {
    match e {
        Endpoint::ListSubscriptions => 0,
        Endpoint::GetSubscription { .. } => 1,
        Endpoint::ListLocations { .. } => 2,
        Endpoint::ListTenants => 3,
        Endpoint::ListResourceGroups { .. } => 4,
        Endpoint::ResourceGroup { .. } => 5,
        Endpoint::ListProviders { .. } => 6,
        Endpoint::GetProvider { .. } => 7,
        Endpoint::RegisterProvider { .. } => 8,
        Endpoint::OperationStatus { .. } => 9,
        Endpoint::RoleDefinitions { .. } => 10,
        Endpoint::RoleAssignments { .. } => 11,
        Endpoint::Resource { .. } => 12,
        Endpoint::ListResources { .. } => 13,
        Endpoint::ChildResource { .. } => 14,
        Endpoint::ListChildren { .. } => 15,
        Endpoint::Action { .. } => 16,
        Endpoint::KubernetesVersions { .. } => 17,
        Endpoint::ListAllResources { .. } => 18,
        Endpoint::RegistryNameAvailability { .. } => 19,
    }
}

pub const VARIANTS: usize = 20;

#[cfg(test)]
mod sample_tests {
    use super::*;

    #[test]
    fn samples_cover_every_endpoint_kind() {
        let mut seen = [false; VARIANTS];
        for (m, p) in samples("s", "rg") {
            let ep = parse(m, &p, Some("2024-11-01")).unwrap_or_else(|e| panic!("{p}: {e}"));
            seen[variant_index(&ep)] = true;
        }
        assert!(seen.iter().all(|s| *s), "{seen:?}");
    }
}
