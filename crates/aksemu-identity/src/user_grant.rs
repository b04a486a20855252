//! A user's sign-in: the resource-owner password grant (`az login -u … -p …`)
//! and the refresh-token grant MSAL uses for every later token, with what a
//! public client caches (an id token, `client_info`, a refresh token). The
//! refresh token is a JWT this cloud signs for its own audience only, so no
//! surface accepts it as an access token.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::claims::AccessTokenClaims;
use crate::grant::{EndpointVersion, OIDC_SCOPES, resource_from_scope};
use crate::jwt::{TokenExpectations, mint, verify};
use crate::keys::SigningKey;
use crate::oauth_error::OAuthError;
use crate::people::User;
use crate::{secret, v1_issuer};

/// How the user proves itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserCredential {
    Password { username: String, password: String },
    Refresh(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRequest {
    pub client_id: String,
    pub credential: UserCredential,
    /// The resource the access token is for (its `aud`).
    pub resource: String,
}

/// Groups carried in a token at most; past this, the overage claim.
pub const GROUPS_IN_TOKEN: usize = 200;
/// A refresh token's audience: nothing else accepts it.
const REFRESH_AUDIENCE: &str = "urn:aksemu:refresh-token";
/// Refresh tokens live 90 days (real time, as access tokens do).
const REFRESH_LIFETIME_SECS: i64 = 90 * 24 * 3600;

/// The user grants' request, or `None` for another grant type.
pub fn parse(
    form: &HashMap<String, String>,
    version: EndpointVersion,
) -> Result<Option<UserRequest>, OAuthError> {
    let field = |name: &str| form.get(name).map(|s| s.trim()).filter(|s| !s.is_empty());
    let required = |name: &str| {
        field(name)
            .map(str::to_string)
            .ok_or_else(|| OAuthError::MissingParameter(name.into()))
    };
    let credential = match field("grant_type") {
        Some("password") => UserCredential::Password {
            username: required("username")?,
            // A password is compared as sent.
            password: form
                .get("password")
                .filter(|p| !p.is_empty())
                .cloned()
                .ok_or_else(|| OAuthError::MissingParameter("password".into()))?,
        },
        Some("refresh_token") => UserCredential::Refresh(required("refresh_token")?),
        _ => return Ok(None),
    };
    let client_id = required("client_id")?;
    let resource = match version {
        EndpointVersion::V1 => required("resource")?,
        EndpointVersion::V2 => delegated_resource(&required("scope")?)?,
    };
    Ok(Some(UserRequest {
        client_id,
        credential,
        resource,
    }))
}

/// The resource of delegated scopes: `<resource>/.default` or
/// `<resource>/<permission>` beside OIDC's own scopes.
fn delegated_resource(scope: &str) -> Result<String, OAuthError> {
    if let Ok(r) = resource_from_scope(scope) {
        return Ok(r);
    }
    let resources: Vec<&str> = scope
        .split_whitespace()
        .filter(|s| !OIDC_SCOPES.contains(s))
        .collect();
    match resources.as_slice() {
        [one] => one
            .rsplit_once('/')
            .map(|(r, _)| format!("{r}/"))
            .filter(|r| r.len() > 1)
            .ok_or_else(|| OAuthError::InvalidScope(scope.to_string())),
        _ => Err(OAuthError::InvalidScope(scope.to_string())),
    }
}

/// The password check, after the user was found by name.
pub fn check_password(user: &User, password: &str) -> Result<(), OAuthError> {
    if !secret::matches(password, &user.password_hash) {
        return Err(OAuthError::InvalidUserCredentials);
    }
    if !user.account_enabled {
        return Err(OAuthError::UserDisabled);
    }
    Ok(())
}

/// A v1 access token for the user: `upn`, `oid`, delegated `scp`, and the
/// user's groups (or, past 200, the overage claim pointing at Graph).
pub fn user_token_claims(
    user: &User,
    groups: &[String],
    client_id: &str,
    resource: &str,
    (now, lifetime): (i64, i64),
) -> AccessTokenClaims {
    let iss = v1_issuer(&user.tenant_id);
    let overage = groups.len() > GROUPS_IN_TOKEN;
    AccessTokenClaims {
        aud: resource.to_string(),
        iss: iss.clone(),
        iat: now,
        nbf: now,
        exp: now + lifetime,
        aio: secret::opaque(36),
        appid: client_id.to_string(),
        appidacr: "0".to_string(),
        idp: iss,
        idtyp: "user".to_string(),
        oid: user.id.clone(),
        rh: format!("0.{}.", secret::opaque(24)),
        sub: user.id.clone(),
        tid: user.tenant_id.clone(),
        uti: secret::opaque(16),
        ver: "1.0".to_string(),
        xms_mirid: None,
        xms_az_rid: None,
        upn: Some(user.user_principal_name.clone()),
        unique_name: Some(user.user_principal_name.clone()),
        name: Some(user.display_name.clone()),
        scp: Some("user_impersonation".to_string()),
        amr: Some(vec!["pwd".to_string()]),
        groups: (!overage).then(|| groups.to_vec()),
        claim_names: overage.then(|| serde_json::json!({"groups": "src1"})),
        claim_sources: overage.then(|| {
            serde_json::json!({"src1": {"endpoint": format!(
                "https://graph.windows.net/{}/users/{}/getMemberObjects",
                user.tenant_id, user.id
            )}})
        }),
    }
}

#[derive(Serialize)]
struct IdTokenClaims<'a> {
    aud: &'a str,
    iss: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    name: &'a str,
    oid: &'a str,
    preferred_username: &'a str,
    sub: &'a str,
    tid: &'a str,
    ver: &'static str,
}

/// The v2 id token MSAL caches the account from.
pub fn id_token(
    key: &SigningKey,
    user: &User,
    client_id: &str,
    (now, lifetime): (i64, i64),
) -> String {
    mint(
        key,
        &IdTokenClaims {
            aud: client_id,
            iss: format!("https://login.microsoftonline.com/{}/v2.0", user.tenant_id),
            iat: now,
            nbf: now,
            exp: now + lifetime,
            name: &user.display_name,
            oid: &user.id,
            preferred_username: &user.user_principal_name,
            sub: &user.id,
            tid: &user.tenant_id,
            ver: "2.0",
        },
    )
}

/// `client_info`: the account's home object and tenant ids, base64url JSON.
pub fn client_info(user: &User) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::json!({"uid": user.id, "utid": user.tenant_id}).to_string())
}

#[derive(Debug, Serialize, Deserialize)]
pub struct RefreshClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub tid: String,
    pub appid: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

pub fn refresh_token(key: &SigningKey, user: &User, client_id: &str, now: i64) -> String {
    mint(
        key,
        &RefreshClaims {
            iss: v1_issuer(&user.tenant_id),
            aud: REFRESH_AUDIENCE.to_string(),
            sub: user.id.clone(),
            tid: user.tenant_id.clone(),
            appid: client_id.to_string(),
            iat: now,
            nbf: now,
            exp: now + REFRESH_LIFETIME_SECS,
        },
    )
}

/// A refresh token this tenant issued to `client_id`: the user's object id.
pub fn verify_refresh(
    keys: &[&SigningKey],
    token: &str,
    tenant_id: &str,
    client_id: &str,
) -> Result<String, OAuthError> {
    let issuers = [v1_issuer(tenant_id)];
    let expect = TokenExpectations {
        issuers: &issuers,
        audiences: &[REFRESH_AUDIENCE],
        leeway: 0,
    };
    let claims: RefreshClaims = verify(token, keys, &expect).map_err(|e| match e {
        crate::jwt::TokenVerifyError::Expired(_) => OAuthError::RefreshTokenExpired(String::new()),
        _ => OAuthError::InvalidRefreshToken,
    })?;
    if !claims.appid.eq_ignore_ascii_case(client_id) {
        return Err(OAuthError::InvalidRefreshToken);
    }
    Ok(claims.sub)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delegated_scopes_name_their_resource() {
        assert_eq!(
            delegated_resource(
                "https://management.core.windows.net//.default offline_access openid profile"
            ),
            Ok("https://management.core.windows.net/".to_string())
        );
        assert_eq!(
            delegated_resource("https://graph.microsoft.com/User.Read openid"),
            Ok("https://graph.microsoft.com/".to_string())
        );
        assert_eq!(
            delegated_resource("6dae42f8-4368-4678-94ff-3960e28e3630/.default"),
            Ok("6dae42f8-4368-4678-94ff-3960e28e3630".to_string())
        );
        assert!(delegated_resource("openid profile").is_err());
    }
}
