//! Path + method → `Endpoint`. ARM paths are matched case-insensitively; names
//! keep the casing the client sent. Every endpoint declares the action it needs
//! and the scope it acts on, so authorisation happens once, before dispatch.
//! Resource types come from the catalogue that providers registered; nothing
//! here names a provider beyond Microsoft.Resources and Microsoft.Authorization,
//! which are ARM itself.

pub mod catalogue;
mod parse;
pub mod samples;
pub mod types;

use aksemu_core::ResourceId;

pub use catalogue::Catalogue;
pub use parse::parse;
pub use types::{
    ChildType, LocationRead, Namespace, ProviderAction, ResourceAction, ResourceType, resource_id,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RgOp {
    Put,
    Get,
    Head,
    Patch,
    Delete,
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
        namespace: &'static Namespace,
    },
    RegisterProvider {
        sub: String,
        namespace: &'static Namespace,
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
    /// `GET /subscriptions/{s}/providers/{ns}/locations/{location}/{name}`.
    LocationRead {
        read: &'static LocationRead,
        sub: String,
        location: String,
    },
    /// Every resource in a group or a subscription (`…/resources`).
    ListAllResources {
        sub: String,
        rg: Option<String>,
    },
    /// `POST /subscriptions/{s}/providers/{ns}/{action}`.
    ProviderAction {
        action: &'static ProviderAction,
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
pub const TENANTS_READ: &str = "Microsoft.Resources/tenants/read";
pub const LOCATIONS_READ: &str = "Microsoft.Resources/subscriptions/locations/read";
pub const RG_READ: &str = "Microsoft.Resources/subscriptions/resourceGroups/read";
pub const RG_WRITE: &str = "Microsoft.Resources/subscriptions/resourceGroups/write";
pub const RG_DELETE: &str = "Microsoft.Resources/subscriptions/resourceGroups/delete";
pub const PROVIDERS_READ: &str = "Microsoft.Resources/subscriptions/providers/read";
/// Spelled as Azure publishes it (a lower-case `resourcegroups`).
pub const GROUP_RESOURCES_READ: &str =
    "Microsoft.Resources/subscriptions/resourcegroups/resources/read";
pub const SUBSCRIPTION_RESOURCES_READ: &str = "Microsoft.Resources/subscriptions/resources/read";
pub const ROLE_DEFINITIONS_READ: &str = "Microsoft.Authorization/roleDefinitions/read";
pub const ROLE_DEFINITIONS_WRITE: &str = "Microsoft.Authorization/roleDefinitions/write";
pub const ROLE_DEFINITIONS_DELETE: &str = "Microsoft.Authorization/roleDefinitions/delete";
pub const ROLE_ASSIGNMENTS_READ: &str = "Microsoft.Authorization/roleAssignments/read";
pub const ROLE_ASSIGNMENTS_WRITE: &str = "Microsoft.Authorization/roleAssignments/write";
pub const ROLE_ASSIGNMENTS_DELETE: &str = "Microsoft.Authorization/roleAssignments/delete";

fn by_op(op: RgOp, read: &'static str, write: &'static str, delete: &'static str) -> &'static str {
    match op {
        RgOp::Get | RgOp::Head => read,
        RgOp::Put | RgOp::Patch => write,
        RgOp::Delete => delete,
    }
}

fn group_or_subscription(sub: &str, rg: Option<&str>) -> ResourceId {
    match rg {
        Some(rg) => ResourceId::resource_group(sub, rg),
        None => ResourceId::subscription(sub),
    }
}

impl Endpoint {
    pub fn subscription(&self) -> Option<&str> {
        match self {
            Endpoint::ListSubscriptions | Endpoint::ListTenants => None,
            Endpoint::RoleDefinitions { scope, .. } | Endpoint::RoleAssignments { scope, .. } => {
                scope.subscription_id()
            }
            Endpoint::GetSubscription { sub }
            | Endpoint::ListLocations { sub }
            | Endpoint::ListResourceGroups { sub }
            | Endpoint::ResourceGroup { sub, .. }
            | Endpoint::ListProviders { sub }
            | Endpoint::GetProvider { sub, .. }
            | Endpoint::RegisterProvider { sub, .. }
            | Endpoint::OperationStatus { sub, .. }
            | Endpoint::Resource { sub, .. }
            | Endpoint::ListResources { sub, .. }
            | Endpoint::ChildResource { sub, .. }
            | Endpoint::ListChildren { sub, .. }
            | Endpoint::Action { sub, .. }
            | Endpoint::LocationRead { sub, .. }
            | Endpoint::ListAllResources { sub, .. }
            | Endpoint::ProviderAction { sub, .. } => Some(sub),
        }
    }

    /// The provider namespace that serves this endpoint, when a provider does
    /// (ARM itself serves the rest).
    pub fn provider_namespace(&self) -> Option<&'static str> {
        match self {
            Endpoint::Resource { rtype, .. } | Endpoint::ListResources { rtype, .. } => {
                Some(rtype.namespace)
            }
            Endpoint::ChildResource { child, .. } | Endpoint::ListChildren { child, .. } => {
                Some(child.parent.namespace)
            }
            Endpoint::Action { action, .. } => Some(action.rtype.namespace),
            Endpoint::LocationRead { read, .. } => Some(read.namespace),
            Endpoint::ProviderAction { action, .. } => Some(action.namespace),
            _ => None,
        }
    }

    pub fn access(&self) -> Access {
        let scope = |action, scope| Access::Scope { action, scope };
        let sub_scope = |s: &str| ResourceId::subscription(s);
        match self {
            Endpoint::ListSubscriptions => Access::TenantMember(SUBSCRIPTION_READ),
            Endpoint::ListTenants => Access::TenantMember(TENANTS_READ),
            Endpoint::GetSubscription { sub } => scope(SUBSCRIPTION_READ, sub_scope(sub)),
            Endpoint::ListLocations { sub } => scope(LOCATIONS_READ, sub_scope(sub)),
            // Listing groups is filtered per group, as in Azure: a caller with a
            // role on one group sees that group.
            Endpoint::ListResourceGroups { .. } => Access::TenantMember(RG_READ),
            Endpoint::ResourceGroup { sub, name, op } => scope(
                by_op(*op, RG_READ, RG_WRITE, RG_DELETE),
                ResourceId::resource_group(sub, name),
            ),
            Endpoint::ListProviders { sub } | Endpoint::GetProvider { sub, .. } => {
                scope(PROVIDERS_READ, sub_scope(sub))
            }
            Endpoint::RegisterProvider {
                sub,
                namespace,
                register,
            } => scope(
                if *register {
                    namespace.register
                } else {
                    namespace.unregister
                },
                sub_scope(sub),
            ),
            Endpoint::OperationStatus { .. } => Access::OperationTarget,
            Endpoint::RoleDefinitions { scope: at, op, .. } => role_definitions_access(at, *op),
            Endpoint::RoleAssignments { scope: at, op, .. } => scope(
                match op {
                    RbacOp::List | RbacOp::Get => ROLE_ASSIGNMENTS_READ,
                    RbacOp::Put => ROLE_ASSIGNMENTS_WRITE,
                    RbacOp::Delete => ROLE_ASSIGNMENTS_DELETE,
                },
                at.clone(),
            ),
            Endpoint::Resource { .. }
            | Endpoint::ListResources { .. }
            | Endpoint::ChildResource { .. }
            | Endpoint::ListChildren { .. }
            | Endpoint::Action { .. }
            | Endpoint::LocationRead { .. }
            | Endpoint::ListAllResources { .. }
            | Endpoint::ProviderAction { .. } => self.resource_access(),
        }
    }

    /// Access for the endpoints of tracked resources and provider namespaces.
    fn resource_access(&self) -> Access {
        let (action, scope) = match self {
            Endpoint::Resource {
                rtype,
                sub,
                rg,
                name,
                op,
            } => (
                by_op(*op, rtype.read, rtype.write, rtype.delete),
                resource_id(rtype, sub, rg, name),
            ),
            Endpoint::ListResources { rtype, sub, rg } => {
                (rtype.read, group_or_subscription(sub, rg.as_deref()))
            }
            Endpoint::ChildResource {
                child,
                sub,
                rg,
                name,
                child_name,
                op,
            } => (
                by_op(*op, child.read, child.write, child.delete),
                resource_id(child.parent, sub, rg, name).child(&[child.type_name, child_name]),
            ),
            Endpoint::ListChildren {
                child,
                sub,
                rg,
                name,
            } => (child.read, resource_id(child.parent, sub, rg, name)),
            Endpoint::Action {
                action,
                sub,
                rg,
                name,
            } => (action.action, resource_id(action.rtype, sub, rg, name)),
            Endpoint::LocationRead { read, sub, .. } => {
                (read.action, ResourceId::subscription(sub))
            }
            Endpoint::ListAllResources { sub, rg } => (
                match rg {
                    Some(_) => GROUP_RESOURCES_READ,
                    None => SUBSCRIPTION_RESOURCES_READ,
                },
                group_or_subscription(sub, rg.as_deref()),
            ),
            Endpoint::ProviderAction { action, sub } => {
                (action.action, ResourceId::subscription(sub))
            }
            // Not reached (`access` answers the others); the gate fails closed on it.
            _ => return Access::OperationTarget,
        };
        Access::Scope { action, scope }
    }
}

fn role_definitions_access(at: &ResourceId, op: RbacOp) -> Access {
    let action = match op {
        RbacOp::List | RbacOp::Get => ROLE_DEFINITIONS_READ,
        RbacOp::Put => ROLE_DEFINITIONS_WRITE,
        RbacOp::Delete => ROLE_DEFINITIONS_DELETE,
    };
    // Built-in definitions live at the tenant root, readable by all.
    if at.key() == "/" && matches!(op, RbacOp::List | RbacOp::Get) {
        Access::TenantMember(action)
    } else {
        Access::Scope {
            action,
            scope: at.clone(),
        }
    }
}

/// Microsoft.Authorization, served by ARM itself (listed with the providers).
pub const AUTHORIZATION: Namespace = Namespace {
    name: "Microsoft.Authorization",
    register: "Microsoft.Authorization/register/action",
    unregister: "Microsoft.Authorization/unregister/action",
    listed_types: &["roleAssignments", "roleDefinitions", "operations"],
    types: &[],
    children: &[],
    actions: &[],
    location_reads: &[],
    provider_actions: &[],
};
