//! A cluster's OIDC issuer (`oidcIssuerProfile.issuerURL`): its discovery
//! document and JWKS, naming the canonical issuer however they are reached,
//! and the keys a federated token exchange verifies service-account tokens
//! with. The published key is the one that signs the cluster's tokens.

use std::sync::Arc;

use aksemu_identity::SigningKey;
use serde_json::{Value, json};

use crate::KubeApi;
use crate::error::KubeError;

/// Which issuer document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    Discovery,
    Keys,
}

impl Document {
    /// The document a path under the issuer names (`//` already collapsed).
    pub fn from_path(rest: &str) -> Option<Self> {
        match rest.trim_start_matches('/') {
            ".well-known/openid-configuration" => Some(Document::Discovery),
            "openid/v1/jwks" => Some(Document::Keys),
            _ => None,
        }
    }
}

/// The uid of the cluster an issuer URL of Azure's shape names
/// (`https://<region>.oic.prod-aks.azure.com/<tenant>/<uid>/`).
pub fn uid_of_issuer(issuer: &str) -> Option<&str> {
    let rest = issuer.strip_prefix("https://")?;
    let (host, path) = rest.split_once('/')?;
    if !host.ends_with(".oic.prod-aks.azure.com") {
        return None;
    }
    let mut parts = path.trim_end_matches('/').split('/');
    let (_tenant, uid) = (parts.next()?, parts.next()?);
    parts.next().is_none().then_some(uid)
}

fn jwk(key: &SigningKey) -> Value {
    let full = key.jwk(None);
    json!({"use": "sig", "kty": "RSA", "kid": full["kid"], "alg": "RS256", "n": full["n"], "e": full["e"]})
}

impl KubeApi {
    /// The keys tokens of cluster `uid`'s issuer verify with, if `issuer` is
    /// exactly that cluster's enabled OIDC issuer.
    pub async fn issuer_keys(
        &self,
        issuer: &str,
    ) -> Result<Option<Vec<Arc<SigningKey>>>, KubeError> {
        let Some(uid) = uid_of_issuer(issuer) else {
            return Ok(None);
        };
        let cluster = self
            .clusters
            .cluster(uid)
            .await
            .map_err(KubeError::Internal)?;
        if cluster.and_then(|c| c.oidc_issuer).as_deref() != Some(issuer) {
            return Ok(None);
        }
        Ok(Some(crate::sa_tokens::verifying_keys(self, uid).await?))
    }

    /// A document of the issuer served at `/<region>/<tenant>/<uid>/…`, if the
    /// cluster's issuer is enabled and has that path.
    pub async fn oidc_document(
        &self,
        path: (&str, &str, &str),
        which: Document,
    ) -> Result<Option<Value>, KubeError> {
        let (region, tenant, uid) = path;
        let issuer = format!("https://{region}.oic.prod-aks.azure.com/{tenant}/{uid}/");
        let Some(keys) = self.issuer_keys(&issuer).await? else {
            return Ok(None);
        };
        Ok(Some(match which {
            Document::Discovery => json!({
                "issuer": issuer,
                "jwks_uri": format!("{issuer}openid/v1/jwks"),
                "response_types_supported": ["id_token"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }),
            Document::Keys => json!({"keys": keys.iter().map(|k| jwk(k)).collect::<Vec<_>>()}),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_of_azures_shape_name_their_cluster() {
        assert_eq!(
            uid_of_issuer("https://westus2.oic.prod-aks.azure.com/t/abc/"),
            Some("abc")
        );
        assert_eq!(
            uid_of_issuer("https://westus2.oic.prod-aks.azure.com/t/abc"),
            Some("abc")
        );
        assert_eq!(uid_of_issuer("https://evil.example/t/abc/"), None);
        assert_eq!(
            uid_of_issuer("https://westus2.oic.prod-aks.azure.com/t/abc/x/"),
            None
        );
        assert_eq!(
            Document::from_path("/.well-known/openid-configuration"),
            Some(Document::Discovery)
        );
        assert_eq!(Document::from_path("openid/v1/jwks"), Some(Document::Keys));
    }
}
