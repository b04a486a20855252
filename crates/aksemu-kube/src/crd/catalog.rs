//! What one cluster serves: its built-in types and its custom ones, for
//! routing, discovery and OpenAPI.

use super::CrdSet;
use crate::resources::{ResourceType, TYPES, by_kind, find, groups, versions};

/// The types one cluster serves: the built-in ones, then its custom
/// resources (a built-in name always wins, as the API's own groups do).
#[derive(Clone, Copy)]
pub struct Catalog<'a> {
    pub crds: &'a CrdSet,
}

impl Catalog<'_> {
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&'static ResourceType> {
        find(group, version, plural).or_else(|| self.crds.find(group, version, plural))
    }

    pub fn by_kind(&self, api_version: &str, kind: &str) -> Option<&'static ResourceType> {
        by_kind(api_version, kind).or_else(|| self.crds.by_kind(api_version, kind))
    }

    /// Every type, built-in first.
    pub fn all(&self) -> impl Iterator<Item = &'static ResourceType> + '_ {
        TYPES.iter().chain(self.crds.types())
    }

    /// Groups in discovery order: the built-in ones, then custom ones.
    pub fn groups(&self) -> Vec<&'static str> {
        let mut out = groups();
        for t in self.crds.types() {
            if !out.contains(&t.group) {
                out.push(t.group);
            }
        }
        out
    }

    /// The served versions of a group, the preferred (storage) one first.
    pub fn versions(&self, group: &str) -> Vec<&'static str> {
        let mut out = versions(group);
        if out.is_empty() {
            out = self.crds.versions(group);
        }
        out
    }
}
