//! Azure RBAC, pure: role definitions, action matching, the evaluator, and the
//! `Authorized` capability that resource providers require as proof of a check.

pub mod action;
pub mod assignment;
pub mod authorized;
pub mod builtin;
pub mod compiled;
pub mod index;
pub mod role;

pub use action::action_matches;
pub use assignment::Assignment;
pub use authorized::{Authorized, Decider, Requirement, authorize, explanation};
pub use index::{AssignmentIndex, FxBuild};
pub use role::{ActionKind, Permission, RoleDefinition};
