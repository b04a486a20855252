//! ARM semantics without HTTP types: requests are parsed to an `Endpoint` (with
//! the action and scope it needs), authorised once (yielding `Authorized`), then
//! dispatched to a resource provider that takes `&Authorized`.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod admin;
pub mod bootstrap;
pub mod catalog;
pub mod cloud;
pub mod collections;
pub mod conditional;
pub mod dispatch;
pub mod effects;
pub mod endpoint;
pub mod explain;
pub mod federated_store;
pub mod gate;
pub mod lro;
pub mod metadata;
pub mod operation;
pub mod paging;
pub mod providers;
pub mod rbac;
pub mod registry;
pub mod replicas;
pub mod resource_identities;

pub use aksemu_core::request::{ArmRequest, ArmResponse, Method};
pub use cloud::{Cloud, Registry, Settings};
pub use dispatch::handle;
