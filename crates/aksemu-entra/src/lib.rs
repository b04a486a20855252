//! The identity plane: the tenant, its directory objects (applications and
//! service principals), the token service, Microsoft Graph, token verification
//! for every surface, and the managed-identity endpoints. No HTTP types; ARM
//! resources are reached only through the `ResourceIdentities` trait, which
//! aksemu-arm implements, so this crate does not depend on ARM.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod authn;
pub mod collections;
pub mod context;
pub mod directory;
pub mod find;
pub mod graph;
pub mod imds;
pub mod people;
pub mod resources;
pub mod tenant;
pub mod token_service;
pub mod user_sign_in;
pub mod verified_tokens;

pub use context::{Entra, EntraSettings};
pub use resources::{ResourceIdentities, UserAssigned};
pub use tenant::Bootstrap;
