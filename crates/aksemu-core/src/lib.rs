//! Pure types shared by every layer of aksemu: resource ids, api-versions, the ARM
//! error type, the caller, the clock, the request as surfaces see it and the OData filters
//! they share, and the seam between a managed cluster and its Kubernetes API
//! (`cluster_plane`, a trait both sides implement or call). No I/O, no HTTP types.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod api_version;
pub mod clock;
pub mod cluster_cloud;
pub mod cluster_plane;
pub mod error;
pub mod identity_block;
pub mod odata;
pub mod principal;
pub mod request;
pub mod resource_id;
pub mod system_data;

pub use api_version::ApiVersion;
pub use clock::{Clock, SystemClock, VirtualClock};
pub use error::ArmError;
pub use identity_block::IdentityBlock;
pub use principal::{Principal, PrincipalKind};
pub use resource_id::ResourceId;
