//! Managed-identity token endpoints, answered in the context of a host, as on a
//! real VM: the IMDS protocol (`/metadata/identity/oauth2/token`, `Metadata: true`,
//! `client_id` / `object_id` / `msi_res_id`) and the App Service protocol
//! (`X-IDENTITY-HEADER`, `mi_res_id`). A host holds user-assigned identities; the
//! token's `xms_mirid` names the identity and `xms_az_rid` the host. Tokens are
//! cached per host, identity and resource, as the managed-identity service does.

pub mod cache;
mod hosts;
mod token;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A host that identities are assigned to (a VM or scale set in Azure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Host {
    /// Path segment that addresses the host's endpoint.
    pub token: String,
    /// The host's ARM id (`xms_az_rid`).
    pub resource_id: String,
    /// App Service's `X-IDENTITY-HEADER` value.
    pub secret: String,
    /// Resource ids of the user-assigned identities on the host.
    pub identities: Vec<String>,
    /// The host is an ARM resource (a scale set): its identities are read from
    /// its `identity` block on every request, so changes apply at once.
    #[serde(default)]
    pub from_resource: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Imds,
    AppService,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImdsError {
    #[error("Required metadata header not specified")]
    MissingMetadataHeader,
    #[error("Required query variable '{0}' is missing")]
    MissingParameter(&'static str),
    #[error("Duplicate query parameter '{0}'")]
    DuplicateParameter(String),
    #[error("Requests with X-Forwarded-For are not allowed")]
    Forwarded,
    #[error("Identity not found")]
    IdentityNotFound,
    #[error(
        "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request"
    )]
    AmbiguousIdentity,
    #[error(
        "AADSTS500011: The resource principal named {0} was not found in the tenant named {1}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
    )]
    InvalidResource(String, String),
    #[error("The X-IDENTITY-HEADER is missing or does not match this host.")]
    BadIdentityHeader,
    #[error("An unexpected error occurred.")]
    Internal,
}

impl ImdsError {
    pub fn status(&self) -> u16 {
        match self {
            ImdsError::BadIdentityHeader => 401,
            ImdsError::Internal => 500,
            _ => 400,
        }
    }

    pub fn to_body(&self) -> Value {
        let error = match self {
            ImdsError::MissingMetadataHeader => "bad_request_102",
            ImdsError::InvalidResource(..) => "invalid_resource",
            ImdsError::BadIdentityHeader => "unauthorized",
            ImdsError::Internal => "unknown",
            _ => "invalid_request",
        };
        json!({"error": error, "error_description": self.to_string()})
    }
}

/// What the HTTP layer extracted from a token request.
pub struct ImdsRequest<'a> {
    pub protocol: Protocol,
    pub host_token: Option<&'a str>,
    /// Raw query pairs, in order (duplicates are an error).
    pub query: Vec<(String, String)>,
    pub metadata_header: Option<&'a str>,
    pub identity_header: Option<&'a str>,
    pub forwarded_for: bool,
    pub base_url: &'a str,
}
