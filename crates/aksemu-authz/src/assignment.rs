//! A role assignment as the evaluator sees it.

use aksemu_core::ResourceId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Full id of the assignment.
    pub id: String,
    pub scope: ResourceId,
    /// Full role definition id; the evaluator uses its trailing GUID.
    pub role_definition_id: String,
    pub principal_id: String,
    /// With a propagation delay: the virtual-time window (unix seconds, from
    /// inclusive, until exclusive) in which the assignment grants. `None`: always.
    pub window: Option<(i64, i64)>,
}
