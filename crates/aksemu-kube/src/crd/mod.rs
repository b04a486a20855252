//! Custom resources: a cluster's CustomResourceDefinitions turned into
//! resource types (one per served version) that discovery, OpenAPI, routing,
//! Tables and the write path use like the built-in ones. A definition's
//! types are built once and kept for the life of the process (interned by
//! their content, so re-applying the same CRD reuses them).

pub mod admit;
pub mod apply_merge;
pub mod build;
mod catalog;
pub mod check;
pub mod convert;
pub mod registry;
pub mod status;
mod version_order;

use serde_json::Value;

pub use crate::resources::Custom;
use crate::resources::ResourceType;

pub use catalog::Catalog;
pub use registry::Registry;
pub use version_order::by_priority;

/// The custom resource types of one cluster.
#[derive(Debug, Default)]
pub struct CrdSet {
    types: Vec<&'static ResourceType>,
}

impl CrdSet {
    /// The types of the given CRD objects (established ones; served versions).
    pub fn from_crds(crds: &[Value]) -> CrdSet {
        CrdSet {
            types: crds.iter().flat_map(build::types_of).collect(),
        }
    }

    pub fn types(&self) -> impl Iterator<Item = &'static ResourceType> + '_ {
        self.types.iter().copied()
    }

    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&'static ResourceType> {
        self.types()
            .find(|t| t.group == group && t.version == version && t.plural == plural)
    }

    pub fn by_kind(&self, api_version: &str, kind: &str) -> Option<&'static ResourceType> {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        self.types()
            .find(|t| t.group == group && t.version == version && t.kind == kind)
    }

    /// The served versions of a group, by Kubernetes' version priority.
    pub fn versions(&self, group: &str) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for t in self.types().filter(|t| t.group == group) {
            if !out.contains(&t.version) {
                out.push(t.version);
            }
        }
        out.sort_by(|a, b| by_priority(a, b));
        out
    }
}
