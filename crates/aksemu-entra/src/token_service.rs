//! The token service over the directory in the store: resolves the tenant (GUID or
//! domain), authenticates the client (its application's secret on the cloud
//! clock, or a federated client assertion), and mints a v1 access token for the
//! requested resource.

use std::collections::HashMap;

use aksemu_core::{Clock, ResourceId};
use aksemu_identity::federation;
use aksemu_identity::grant::{
    self, ClientCredential, EndpointVersion, app_token_claims, authenticate_client, same_resource,
};
use aksemu_identity::{ARM_AUDIENCES, OAuthError, ServicePrincipal, TokenResponse, mint};
use time::OffsetDateTime;

use crate::Entra;

/// Resources (App ID URIs) this cloud issues tokens for, besides ARM's.
pub(crate) const OTHER_RESOURCES: &[&str] = &[
    "https://graph.microsoft.com/",
    "https://containerregistry.azure.net/",
    // The AKS server application: Entra-integrated clusters' API servers.
    "6dae42f8-4368-4678-94ff-3960e28e3630",
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

    pub(crate) fn known_resource(&self, resource: &str, base_url: &str) -> bool {
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
        if let Some(user_req) = crate::user_sign_in::user_request(form, version)? {
            return self
                .issue_user_token(tenant_segment, user_req, version, base_url)
                .await;
        }
        let tenant_id = self.resolve_tenant(tenant_segment)?.to_string();
        let req = grant::parse_request(form, basic, version)?;
        let sp = self.authenticate_caller(&tenant_id, &req).await?;
        if !self.known_resource(&req.resource, base_url) {
            return Err(OAuthError::InvalidResource {
                resource: req.resource,
                tenant: tenant_id,
            });
        }
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let mut claims = app_token_claims(&sp, &req.resource, now, self.token_lifetime_secs, "1");
        if sp.service_principal_type == "ManagedIdentity" {
            claims.xms_mirid = sp.service_principal_names.get(1).cloned();
        }
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
            scope: None,
            refresh_token: None,
            id_token: None,
            client_info: None,
        })
    }

    /// The service principal the request authenticates: an application by
    /// its secret, or an application or managed identity by a federated
    /// client assertion.
    async fn authenticate_caller(
        &self,
        tenant_id: &str,
        req: &grant::TokenRequest,
    ) -> Result<ServicePrincipal, OAuthError> {
        let server_error = |_| OAuthError::ServerError;
        let app = self
            .application_by_app_id(tenant_id, &req.client_id)
            .await
            .map_err(server_error)?;
        let sp = self
            .service_principal_by_app_id(tenant_id, &req.client_id)
            .await
            .map_err(server_error)?;
        let unknown = || OAuthError::UnknownApplication {
            app_id: req.client_id.clone(),
            tenant: tenant_id.to_string(),
        };
        let (_, sp) = sp.ok_or_else(unknown)?;
        match &req.credential {
            ClientCredential::Secret(secret) => {
                let (_, app) = app.ok_or_else(unknown)?;
                authenticate_client(&app, secret, self.clock.now())?;
            }
            ClientCredential::Assertion(assertion) => {
                let fics = match app {
                    Some((_, app)) => app.federated_identity_credentials,
                    None => self.federated_credentials(&sp).await?,
                };
                self.check_assertion(assertion, &fics).await?;
            }
        }
        Ok(sp)
    }

    /// A managed identity's federated credentials (kept on its ARM resource).
    async fn federated_credentials(
        &self,
        sp: &ServicePrincipal,
    ) -> Result<Vec<federation::FederatedCredential>, OAuthError> {
        if sp.service_principal_type != "ManagedIdentity" {
            return Ok(Vec::new());
        }
        let Some(id) = sp
            .service_principal_names
            .get(1)
            .and_then(|n| ResourceId::parse(n).ok())
        else {
            return Ok(Vec::new());
        };
        self.resources
            .federated_credentials(&id)
            .await
            .map_err(|_| OAuthError::ServerError)
    }

    /// Matches the assertion to a credential and verifies it with its
    /// issuer's keys (only issuers this cloud runs: nothing is fetched).
    async fn check_assertion(
        &self,
        assertion: &str,
        fics: &[federation::FederatedCredential],
    ) -> Result<(), OAuthError> {
        let presented = federation::presented(assertion)?;
        let credential = federation::matching(fics, &presented)?;
        let issuers = self.issuers.get().ok_or(OAuthError::ExternalIssuer)?;
        let keys = issuers
            .keys(&presented.iss)
            .await
            .ok_or(OAuthError::ExternalIssuer)?;
        let refs: Vec<&aksemu_identity::SigningKey> = keys.iter().map(|k| k.as_ref()).collect();
        let now = self.clock.now().unix_timestamp();
        federation::verify_assertion(assertion, &refs, &presented, credential, now)
    }
}
