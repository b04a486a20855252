//! The client-credentials grant: request parsing and validation in Entra's order,
//! client authentication against stored secret digests, and the app-only claim set.

use std::collections::HashMap;

use serde::Serialize;
use time::OffsetDateTime;

use crate::claims::AccessTokenClaims;
use crate::directory::{Application, ServicePrincipal};
use crate::oauth_error::OAuthError;
use crate::{secret, v1_issuer};

/// Which token endpoint was called: v1 takes `resource=`, v2 takes `scope=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointVersion {
    V1,
    V2,
}

/// How the client proves itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientCredential {
    Secret(String),
    /// A JWT client assertion (`client_assertion_type=…:jwt-bearer`): for
    /// applications and managed identities with federated credentials.
    Assertion(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    pub client_id: String,
    pub credential: ClientCredential,
    /// The resource the token is for (its `aud`).
    pub resource: String,
}

/// Scopes that OIDC clients add and that do not name a resource.
pub(crate) const OIDC_SCOPES: &[&str] = &["openid", "profile", "offline_access", "email"];

/// Parses a token request body. `basic` is the HTTP Basic client authentication,
/// if any (`client_secret_basic`).
pub fn parse_request(
    form: &HashMap<String, String>,
    basic: Option<(String, String)>,
    version: EndpointVersion,
) -> Result<TokenRequest, OAuthError> {
    let field = |name: &str| form.get(name).map(|s| s.trim()).filter(|s| !s.is_empty());
    let grant =
        field("grant_type").ok_or_else(|| OAuthError::MissingParameter("grant_type".into()))?;
    if grant != "client_credentials" {
        return Err(OAuthError::UnsupportedGrantType(grant.to_string()));
    }
    let (basic_id, basic_secret) = basic.unzip();
    let client_id = field("client_id")
        .map(str::to_string)
        .or(basic_id)
        .ok_or_else(|| OAuthError::MissingParameter("client_id".into()))?;
    let resource = match version {
        EndpointVersion::V1 => field("resource")
            .ok_or_else(|| OAuthError::MissingParameter("resource".into()))?
            .to_string(),
        EndpointVersion::V2 => {
            let scope =
                field("scope").ok_or_else(|| OAuthError::MissingParameter("scope".into()))?;
            resource_from_scope(scope)?
        }
    };
    let credential = match field("client_assertion_type") {
        Some(t) if t == crate::federation::JWT_BEARER => ClientCredential::Assertion(
            field("client_assertion")
                .ok_or_else(|| OAuthError::MissingParameter("client_assertion".into()))?
                .to_string(),
        ),
        // A secret is compared as sent: spaces are part of it.
        _ => ClientCredential::Secret(
            form.get("client_secret")
                .filter(|s| !s.is_empty())
                .cloned()
                .or(basic_secret)
                .ok_or_else(|| OAuthError::MissingParameter("client_secret".into()))?,
        ),
    };
    Ok(TokenRequest {
        client_id,
        credential,
        resource,
    })
}

/// `https://management.core.windows.net//.default` → `https://management.core.windows.net/`.
/// Client credentials allow exactly one `<resource>/.default` scope.
pub(crate) fn resource_from_scope(scope: &str) -> Result<String, OAuthError> {
    let resources: Vec<&str> = scope
        .split_whitespace()
        .filter(|s| !OIDC_SCOPES.contains(s))
        .collect();
    match resources.as_slice() {
        [one] => one
            .strip_suffix("/.default")
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .ok_or_else(|| OAuthError::InvalidScope(scope.to_string())),
        _ => Err(OAuthError::InvalidScope(scope.to_string())),
    }
}

/// Checks the presented secret against the application's password credentials,
/// on the cloud's clock.
pub fn authenticate_client(
    app: &Application,
    presented: &str,
    now: OffsetDateTime,
) -> Result<(), OAuthError> {
    let matching = app
        .password_credentials
        .iter()
        .find(|c| secret::matches(presented, &c.secret_hash))
        .ok_or_else(|| OAuthError::InvalidClientSecret(app.app_id.clone()))?;
    if matching.end_date_time.is_some_and(|end| end <= now) {
        return Err(OAuthError::ClientSecretExpired(app.app_id.clone()));
    }
    if matching.start_date_time > now {
        // Entra treats a not-yet-valid secret as an invalid one.
        return Err(OAuthError::InvalidClientSecret(app.app_id.clone()));
    }
    Ok(())
}

/// Normalises a resource for comparison: Entra matches App ID URIs with or without
/// the trailing slash.
pub fn same_resource(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// The claim set of an app-only v1 token. Token lifetimes use real time so that
/// clients' caches behave; `now` here is wall-clock.
pub fn app_token_claims(
    sp: &ServicePrincipal,
    resource: &str,
    now_unix: i64,
    lifetime_secs: i64,
    appidacr: &str,
) -> AccessTokenClaims {
    let iss = v1_issuer(&sp.tenant_id);
    AccessTokenClaims {
        aud: resource.to_string(),
        iss: iss.clone(),
        iat: now_unix,
        nbf: now_unix,
        exp: now_unix + lifetime_secs,
        aio: secret::opaque(36),
        appid: sp.app_id.clone(),
        appidacr: appidacr.to_string(),
        idp: iss,
        idtyp: "app".to_string(),
        oid: sp.id.clone(),
        rh: format!("0.{}.", secret::opaque(24)),
        sub: sp.id.clone(),
        tid: sp.tenant_id.clone(),
        uti: secret::opaque(16),
        ver: "1.0".to_string(),
        xms_mirid: None,
        xms_az_rid: None,
        upn: None,
        unique_name: None,
        name: None,
        scp: None,
        amr: None,
        groups: None,
        claim_names: None,
        claim_sources: None,
    }
}

/// The token endpoint's success body.
#[derive(Debug, Clone, Serialize)]
pub struct TokenResponse {
    pub token_type: &'static str,
    pub expires_in: i64,
    pub ext_expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub access_token: String,
    /// Delegated flows (a user's sign-in): what MSAL caches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_info: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn v2_scope_yields_resource() {
        let r = parse_request(
            &form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "a"),
                ("client_secret", "s"),
                ("scope", "https://management.core.windows.net//.default"),
            ]),
            None,
            EndpointVersion::V2,
        );
        assert_eq!(
            r.map(|r| r.resource),
            Ok("https://management.core.windows.net/".to_string())
        );
    }

    #[test]
    fn errors_in_entra_order() {
        let v2 = EndpointVersion::V2;
        let code = |f: &[(&str, &str)]| parse_request(&form(f), None, v2).err().map(|e| e.aadsts());
        assert_eq!(code(&[]), Some(900144));
        assert_eq!(code(&[("grant_type", "authorization_code")]), Some(70003));
        assert_eq!(code(&[("grant_type", "client_credentials")]), Some(900144));
        assert_eq!(
            code(&[
                ("grant_type", "client_credentials"),
                ("client_id", "a"),
                ("scope", "https://x/read")
            ]),
            Some(70011)
        );
        let basic = parse_request(
            &form(&[
                ("grant_type", "client_credentials"),
                ("scope", "https://x/.default"),
            ]),
            Some(("id".into(), "sec".into())),
            v2,
        );
        assert_eq!(
            basic.map(|r| (r.client_id, r.credential)),
            Ok(("id".into(), ClientCredential::Secret("sec".into())))
        );
    }
}
