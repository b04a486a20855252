//! Bearer-token authentication for ARM: signature by one of our keys, RS256 only,
//! our tenant's issuer, an ARM audience, and a valid time window.

use aksemu_core::{ArmError, Principal, PrincipalKind};
use aksemu_identity::{
    ARM_AUDIENCES, AccessTokenClaims, TokenExpectations, TokenVerifyError, v1_issuer, verify,
};
use time::OffsetDateTime;

use crate::Entra;

use crate::verified_tokens::{LEEWAY_SECS, Verified};

fn unix_to_rfc3339(t: i64) -> String {
    OffsetDateTime::from_unix_timestamp(t)
        .map(aksemu_core::clock::rfc3339)
        .unwrap_or_default()
}

impl Entra {
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
        let keys: Vec<_> = self.keys().iter().collect();
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
        // The issuer is ours (checked above); a token naming another tenant
        // in `tid` is not one we issued for this tenant.
        if !claims.tid.eq_ignore_ascii_case(&self.tenant_id) {
            return Err(ArmError::InvalidAuthenticationTokenTenant(
                format!("https://sts.windows.net/{}/", claims.tid),
                self.tenant_id.clone(),
            ));
        }
        let principal = Principal {
            kind: if claims.xms_mirid.is_some() {
                PrincipalKind::ManagedIdentity
            } else if claims.idtyp == "user" {
                PrincipalKind::User
            } else {
                PrincipalKind::Application
            },
            groups: claims.groups.clone().unwrap_or_default(),
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
