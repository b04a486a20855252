//! Tokens for the cluster's own components (controllers, scheduler, kubelets),
//! which call the API through the same path as any client: signed by the
//! cluster's key like service-account tokens, but with their own issuer and
//! audience so neither kind can pass for the other. They never leave the process.

use serde::{Deserialize, Serialize};

use aksemu_identity::TokenExpectations;

use crate::KubeApi;
use crate::error::KubeError;
use crate::rbac::UserInfo;

const ISSUER: &str = "aksemu:system";
const AUDIENCE: &str = "aksemu:system";
/// How long a component token lives; callers mint a new one before then.
pub const LIFETIME_SECS: i64 = 3600;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SystemClaims {
    aud: String,
    iss: String,
    sub: String,
    groups: Vec<String>,
    exp: i64,
    iat: i64,
    nbf: i64,
}

/// A token for `username` in `groups`, for cluster `uid`.
pub async fn mint(
    api: &KubeApi,
    uid: &str,
    username: &str,
    groups: &[&str],
) -> Result<String, KubeError> {
    let key = crate::sa_tokens::key(api, uid).await?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = SystemClaims {
        aud: AUDIENCE.into(),
        iss: ISSUER.into(),
        sub: username.into(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        exp: now + LIFETIME_SECS,
        iat: now,
        nbf: now,
    };
    Ok(aksemu_identity::mint(&key, &claims))
}

/// Whether a token says it is a component's (its unverified issuer): which
/// verification to run, so a token's signature is checked once, not twice.
pub fn claims_component(token: &str) -> bool {
    aksemu_identity::jwt::unverified(token)["iss"] == ISSUER
}

/// The component a token of cluster `uid` stands for, if it is one.
pub async fn verify(api: &KubeApi, uid: &str, token: &str) -> Option<UserInfo> {
    let key = crate::sa_tokens::key(api, uid).await.ok()?;
    let issuers = vec![ISSUER.to_string()];
    let expect = TokenExpectations {
        issuers: &issuers,
        audiences: &[AUDIENCE],
        leeway: 0,
    };
    let c: SystemClaims = aksemu_identity::verify(token, &[key.as_ref()], &expect).ok()?;
    let mut groups = c.groups;
    groups.push(crate::users::AUTHENTICATED.into());
    Some(UserInfo {
        username: c.sub,
        uid: String::new(),
        groups,
    })
}
