//! Entra ID, emulated: signing keys, RS256 access tokens, OIDC discovery and JWKS,
//! the OAuth error body, directory objects and their credentials, and the
//! client-credentials grant. No storage and no HTTP: callers bring the records.

pub mod claims;
pub mod directory;
pub mod discovery;
pub mod federation;
pub mod grant;
pub mod jwt;
pub mod keys;
pub mod oauth_error;
pub mod people;
pub mod secret;
pub mod user_grant;

pub use claims::AccessTokenClaims;
pub use directory::{Application, PasswordCredential, ServicePrincipal};
pub use grant::{TokenRequest, TokenResponse};
pub use jwt::{TokenExpectations, TokenVerifyError, mint, verify, verify_at};
pub use keys::SigningKey;
pub use oauth_error::OAuthError;
pub use people::{Group, User};

/// The issuer of v1 access tokens for a tenant, as Entra writes it.
pub fn v1_issuer(tenant_id: &str) -> String {
    format!("https://sts.windows.net/{tenant_id}/")
}

/// Audiences that ARM accepts (the token's `aud`).
pub const ARM_AUDIENCES: &[&str] = &[
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
    "https://management.azure.com/",
    "https://management.azure.com",
];
