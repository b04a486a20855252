//! The token service over the directory in the store: resolves the tenant (GUID or
//! domain), authenticates the client against its application's credentials on
//! the cloud clock, and mints a v1 access token for the requested resource.

use std::collections::HashMap;

use aksemu_core::Clock;
use aksemu_identity::grant::{
    self, EndpointVersion, app_token_claims, authenticate_client, same_resource,
};
use aksemu_identity::{ARM_AUDIENCES, OAuthError, TokenResponse, mint};
use time::OffsetDateTime;

use crate::Entra;

/// Resources (App ID URIs) this cloud issues tokens for, besides ARM's.
const OTHER_RESOURCES: &[&str] = &[
    "https://graph.microsoft.com/",
    "https://containerregistry.azure.net/",
];

impl Entra {
    /// The tenant GUID a path segment names, if it is ours.
    pub fn resolve_tenant(&self, segment: &str) -> Result<&str, OAuthError> {
        if segment.eq_ignore_ascii_case(&self.tenant_id)
            || segment.eq_ignore_ascii_case(&self.tenant_domain)
        {
            Ok(&self.tenant_id)
        } else if segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.".contains(c))
            && !segment.is_empty()
        {
            Err(OAuthError::UnknownTenant(segment.to_string()))
        } else {
            Err(OAuthError::InvalidTenantIdentifier(segment.to_string()))
        }
    }

    fn known_resource(&self, resource: &str, base_url: &str) -> bool {
        ARM_AUDIENCES
            .iter()
            .chain(OTHER_RESOURCES)
            .any(|r| same_resource(r, resource))
            || same_resource(base_url, resource)
    }

    /// Handles a token request (client credentials with a secret).
    pub async fn issue_token(
        &self,
        tenant_segment: &str,
        form: &HashMap<String, String>,
        basic: Option<(String, String)>,
        version: EndpointVersion,
        base_url: &str,
    ) -> Result<TokenResponse, OAuthError> {
        let tenant_id = self.resolve_tenant(tenant_segment)?.to_string();
        let req = grant::parse_request(form, basic, version)?;
        let server_error = |_| OAuthError::ServerError;
        let app = self
            .application_by_app_id(&tenant_id, &req.client_id)
            .await
            .map_err(server_error)?;
        let sp = self
            .service_principal_by_app_id(&tenant_id, &req.client_id)
            .await
            .map_err(server_error)?;
        let (Some((_, app)), Some((_, sp))) = (app, sp) else {
            return Err(OAuthError::UnknownApplication {
                app_id: req.client_id,
                tenant: tenant_id,
            });
        };
        authenticate_client(&app, &req.client_secret, self.clock.now())?;
        if !self.known_resource(&req.resource, base_url) {
            return Err(OAuthError::InvalidResource {
                resource: req.resource,
                tenant: tenant_id,
            });
        }
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let claims = app_token_claims(&sp, &req.resource, now, self.token_lifetime_secs, "1");
        let key = self.signing_key().ok_or(OAuthError::ServerError)?;
        let access_token = mint(key, &claims);
        let v1 = version == EndpointVersion::V1;
        Ok(TokenResponse {
            token_type: "Bearer",
            expires_in: self.token_lifetime_secs,
            ext_expires_in: self.token_lifetime_secs,
            expires_on: v1.then(|| claims.exp.to_string()),
            not_before: v1.then(|| claims.nbf.to_string()),
            resource: v1.then(|| req.resource.clone()),
            access_token,
        })
    }
}
