//! Service-account tokens: RS256 JWTs signed by a key of the cluster's own
//! (generated on first use, kept in the store), with kube-apiserver's claims.
//! TokenReview and API authentication verify them.

use std::sync::Arc;

use aksemu_identity::{SigningKey, TokenExpectations, keys::KeyPem};
use aksemu_store::{Cond, StoreError, Write};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::KubeApi;
use crate::cluster::ClusterInfo;
use crate::error::KubeError;
use crate::rbac::UserInfo;

/// Where each cluster's service-account signing key is kept.
pub const KEYS: &str = "kubeClusterKeys";
/// Audiences that authenticate to the API server itself, besides the issuer.
const API_AUDIENCES: &[&str] = &[
    "https://kubernetes.default.svc.cluster.local",
    "https://kubernetes.default.svc",
    "kubernetes",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Named {
    pub name: String,
    pub uid: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KubeClaims {
    pub namespace: String,
    pub serviceaccount: Named,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pod: Option<Named>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub aud: Vec<String>,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub iss: String,
    pub jti: String,
    pub sub: String,
    #[serde(rename = "kubernetes.io")]
    pub kubernetes: KubeClaims,
}

impl Claims {
    /// The user the token stands for, with the service-account groups.
    pub fn user(&self) -> UserInfo {
        let ns = &self.kubernetes.namespace;
        UserInfo {
            username: self.sub.clone(),
            uid: self.kubernetes.serviceaccount.uid.clone(),
            groups: vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{ns}"),
                crate::users::AUTHENTICATED.into(),
            ],
        }
    }
}

/// The issuer of the cluster's tokens: the OIDC issuer when enabled, else the
/// API server URL.
pub fn issuer(cluster: &ClusterInfo, base_url: &str) -> String {
    cluster
        .oidc_issuer
        .clone()
        .unwrap_or_else(|| base_url.to_string())
}

fn load(pem: &serde_json::Value) -> Option<SigningKey> {
    SigningKey::from_pem(&KeyPem {
        key_pem: pem["keyPem"].as_str()?.to_string(),
        cert_pem: pem["certPem"].as_str()?.to_string(),
    })
    .ok()
}

/// A cluster's keys as stored: the one that signs, and the one a rotation
/// retired (with when, cloud time).
pub struct KeySet {
    pub current: Arc<SigningKey>,
    pub previous: Option<(Arc<SigningKey>, i64)>,
}

/// The cluster's keys: cached, stored, or made now. The cache is checked
/// against the stored document's etag (a point read), so a rotation here or by
/// another replica is seen at once.
async fn key_set(api: &KubeApi, uid: &str) -> Result<Arc<KeySet>, KubeError> {
    let stored = api.store.etag(KEYS, uid).await?;
    if let Some((etag, set)) = api.keys.lock().unwrap_or_else(|p| p.into_inner()).get(uid)
        && stored.as_ref() == Some(etag)
    {
        return Ok(set.clone());
    }
    let Some(doc) = api.store.get(KEYS, uid).await? else {
        let current = Arc::new(create_key(api, uid).await?);
        return Ok(Arc::new(KeySet {
            current,
            previous: None,
        }));
    };
    let unusable = || KubeError::Internal("unusable service-account key".into());
    let prev = &doc.body["previous"];
    let set = Arc::new(KeySet {
        current: Arc::new(load(&doc.body).ok_or_else(unusable)?),
        previous: load(prev)
            .zip(prev["retiredAt"].as_i64())
            .map(|(k, t)| (Arc::new(k), t)),
    });
    api.keys
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(uid.to_string(), (doc.etag, set.clone()));
    Ok(set)
}

/// The key that signs cluster `uid`'s tokens.
pub async fn key(api: &KubeApi, uid: &str) -> Result<Arc<SigningKey>, KubeError> {
    Ok(key_set(api, uid).await?.current.clone())
}

async fn create_key(api: &KubeApi, uid: &str) -> Result<SigningKey, KubeError> {
    let (key, pem) = SigningKey::generate(&format!("aksemu-sa-{uid}"))
        .map_err(|e| KubeError::Internal(e.to_string()))?;
    let write = Write::Put {
        coll: KEYS,
        key: uid.to_string(),
        id: uid.to_string(),
        body: json!({"keyPem": pem.key_pem, "certPem": pem.cert_pem}),
        cond: Cond::Absent,
    };
    match api.store.apply(vec![write]).await {
        Ok(_) => Ok(key),
        // Another request made it first: use that one.
        Err(StoreError::AlreadyExists { .. }) => api
            .store
            .get(KEYS, uid)
            .await?
            .and_then(|d| load(&d.body))
            .ok_or_else(|| KubeError::Internal("unusable service-account key".into())),
        Err(e) => Err(e.into()),
    }
}

/// How long a rotated-out key keeps verifying (and stays in the JWKS).
pub const ROTATION_GRACE_SECS: i64 = 24 * 3600;

/// The keys tokens of cluster `uid` verify with: the current one, and the
/// previous one for a day after a rotation.
pub async fn verifying_keys(api: &KubeApi, uid: &str) -> Result<Vec<Arc<SigningKey>>, KubeError> {
    let set = key_set(api, uid).await?;
    let now = api.clock.now().unix_timestamp();
    let mut keys = vec![set.current.clone()];
    if let Some((k, retired)) = &set.previous
        && now < retired + ROTATION_GRACE_SECS
    {
        keys.push(k.clone());
    }
    Ok(keys)
}

/// A new signing key for cluster `uid`; the current one becomes the previous.
pub async fn rotate(api: &KubeApi, uid: &str) -> Result<(), KubeError> {
    key(api, uid).await?;
    let doc = api
        .store
        .get(KEYS, uid)
        .await?
        .ok_or_else(|| KubeError::Internal("no service-account key".into()))?;
    let (_, pem) = SigningKey::generate(&format!("aksemu-sa-{uid}"))
        .map_err(|e| KubeError::Internal(e.to_string()))?;
    let mut previous = doc.body.clone();
    if let Some(o) = previous.as_object_mut() {
        o.remove("previous");
    }
    previous["retiredAt"] = json!(api.clock.now().unix_timestamp());
    let write = Write::Put {
        coll: KEYS,
        key: uid.to_string(),
        id: uid.to_string(),
        body: json!({"keyPem": pem.key_pem, "certPem": pem.cert_pem, "previous": previous}),
        cond: Cond::Etag(doc.etag),
    };
    api.store.apply(vec![write]).await?;
    api.keys
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(uid);
    Ok(())
}

/// What a token is for.
pub struct Mint<'a> {
    pub namespace: &'a str,
    pub account: Named,
    pub pod: Option<Named>,
    pub audiences: Vec<String>,
    pub seconds: i64,
}

/// A signed token and its expiry (Unix seconds).
pub async fn mint(
    api: &KubeApi,
    cluster: &ClusterInfo,
    base_url: &str,
    m: Mint<'_>,
) -> Result<(String, i64), KubeError> {
    let key = key(api, &cluster.uid).await?;
    // The cloud clock: `aksemu clock advance` expires service-account tokens
    // (a projected token's hour, a TokenRequest's duration), for the API
    // server and for Entra's federated exchange alike.
    let now = api.clock.now().unix_timestamp();
    // Kubernetes' bounds: ten minutes to 2^32 seconds.
    let seconds = m.seconds.clamp(600, 1 << 32);
    let claims = Claims {
        aud: m.audiences,
        exp: now.saturating_add(seconds),
        iat: now,
        nbf: now,
        iss: issuer(cluster, base_url),
        jti: uuid::Uuid::new_v4().to_string(),
        sub: format!("system:serviceaccount:{}:{}", m.namespace, m.account.name),
        kubernetes: KubeClaims {
            namespace: m.namespace.to_string(),
            serviceaccount: m.account,
            pod: m.pod,
        },
    };
    Ok((aksemu_identity::mint(&key, &claims), claims.exp))
}

/// Verifies a token of this cluster for one of `audiences` (signature, alg,
/// iss, aud, exp, nbf).
pub async fn verify(
    api: &KubeApi,
    cluster: &ClusterInfo,
    token: &str,
    base_url: &str,
    audiences: &[&str],
) -> Result<Claims, String> {
    let keys = verifying_keys(api, &cluster.uid)
        .await
        .map_err(|e| e.to_string())?;
    let refs: Vec<&SigningKey> = keys.iter().map(|k| k.as_ref()).collect();
    let issuers = vec![issuer(cluster, base_url)];
    let expect = TokenExpectations {
        issuers: &issuers,
        audiences,
        leeway: 0,
    };
    let now = api.clock.now().unix_timestamp();
    let claims: Claims =
        aksemu_identity::verify_at(token, &refs, &expect, now).map_err(|e| e.to_string())?;
    // A token outlives nothing it was bound to: the account must still exist
    // with the uid the token names.
    let sa = crate::objects::get_account(
        api,
        &cluster.uid,
        &claims.kubernetes.namespace,
        &claims.kubernetes.serviceaccount.name,
    )
    .await
    .map_err(|e| e.to_string())?;
    match sa {
        Some(uid) if uid == claims.kubernetes.serviceaccount.uid => Ok(claims),
        _ => Err("the service account no longer exists".into()),
    }
}

/// A token presented to the API server itself.
pub async fn verify_for_api(
    api: &KubeApi,
    cluster: &ClusterInfo,
    token: &str,
    base_url: &str,
) -> Result<Claims, String> {
    let iss = issuer(cluster, base_url);
    let mut auds: Vec<&str> = API_AUDIENCES.to_vec();
    auds.push(&iss);
    verify(api, cluster, token, base_url, &auds).await
}

/// The audience a TokenRequest without audiences gets: the API server's.
pub fn default_audience(cluster: &ClusterInfo, base_url: &str) -> String {
    issuer(cluster, base_url)
}
