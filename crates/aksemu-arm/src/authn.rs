//! Bearer-token authentication for ARM: signature by one of our keys, RS256 only,
//! our tenant's issuer, an ARM audience, and a valid time window.

use std::collections::HashMap;
use std::sync::Mutex;

use aksemu_core::{ArmError, Principal, PrincipalKind};
use aksemu_identity::{
    ARM_AUDIENCES, AccessTokenClaims, TokenExpectations, TokenVerifyError, v1_issuer, verify,
};
use time::OffsetDateTime;

use crate::cloud::Cloud;

/// Seconds of clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECS: u64 = 60;

/// Verified tokens: a hit means these very bytes passed verification before, so
/// only the time window and audience need checking again. Indexed by the tail of
/// the signature (cheap to hash, unique in practice) and confirmed by comparing the
/// whole token. Bounded; cleared when full.
#[derive(Default)]
pub struct VerifiedTokens {
    entries: Mutex<HashMap<String, Verified>>,
}

#[derive(Clone)]
struct Verified {
    token: String,
    principal: Principal,
    aud: String,
    nbf: i64,
    exp: i64,
}

const CACHE_CAPACITY: usize = 4096;

fn cache_key(token: &str) -> &str {
    let start = token.len().saturating_sub(48);
    token.get(start..).unwrap_or(token)
}

impl VerifiedTokens {
    fn get(&self, token: &str, now: i64, audiences: &[&str]) -> Option<Principal> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let v = entries.get(cache_key(token)).filter(|v| v.token == token)?;
        let leeway = LEEWAY_SECS as i64;
        (now >= v.nbf - leeway && now < v.exp + leeway && audiences.contains(&v.aud.as_str()))
            .then(|| v.principal.clone())
    }

    fn put(&self, token: &str, v: Verified) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= CACHE_CAPACITY {
            entries.clear();
        }
        entries.insert(cache_key(token).to_string(), v);
    }
}

fn unix_to_rfc3339(t: i64) -> String {
    OffsetDateTime::from_unix_timestamp(t)
        .map(aksemu_core::clock::rfc3339)
        .unwrap_or_default()
}

impl Cloud {
    /// Authenticates the `Authorization` header value of an ARM request.
    pub fn authenticate(&self, authorization: Option<&str>) -> Result<Principal, ArmError> {
        self.authenticate_for(authorization, ARM_AUDIENCES)
    }

    /// Authenticates a bearer token meant for one of `audiences`.
    pub fn authenticate_for(
        &self,
        authorization: Option<&str>,
        audiences: &[&str],
    ) -> Result<Principal, ArmError> {
        let header = authorization.ok_or(ArmError::AuthenticationFailedMissingToken)?;
        let token = match header.split_once(' ') {
            Some((scheme, token))
                if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
            {
                token.trim()
            }
            _ => return Err(ArmError::AuthenticationFailedInvalidHeader),
        };
        let now = OffsetDateTime::now_utc().unix_timestamp();
        if let Some(p) = self.verified_tokens.get(token, now, audiences) {
            return Ok(p);
        }
        let issuers = [v1_issuer(&self.tenant_id)];
        let keys: Vec<_> = self.keys.iter().collect();
        let expect = TokenExpectations {
            issuers: &issuers,
            audiences,
            leeway: LEEWAY_SECS,
        };
        let claims: AccessTokenClaims = verify(token, &keys, &expect).map_err(|e| {
            let now = aksemu_core::clock::rfc3339(OffsetDateTime::now_utc());
            match e {
                TokenVerifyError::Expired(exp) => ArmError::ExpiredAuthenticationToken {
                    expired_at: unix_to_rfc3339(exp),
                    now,
                },
                TokenVerifyError::NotYetValid(nbf) => ArmError::AuthenticationTokenNotYetValid {
                    not_before: unix_to_rfc3339(nbf),
                    now,
                },
                TokenVerifyError::Audience(aud) => {
                    ArmError::InvalidAuthenticationTokenAudience(aud)
                }
                TokenVerifyError::Issuer(iss) => {
                    ArmError::InvalidAuthenticationTokenTenant(iss, self.tenant_id.clone())
                }
                _ => ArmError::InvalidAuthenticationToken,
            }
        })?;
        let principal = Principal {
            kind: if claims.xms_mirid.is_some() {
                PrincipalKind::ManagedIdentity
            } else {
                PrincipalKind::Application
            },
            object_id: claims.oid,
            app_id: claims.appid,
            tenant_id: claims.tid,
        };
        self.verified_tokens.put(
            token,
            Verified {
                token: token.to_string(),
                principal: principal.clone(),
                aud: claims.aud.clone(),
                nbf: claims.nbf,
                exp: claims.exp,
            },
        );
        Ok(principal)
    }
}
