//! The OAuth 2.0 error body with Entra's AADSTS codes.

use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    #[error(
        "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{0}'."
    )]
    InvalidClientSecret(String),
    #[error(
        "AADSTS7000222: The provided client secret keys for app '{0}' are expired. Visit the Azure portal to create new keys for your app, or consider using certificate credentials for added security."
    )]
    ClientSecretExpired(String),
    #[error(
        "AADSTS700016: Application with identifier '{app_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
    )]
    UnknownApplication { app_id: String, tenant: String },
    #[error(
        "AADSTS90002: Tenant '{0}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
    )]
    UnknownTenant(String),
    #[error("AADSTS900144: The request body must contain the following parameter: '{0}'.")]
    MissingParameter(String),
    #[error(
        "AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope {0} is not valid."
    )]
    InvalidScope(String),
    #[error(
        "AADSTS500011: The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
    )]
    InvalidResource { resource: String, tenant: String },
    #[error("AADSTS70003: The app requested an unsupported grant type '{0}'.")]
    UnsupportedGrantType(String),
    #[error(
        "AADSTS900023: Specified tenant identifier '{0}' is neither a valid DNS name, nor a valid external domain."
    )]
    InvalidTenantIdentifier(String),
    #[error("AADSTS50000: There was an error issuing a token. Please retry.")]
    ServerError,
    #[error(
        "AADSTS700211: No matching federated identity record found for presented assertion issuer '{0}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
    )]
    NoFederatedIssuer(String),
    #[error(
        "AADSTS700212: No matching federated identity record found for presented assertion audience '{0}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
    )]
    NoFederatedAudience(String),
    #[error(
        "AADSTS700213: No matching federated identity record found for presented assertion subject '{0}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
    )]
    NoFederatedSubject(String),
    #[error(
        "AADSTS7002138: No matching federated identity record found for presented assertion subject '{0}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. See documentation at: https://learn.microsoft.com/entra/workload-id/workload-identity-federation."
    )]
    FederatedSubjectCase(String),
    #[error(
        "AADSTS7000272: The certificate with identifier {kid} used to sign the federated credential could not be found in the metadata of identity provider {issuer}. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token."
    )]
    UnknownAssertionKey { kid: String, issuer: String },
    #[error("AADSTS700027: Client assertion failed signature validation.")]
    AssertionSignature,
    #[error(
        "AADSTS700024: Client assertion is not within its valid time range. Current time: {now}, assertion valid from {from}, expiry time of assertion {until}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials ."
    )]
    AssertionTime {
        now: String,
        from: String,
        until: String,
    },
    #[error("AADSTS90061: Request to External OIDC endpoint failed.")]
    ExternalIssuer,
    #[error("AADSTS50027: JWT token is invalid or malformed.")]
    MalformedAssertion,
    #[error("AADSTS700222: AAD-issued tokens may not be used for federated identity flows.")]
    EntraAssertion,
    #[error("AADSTS50126: Error validating credentials due to invalid username or password.")]
    InvalidUserCredentials,
    #[error(
        "AADSTS50034: The user account {{EmailHidden}} does not exist in the {0} directory. To sign into this application, the account must be added to the directory."
    )]
    UnknownUser(String),
    #[error(
        "AADSTS50057: The user account is disabled. The account has been disabled by an administrator."
    )]
    UserDisabled,
    #[error("AADSTS9002313: Invalid request. Request is malformed or invalid.")]
    InvalidRefreshToken,
    #[error(
        "AADSTS700082: The refresh token has expired due to inactivity. The token was issued on {0} and was inactive for 90.00:00:00."
    )]
    RefreshTokenExpired(String),
}

impl OAuthError {
    pub fn error(&self) -> &'static str {
        use OAuthError::*;
        match self {
            InvalidClientSecret(_) | ClientSecretExpired(_) => "invalid_client",
            UnknownApplication { .. } => "unauthorized_client",
            UnknownTenant(_) | MissingParameter(_) | InvalidTenantIdentifier(_) => {
                "invalid_request"
            }
            InvalidScope(_) => "invalid_scope",
            InvalidResource { .. } => "invalid_resource",
            UnsupportedGrantType(_) => "unsupported_grant_type",
            ServerError => "server_error",
            ExternalIssuer => "invalid_request",
            InvalidUserCredentials
            | UnknownUser(_)
            | UserDisabled
            | InvalidRefreshToken
            | RefreshTokenExpired(_) => "invalid_grant",
            _ => "invalid_client",
        }
    }

    pub fn aadsts(&self) -> u32 {
        use OAuthError::*;
        match self {
            InvalidClientSecret(_) => 7000215,
            ClientSecretExpired(_) => 7000222,
            UnknownApplication { .. } => 700016,
            UnknownTenant(_) => 90002,
            MissingParameter(_) => 900144,
            InvalidScope(_) => 70011,
            InvalidResource { .. } => 500011,
            UnsupportedGrantType(_) => 70003,
            InvalidTenantIdentifier(_) => 900023,
            ServerError => 50000,
            NoFederatedIssuer(_) => 700211,
            NoFederatedAudience(_) => 700212,
            NoFederatedSubject(_) => 700213,
            FederatedSubjectCase(_) => 7002138,
            UnknownAssertionKey { .. } => 7000272,
            AssertionSignature => 700027,
            AssertionTime { .. } => 700024,
            ExternalIssuer => 90061,
            MalformedAssertion => 50027,
            EntraAssertion => 700222,
            InvalidUserCredentials => 50126,
            UnknownUser(_) => 50034,
            UserDisabled => 50057,
            InvalidRefreshToken => 9002313,
            RefreshTokenExpired(_) => 700082,
        }
    }

    pub fn status(&self) -> u16 {
        match (self, self.error()) {
            (OAuthError::ServerError, _) => 500,
            (_, "invalid_client") => 401,
            _ => 400,
        }
    }

    pub fn to_body(&self, trace_id: &str, correlation_id: &str, timestamp: &str) -> Value {
        json!({
            "error": self.error(),
            "error_description": format!(
                "{self} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {timestamp}"
            ),
            "error_codes": [self.aadsts()],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.aadsts()),
        })
    }
}
