//! What a provider declares about the ARM surface it serves: its namespace, the
//! tracked resource types in it, their child types and POST actions, reads under
//! `locations/{location}`, and provider-level POST actions. Each entry names the
//! RBAC actions that guard it, so the parser can give every endpoint its action.

use aksemu_core::ResourceId;

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

impl ResourceType {
    /// `Namespace/type`, as resource documents' `type` says.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.namespace, self.type_name)
    }

    pub fn is(&self, full_name: &str) -> bool {
        full_name.split_once('/').is_some_and(|(ns, t)| {
            ns.eq_ignore_ascii_case(self.namespace) && t.eq_ignore_ascii_case(self.type_name)
        })
    }
}

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

/// A POST action on a resource (`{resource}/{action}`).
#[derive(Debug, PartialEq, Eq)]
pub struct ResourceAction {
    pub rtype: &'static ResourceType,
    pub name: &'static str,
    pub action: &'static str,
}

/// `GET /subscriptions/{s}/providers/{namespace}/locations/{location}/{name}`.
#[derive(Debug, PartialEq, Eq)]
pub struct LocationRead {
    pub namespace: &'static str,
    pub name: &'static str,
    pub action: &'static str,
}

/// `POST /subscriptions/{s}/providers/{namespace}/{name}`.
#[derive(Debug, PartialEq, Eq)]
pub struct ProviderAction {
    pub namespace: &'static str,
    pub name: &'static str,
    pub action: &'static str,
}

/// A resource-provider namespace as registered with the engine.
#[derive(Debug, PartialEq, Eq)]
pub struct Namespace {
    pub name: &'static str,
    pub register: &'static str,
    pub unregister: &'static str,
    /// The resource types `az provider show` lists.
    pub listed_types: &'static [&'static str],
    pub types: &'static [&'static ResourceType],
    pub children: &'static [&'static ChildType],
    pub actions: &'static [&'static ResourceAction],
    pub location_reads: &'static [&'static LocationRead],
    pub provider_actions: &'static [&'static ProviderAction],
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
