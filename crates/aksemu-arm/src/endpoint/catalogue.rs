//! The namespaces this cloud serves, as providers registered them: what the
//! endpoint parser looks types, children and actions up in, and what provider
//! listings show.

use super::types::{
    ChildType, LocationRead, Namespace, ProviderAction, ResourceAction, ResourceType,
};

#[derive(Debug, Default, Clone)]
pub struct Catalogue {
    namespaces: Vec<&'static Namespace>,
}

impl Catalogue {
    pub fn add(&mut self, ns: &'static Namespace) {
        if self.namespace(ns.name).is_none() {
            self.namespaces.push(ns);
        }
    }

    pub fn namespaces(&self) -> &[&'static Namespace] {
        &self.namespaces
    }

    /// A namespace by name, in any casing.
    pub fn namespace(&self, raw: &str) -> Option<&'static Namespace> {
        self.namespaces
            .iter()
            .copied()
            .find(|n| n.name.eq_ignore_ascii_case(raw))
    }

    pub fn types(&self) -> impl Iterator<Item = &'static ResourceType> + '_ {
        self.namespaces.iter().flat_map(|n| n.types.iter().copied())
    }

    pub fn resource_type(&self, ns: &str, type_name: &str) -> Option<&'static ResourceType> {
        self.namespace(ns)?
            .types
            .iter()
            .copied()
            .find(|t| t.type_name.eq_ignore_ascii_case(type_name))
    }

    /// The type a document's `type` (`Namespace/type`) names.
    pub fn type_named(&self, full_name: &str) -> Option<&'static ResourceType> {
        let (ns, t) = full_name.split_once('/')?;
        self.resource_type(ns, t)
    }

    pub fn child_type(&self, parent: &ResourceType, name: &str) -> Option<&'static ChildType> {
        self.namespace(parent.namespace)?
            .children
            .iter()
            .copied()
            .find(|c| c.parent == parent && c.type_name.eq_ignore_ascii_case(name))
    }

    pub fn resource_action(
        &self,
        rtype: &ResourceType,
        name: &str,
    ) -> Option<&'static ResourceAction> {
        self.namespace(rtype.namespace)?
            .actions
            .iter()
            .copied()
            .find(|a| a.rtype == rtype && a.name.eq_ignore_ascii_case(name))
    }

    pub fn location_read(&self, ns: &str, name: &str) -> Option<&'static LocationRead> {
        self.namespace(ns)?
            .location_reads
            .iter()
            .copied()
            .find(|r| r.name.eq_ignore_ascii_case(name))
    }

    pub fn provider_action(&self, ns: &str, name: &str) -> Option<&'static ProviderAction> {
        self.namespace(ns)?
            .provider_actions
            .iter()
            .copied()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}
