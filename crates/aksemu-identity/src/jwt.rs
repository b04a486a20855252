//! Minting and verifying RS256 JWTs.
//!
//! Minting signs with the pre-parsed aws-lc-rs key (jsonwebtoken re-parses the
//! PKCS#8 key on every `encode`, halving issuance throughput). Verification uses
//! jsonwebtoken, restricted to RS256 and to the keys we publish.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation, decode, decode_header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::keys::SigningKey;

pub fn mint<C: Serialize>(key: &SigningKey, claims: &C) -> String {
    let header = json!({"typ": "JWT", "alg": "RS256", "x5t": key.kid(), "kid": key.kid()});
    let mut out = URL_SAFE_NO_PAD.encode(header.to_string());
    out.push('.');
    out.push_str(&URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default()));
    let sig = key.sign(out.as_bytes());
    out.push('.');
    out.push_str(&URL_SAFE_NO_PAD.encode(sig));
    out
}

/// What a token must satisfy.
pub struct TokenExpectations<'a> {
    pub issuers: &'a [String],
    pub audiences: &'a [&'a str],
    /// Allowed clock skew in seconds.
    pub leeway: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenVerifyError {
    #[error("malformed token")]
    Malformed,
    #[error("token algorithm is not RS256")]
    Algorithm,
    #[error("token signed by an unknown key")]
    UnknownKey,
    #[error("bad signature")]
    Signature,
    #[error("token expired at {0}")]
    Expired(i64),
    #[error("token not valid before {0}")]
    NotYetValid(i64),
    #[error("wrong audience {0}")]
    Audience(String),
    #[error("wrong issuer {0}")]
    Issuer(String),
}

/// Verifies signature (by `kid` among `keys`), `alg`, `iss`, `aud`, `exp` and `nbf`
/// (against real time).
pub fn verify<C: DeserializeOwned>(
    token: &str,
    keys: &[&SigningKey],
    expect: &TokenExpectations<'_>,
) -> Result<C, TokenVerifyError> {
    verify_with(token, keys, expect, None)
}

/// `verify`, with `exp` and `nbf` checked against `now` (Unix seconds; the
/// cloud clock for tokens that live on it).
pub fn verify_at<C: DeserializeOwned>(
    token: &str,
    keys: &[&SigningKey],
    expect: &TokenExpectations<'_>,
    now: i64,
) -> Result<C, TokenVerifyError> {
    verify_with(token, keys, expect, Some(now))
}

fn verify_with<C: DeserializeOwned>(
    token: &str,
    keys: &[&SigningKey],
    expect: &TokenExpectations<'_>,
    now: Option<i64>,
) -> Result<C, TokenVerifyError> {
    let header = decode_header(token).map_err(|_| TokenVerifyError::Malformed)?;
    if header.alg != Algorithm::RS256 {
        return Err(TokenVerifyError::Algorithm);
    }
    let kid = header.kid.ok_or(TokenVerifyError::UnknownKey)?;
    let key = keys
        .iter()
        .find(|k| k.kid() == kid)
        .ok_or(TokenVerifyError::UnknownKey)?;
    let mut v = Validation::new(Algorithm::RS256);
    v.algorithms = vec![Algorithm::RS256];
    v.leeway = expect.leeway;
    v.validate_nbf = now.is_none();
    v.validate_exp = now.is_none();
    v.set_issuer(expect.issuers);
    v.set_audience(expect.audiences);
    v.set_required_spec_claims(&["exp", "nbf", "iss", "aud"]);
    match decode::<C>(token, key.decoding_key(), &v) {
        Ok(data) => {
            if let Some(now) = now {
                in_window(token, now, expect.leeway)?;
            }
            Ok(data.claims)
        }
        Err(e) => Err(match e.kind() {
            ErrorKind::ExpiredSignature => TokenVerifyError::Expired(unverified_i64(token, "exp")),
            ErrorKind::ImmatureSignature => {
                TokenVerifyError::NotYetValid(unverified_i64(token, "nbf"))
            }
            ErrorKind::InvalidAudience => TokenVerifyError::Audience(unverified_str(token, "aud")),
            ErrorKind::InvalidIssuer => TokenVerifyError::Issuer(unverified_str(token, "iss")),
            ErrorKind::InvalidSignature => TokenVerifyError::Signature,
            ErrorKind::InvalidAlgorithm => TokenVerifyError::Algorithm,
            _ => TokenVerifyError::Malformed,
        }),
    }
}

/// The time window of a token whose signature was checked, at `now`.
fn in_window(token: &str, now: i64, leeway: u64) -> Result<(), TokenVerifyError> {
    let leeway = i64::try_from(leeway).unwrap_or(0);
    let (exp, nbf) = (unverified_i64(token, "exp"), unverified_i64(token, "nbf"));
    if exp.saturating_add(leeway) <= now {
        return Err(TokenVerifyError::Expired(exp));
    }
    if nbf.saturating_sub(leeway) > now {
        return Err(TokenVerifyError::NotYetValid(nbf));
    }
    Ok(())
}

/// A JWT's claims read without verification: for wording an error about a
/// token whose signature was already checked, reading claims a verified token's
/// type leaves out, or choosing which verifier a token goes to.
pub fn unverified(token: &str) -> serde_json::Value {
    token
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn unverified_i64(token: &str, claim: &str) -> i64 {
    unverified(token)[claim].as_i64().unwrap_or_default()
}

fn unverified_str(token: &str, claim: &str) -> String {
    unverified(token)[claim]
        .as_str()
        .unwrap_or_default()
        .to_string()
}
