//! A user's tokens: the password grant (`az login -u … -p …`) and the
//! refresh-token grant, for public clients (az, kubelogin, the SDKs' developer
//! credentials) and the tenant's own applications. The access token carries
//! the user's transitive groups (or Entra's overage claim past 200).

use aksemu_identity::grant::EndpointVersion;
use aksemu_identity::user_grant::{
    self, UserCredential, UserRequest, check_password, client_info, id_token, refresh_token,
    user_token_claims, verify_refresh,
};
use aksemu_identity::{OAuthError, TokenResponse, User, mint};
use time::OffsetDateTime;

use crate::Entra;

/// Microsoft's first-party public clients, present in every tenant: the Azure
/// CLI, Azure PowerShell, kubelogin's (the AKS client application) and VS Code.
const FIRST_PARTY_CLIENTS: &[&str] = &[
    "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
    "1950a258-227b-4e31-a9cf-717495945fc2",
    "80faf920-1908-4b52-b5ef-a8e7bedfc67a",
    "aebc6443-996d-45c2-90f0-388ff96faa56",
];

impl Entra {
    /// The tenant a user grant is for: ours, also under the multi-tenant
    /// aliases MSAL uses (`organizations`, `common`).
    pub fn user_tenant(&self, segment: &str) -> Result<String, OAuthError> {
        if ["organizations", "common"]
            .iter()
            .any(|a| segment.eq_ignore_ascii_case(a))
        {
            return Ok(self.tenant_id.clone());
        }
        self.resolve_tenant(segment).map(str::to_string)
    }

    async fn known_client(&self, tenant_id: &str, client_id: &str) -> Result<(), OAuthError> {
        if FIRST_PARTY_CLIENTS
            .iter()
            .any(|c| c.eq_ignore_ascii_case(client_id))
        {
            return Ok(());
        }
        match self.application_by_app_id(tenant_id, client_id).await {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(OAuthError::UnknownApplication {
                app_id: client_id.to_string(),
                tenant: tenant_id.to_string(),
            }),
            Err(_) => Err(OAuthError::ServerError),
        }
    }

    /// The user the credential proves.
    async fn signed_in_user(&self, tenant_id: &str, req: &UserRequest) -> Result<User, OAuthError> {
        let server = |_| OAuthError::ServerError;
        match &req.credential {
            UserCredential::Password { username, password } => {
                let (_, user) = self
                    .user(username)
                    .await
                    .map_err(server)?
                    .ok_or_else(|| OAuthError::UnknownUser(self.tenant_domain.clone()))?;
                check_password(&user, password)?;
                Ok(user)
            }
            UserCredential::Refresh(token) => {
                let keys: Vec<_> = self.keys().iter().collect();
                let oid = verify_refresh(&keys, token, tenant_id, &req.client_id)?;
                let (_, user) = self
                    .user(&oid)
                    .await
                    .map_err(server)?
                    .ok_or(OAuthError::InvalidRefreshToken)?;
                if !user.account_enabled {
                    return Err(OAuthError::UserDisabled);
                }
                Ok(user)
            }
        }
    }

    /// Handles a password or refresh-token grant.
    pub async fn issue_user_token(
        &self,
        tenant_segment: &str,
        req: UserRequest,
        version: EndpointVersion,
        base_url: &str,
    ) -> Result<TokenResponse, OAuthError> {
        let tenant_id = self.user_tenant(tenant_segment)?;
        self.known_client(&tenant_id, &req.client_id).await?;
        let user = self.signed_in_user(&tenant_id, &req).await?;
        if !self.known_resource(&req.resource, base_url) {
            return Err(OAuthError::InvalidResource {
                resource: req.resource,
                tenant: tenant_id,
            });
        }
        let groups = self
            .member_group_ids(&user.id)
            .await
            .map_err(|_| OAuthError::ServerError)?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let life = (now, self.token_lifetime_secs);
        let claims = user_token_claims(&user, &groups, &req.client_id, &req.resource, life);
        let key = self.signing_key().ok_or(OAuthError::ServerError)?;
        let v1 = version == EndpointVersion::V1;
        let r = req.resource.trim_end_matches('/');
        let r = if req.resource.ends_with('/') {
            format!("{r}/")
        } else {
            r.to_string()
        };
        Ok(TokenResponse {
            token_type: "Bearer",
            expires_in: self.token_lifetime_secs,
            ext_expires_in: self.token_lifetime_secs,
            expires_on: v1.then(|| claims.exp.to_string()),
            not_before: v1.then(|| claims.nbf.to_string()),
            resource: v1.then(|| req.resource.clone()),
            access_token: mint(key, &claims),
            scope: Some(format!("{r}/user_impersonation {r}/.default")),
            refresh_token: Some(refresh_token(key, &user, &req.client_id, now)),
            id_token: Some(id_token(key, &user, &req.client_id, life)),
            client_info: Some(client_info(&user)),
        })
    }
}

/// The grant a form asks for, if it is one of the user grants.
pub fn user_request(
    form: &std::collections::HashMap<String, String>,
    version: EndpointVersion,
) -> Result<Option<UserRequest>, OAuthError> {
    user_grant::parse(form, version)
}
