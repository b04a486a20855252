//! ARM semantics without HTTP types: requests are parsed to an `Endpoint` (with
//! the action and scope it needs), authorised once (yielding `Authorized`), then
//! dispatched to a resource provider that takes `&Authorized`.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod admin;
pub mod authn;
pub mod bootstrap;
pub mod catalog;
pub mod cloud;
pub mod collections;
pub mod conditional;
pub mod directory;
pub mod dispatch;
pub mod effects;
pub mod endpoint;
pub mod entra;
pub mod gate;
pub mod graph;
pub mod imds;
pub mod imds_cache;
pub mod lro;
pub mod metadata;
pub mod odata;
pub mod operation;
pub mod providers;
pub mod rbac;
pub mod registry;
pub mod replicas;
pub mod request;
pub mod tenant;
pub mod verified_tokens;

pub use cloud::{Cloud, Registry, Settings};
pub use dispatch::handle;
pub use request::{ArmRequest, ArmResponse, Method};
