//! Workload identity federation, as Entra checks it: a client assertion (a JWT
//! from an external issuer, e.g. a cluster's service-account token) is matched
//! against the identity's federated credentials — issuer, then subject, then
//! audience, each compared exactly — and verified with that issuer's keys.
//! Each failure is Entra's AADSTS error.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::jwt::{TokenExpectations, TokenVerifyError, verify_at};
use crate::keys::SigningKey;
use crate::oauth_error::OAuthError;

/// `client_assertion_type` for a JWT client assertion.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A federated identity credential of an application or a managed identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FederatedCredential {
    /// Graph's id of an application's credential (empty for a managed identity's).
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub issuer: String,
    pub subject: String,
    pub audiences: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// At most this many credentials per application or managed identity.
pub const MAX_CREDENTIALS: usize = 20;
const MAX_FIELD: usize = 600;

/// Entra's rules for a new or changed credential among `others` (the rest of
/// its owner's): issuer, subject and exactly one audience, each at most 600
/// characters without wildcards; issuer and subject used once; at most 20.
/// A refusal names the field.
pub fn check(
    new: &FederatedCredential,
    others: &[FederatedCredential],
) -> Result<(), (&'static str, String)> {
    for (field, v) in [("issuer", &new.issuer), ("subject", &new.subject)] {
        if v.trim().is_empty() {
            return Err((field, format!("The '{field}' property is required.")));
        }
    }
    if new.audiences.len() != 1 {
        return Err(("audiences", "Exactly one audience is required.".into()));
    }
    let fields = [
        ("issuer", &new.issuer),
        ("subject", &new.subject),
        ("audiences", &new.audiences[0]),
    ];
    for (field, v) in fields {
        if v.len() > MAX_FIELD || v.contains('*') {
            return Err((
                field,
                format!(
                    "The '{field}' property must be at most {MAX_FIELD} characters and contain no wildcard."
                ),
            ));
        }
    }
    if others.len() >= MAX_CREDENTIALS {
        return Err((
            "name",
            format!("At most {MAX_CREDENTIALS} federated identity credentials are allowed."),
        ));
    }
    if let Some(c) = others
        .iter()
        .find(|c| c.issuer == new.issuer && c.subject == new.subject)
    {
        return Err((
            "subject",
            format!(
                "A federated identity credential with the same issuer and subject already exists: '{}'.",
                c.name
            ),
        ));
    }
    Ok(())
}

/// What an assertion says of itself, read before its issuer's keys are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub iss: String,
    pub sub: String,
    pub aud: Vec<String>,
    pub kid: String,
}

fn part(token: &str, i: usize) -> Result<Value, OAuthError> {
    let raw = token
        .split('.')
        .nth(i)
        .ok_or(OAuthError::MalformedAssertion)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(raw)
        .map_err(|_| OAuthError::MalformedAssertion)?;
    serde_json::from_slice(&bytes).map_err(|_| OAuthError::MalformedAssertion)
}

/// Reads an assertion's issuer, subject, audiences and key id (unverified).
pub fn presented(assertion: &str) -> Result<Presented, OAuthError> {
    if assertion.split('.').count() != 3 {
        return Err(OAuthError::MalformedAssertion);
    }
    let (header, claims) = (part(assertion, 0)?, part(assertion, 1)?);
    let text = |v: &Value| v.as_str().map(str::to_string);
    let aud = match &claims["aud"] {
        Value::String(a) => vec![a.clone()],
        Value::Array(l) => l.iter().filter_map(text).collect(),
        _ => Vec::new(),
    };
    Ok(Presented {
        iss: text(&claims["iss"]).ok_or(OAuthError::MalformedAssertion)?,
        sub: text(&claims["sub"]).ok_or(OAuthError::MalformedAssertion)?,
        aud,
        kid: text(&header["kid"]).unwrap_or_default(),
    })
}

/// The credential the assertion matches: issuer, then subject, then audience.
pub fn matching<'a>(
    credentials: &'a [FederatedCredential],
    p: &Presented,
) -> Result<&'a FederatedCredential, OAuthError> {
    let by_issuer: Vec<&FederatedCredential> =
        credentials.iter().filter(|c| c.issuer == p.iss).collect();
    if by_issuer.is_empty() {
        return Err(OAuthError::NoFederatedIssuer(p.iss.clone()));
    }
    let by_subject: Vec<&&FederatedCredential> =
        by_issuer.iter().filter(|c| c.subject == p.sub).collect();
    if by_subject.is_empty() {
        let case_only = by_issuer
            .iter()
            .any(|c| c.subject.eq_ignore_ascii_case(&p.sub));
        return Err(if case_only {
            OAuthError::FederatedSubjectCase(p.sub.clone())
        } else {
            OAuthError::NoFederatedSubject(p.sub.clone())
        });
    }
    by_subject
        .into_iter()
        .find(|c| c.audiences.iter().any(|a| p.aud.contains(a)))
        .copied()
        .ok_or_else(|| OAuthError::NoFederatedAudience(p.aud.first().cloned().unwrap_or_default()))
}

fn instant(secs: i64) -> String {
    OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// Verifies the assertion with the issuer's keys: the key by `kid`, RS256 only,
/// the signature, the issuer and audience the credential names, the time
/// window at `now` (the cloud clock, which the issuers' tokens live on).
pub fn verify_assertion(
    assertion: &str,
    keys: &[&SigningKey],
    p: &Presented,
    credential: &FederatedCredential,
    now: i64,
) -> Result<(), OAuthError> {
    if !keys.iter().any(|k| k.kid() == p.kid) {
        return Err(OAuthError::UnknownAssertionKey {
            kid: p.kid.clone(),
            issuer: p.iss.clone(),
        });
    }
    let issuers = [credential.issuer.clone()];
    let audiences: Vec<&str> = credential.audiences.iter().map(String::as_str).collect();
    let expect = TokenExpectations {
        issuers: &issuers,
        audiences: &audiences,
        leeway: 0,
    };
    match verify_at::<Value>(assertion, keys, &expect, now) {
        Ok(_) => Ok(()),
        Err(TokenVerifyError::Expired(_) | TokenVerifyError::NotYetValid(_)) => {
            let claims = part(assertion, 1)?;
            let at = |k: &str| instant(claims[k].as_i64().unwrap_or_default());
            Err(OAuthError::AssertionTime {
                now: instant(now),
                from: at("nbf"),
                until: at("exp"),
            })
        }
        Err(TokenVerifyError::Malformed) => Err(OAuthError::MalformedAssertion),
        Err(_) => Err(OAuthError::AssertionSignature),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fic(sub: &str, aud: &str) -> FederatedCredential {
        FederatedCredential {
            id: String::new(),
            name: "f".into(),
            issuer: "https://iss/".into(),
            subject: sub.into(),
            audiences: vec![aud.into()],
            description: None,
        }
    }

    fn p(iss: &str, sub: &str, aud: &str) -> Presented {
        Presented {
            iss: iss.into(),
            sub: sub.into(),
            aud: vec![aud.into()],
            kid: "k".into(),
        }
    }

    #[test]
    fn matching_reports_the_first_field_that_differs() {
        let fics = [fic(
            "system:serviceaccount:demo:app",
            "api://AzureADTokenExchange",
        )];
        let code = |x: &Presented| matching(&fics, x).err().map(|e| e.aadsts());
        let ok = p(
            "https://iss/",
            "system:serviceaccount:demo:app",
            "api://AzureADTokenExchange",
        );
        assert!(matching(&fics, &ok).is_ok());
        assert_eq!(code(&p("https://iss", &ok.sub, &ok.aud[0])), Some(700211));
        assert_eq!(
            code(&p(&ok.iss, "system:serviceaccount:demo:other", &ok.aud[0])),
            Some(700213)
        );
        assert_eq!(
            code(&p(&ok.iss, "system:serviceaccount:Demo:app", &ok.aud[0])),
            Some(7002138)
        );
        assert_eq!(code(&p(&ok.iss, &ok.sub, "api://other")), Some(700212));
    }

    #[test]
    fn malformed_assertions_are_refused() {
        for bad in ["", "a.b", "a.b.c", "e30.e30.sig"] {
            assert!(presented(bad).is_err(), "{bad}");
        }
    }
}
