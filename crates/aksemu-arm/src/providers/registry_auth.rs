//! A registry's token service, as Azure Container Registry runs it for
//! Entra identities: `POST /oauth2/exchange` trades an Entra access token
//! (audience `https://containerregistry.azure.net`) for the registry's
//! refresh token, and `GET /oauth2/token?scope=repository:<repo>:pull` trades
//! that for an access token whose granted actions follow the caller's roles on
//! the registry (`…/registries/pull/read` for pull, as AcrPull grants). No
//! right to any action asked for is a 401, as ACR answers. Tags exist once
//! imported (`importImage`).

use aksemu_core::principal::PrincipalKind;
use aksemu_core::{Principal, ResourceId};
use aksemu_store::Doc;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::cloud::Cloud;
use crate::providers::registry_import::{TAGS, tag_key};

/// The audience of Entra tokens for registries.
pub const ACR_AUDIENCE: &str = "https://containerregistry.azure.net";
pub const PULL: &str = "Microsoft.ContainerRegistry/registries/pull/read";
pub const PUSH: &str = "Microsoft.ContainerRegistry/registries/push/write";
const ISSUER: &str = "Azure Container Registry";
const REFRESH_SECS: i64 = 3 * 3600;
const ACCESS_SECS: i64 = 75 * 60;

/// A refusal, as ACR words it (`{"errors":[{"code":…,"message":…}]}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl RegistryError {
    fn unauthorized(message: &str) -> Self {
        Self {
            status: 401,
            code: "UNAUTHORIZED",
            message: message.to_string(),
        }
    }

    pub fn body(&self) -> serde_json::Value {
        json!({"errors": [{"code": self.code, "message": self.message}]})
    }
}

const AUTH_REQUIRED: &str =
    "authentication required, visit https://aka.ms/acr/authorization for more information.";

#[derive(Serialize, Deserialize)]
struct RegistryClaims {
    iss: String,
    aud: String,
    sub: String,
    appid: String,
    tenant: String,
    nbf: i64,
    exp: i64,
    iat: i64,
    jti: String,
    grant_type: String,
    #[serde(default)]
    access: Vec<serde_json::Value>,
}

/// The registry whose login server is `host` (`myacr.azurecr.io`).
pub async fn find(cloud: &Cloud, host: &str) -> Result<Option<Doc>, aksemu_core::ArmError> {
    crate::providers::registries::named(cloud, host.split('.').next().unwrap_or_default()).await
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl RegistryClaims {
    /// Claims for `sub` at `service`, valid from now for `secs`.
    fn fresh(service: &str, who: (String, String, String), grant_type: &str, secs: i64) -> Self {
        let (sub, appid, tenant) = who;
        let t = now();
        Self {
            iss: ISSUER.into(),
            aud: service.to_lowercase(),
            sub,
            appid,
            tenant,
            nbf: t,
            exp: t + secs,
            iat: t,
            jti: uuid::Uuid::new_v4().to_string(),
            grant_type: grant_type.into(),
            access: Vec::new(),
        }
    }
}

/// The claims of a token this registry issued, if its signature, issuer,
/// audience and time hold.
fn verified(cloud: &Cloud, registry: &Doc, token: &str) -> Result<RegistryClaims, RegistryError> {
    let service = registry.body["properties"]["loginServer"]
        .as_str()
        .unwrap_or_default();
    // Every key Entra still verifies with: a rotation keeps outstanding tokens.
    let keys: Vec<&aksemu_identity::SigningKey> = cloud.entra.keys().iter().collect();
    let issuers = [ISSUER.to_string()];
    let expect = aksemu_identity::jwt::TokenExpectations {
        issuers: &issuers,
        audiences: &[service],
        leeway: 0,
    };
    aksemu_identity::jwt::verify(token, &keys, &expect)
        .map_err(|_| RegistryError::unauthorized(AUTH_REQUIRED))
}

fn mint(cloud: &Cloud, claims: &RegistryClaims) -> Result<String, RegistryError> {
    let key = cloud
        .entra
        .signing_key()
        .ok_or_else(|| RegistryError::unauthorized(AUTH_REQUIRED))?;
    Ok(aksemu_identity::mint(key, claims))
}

/// `POST /oauth2/exchange` with `grant_type=access_token`: the registry's
/// refresh token for the Entra identity in `aad_token`.
pub fn exchange(cloud: &Cloud, service: &str, aad_token: &str) -> Result<String, RegistryError> {
    let principal = cloud
        .entra
        .authenticate_for(
            Some(&format!("Bearer {aad_token}")),
            &[ACR_AUDIENCE, "https://containerregistry.azure.net/"],
        )
        .map_err(|e| RegistryError::unauthorized(&e.to_string()))?;
    let who = (principal.object_id, principal.app_id, principal.tenant_id);
    mint(
        cloud,
        &RegistryClaims::fresh(service, who, "refresh_token", REFRESH_SECS),
    )
}

/// `GET /oauth2/token?scope=repository:<repo>:<actions>`: an access token
/// granting what the refresh token's identity may do on `registry`.
pub fn token(
    cloud: &Cloud,
    registry: &Doc,
    refresh: &str,
    scope: &str,
) -> Result<String, RegistryError> {
    let service = registry.body["properties"]["loginServer"]
        .as_str()
        .unwrap_or_default();
    let claims = verified(cloud, registry, refresh)?;
    if claims.grant_type != "refresh_token" {
        return Err(RegistryError::unauthorized(AUTH_REQUIRED));
    }
    let principal = Principal {
        object_id: claims.sub.clone(),
        app_id: claims.appid.clone(),
        tenant_id: claims.tenant.clone(),
        kind: PrincipalKind::ManagedIdentity,
        groups: Vec::new(),
    };
    let id =
        ResourceId::parse(&registry.id).map_err(|_| RegistryError::unauthorized(AUTH_REQUIRED))?;
    let mut parts = scope.splitn(3, ':');
    let (Some("repository"), Some(repo), Some(actions)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err(RegistryError {
            status: 400,
            code: "DENIED",
            message: format!("invalid scope {scope}"),
        });
    };
    let granted: Vec<&str> = actions
        .split(',')
        .filter(|a| match *a {
            "pull" => cloud.rbac.check(&principal, PULL, &id),
            "push" => cloud.rbac.check(&principal, PUSH, &id),
            _ => false,
        })
        .collect();
    if granted.is_empty() {
        return Err(RegistryError::unauthorized(AUTH_REQUIRED));
    }
    let who = (claims.sub, claims.appid, claims.tenant);
    let mut access = RegistryClaims::fresh(service, who, "access_token", ACCESS_SECS);
    access.access = vec![json!({"type": "repository", "name": repo, "actions": granted})];
    mint(cloud, &access)
}

/// The manifest of `repo:tag` in `registry`, for a holder of an access token
/// granting pull on it; `None` when the tag does not exist.
pub async fn manifest(
    cloud: &Cloud,
    registry: &Doc,
    access: &str,
    repo: &str,
    tag: &str,
) -> Result<Option<serde_json::Value>, RegistryError> {
    grants(cloud, registry, access, repo, "pull")?;
    let failed = |_| RegistryError {
        status: 500,
        code: "UNKNOWN",
        message: "the registry could not be read".into(),
    };
    // A digest names whichever tag of the repository holds it.
    if tag.starts_with("sha256:") {
        let prefix = tag_key(&registry.key, repo, "");
        let tags = cloud.store().list(TAGS, &prefix).await.map_err(failed)?;
        return Ok(tags
            .into_iter()
            .map(|d| d.body)
            .find(|b| b["digest"] == tag));
    }
    let key = tag_key(&registry.key, repo, tag);
    let doc = cloud.store().get(TAGS, &key).await.map_err(failed)?;
    Ok(doc.map(|d| d.body))
}

/// An access token of `registry` (not a refresh token).
pub fn access_token(
    cloud: &Cloud,
    registry: &Doc,
    token: &str,
) -> Result<RegistryClaimsView, RegistryError> {
    let claims = verified(cloud, registry, token)?;
    if claims.grant_type != "access_token" {
        return Err(RegistryError::unauthorized(AUTH_REQUIRED));
    }
    Ok(RegistryClaimsView {
        access: claims.access,
    })
}

/// What a verified access token grants.
pub struct RegistryClaimsView {
    pub access: Vec<serde_json::Value>,
}

/// Whether an access token grants `action` on `repo`.
pub fn grants(
    cloud: &Cloud,
    registry: &Doc,
    access: &str,
    repo: &str,
    action: &str,
) -> Result<(), RegistryError> {
    let claims = access_token(cloud, registry, access)?;
    let ok = claims.access.iter().any(|a| {
        a["name"] == repo
            && a["actions"]
                .as_array()
                .is_some_and(|l| l.iter().any(|x| x == action))
    });
    if ok {
        Ok(())
    } else {
        Err(RegistryError::unauthorized(AUTH_REQUIRED))
    }
}

/// `PUT /v2/<repo>/manifests/<tag>` for a holder of push on `repo`: the tag
/// now names this manifest (its digest, the sha256 of the bytes).
pub async fn push_manifest(
    cloud: &Cloud,
    registry: &Doc,
    access: &str,
    repo: &str,
    tag: &str,
    body: &[u8],
    media_type: &str,
) -> Result<String, RegistryError> {
    grants(cloud, registry, access, repo, "push")?;
    if serde_json::from_slice::<serde_json::Value>(body).is_err() {
        return Err(RegistryError {
            status: 400,
            code: "MANIFEST_INVALID",
            message: "manifest invalid".into(),
        });
    }
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, body);
    let hex: String = d.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    let digest = format!("sha256:{hex}");
    let write = aksemu_store::Write::Put {
        coll: TAGS,
        key: tag_key(&registry.key, repo, tag),
        id: format!("{}/{}:{tag}", registry.id, repo.to_lowercase()),
        body: json!({"repository": repo.to_lowercase(), "tag": tag, "digest": digest, "mediaType": media_type,
                     "source": "push", "createdTime": cloud.now_rfc3339()}),
        cond: aksemu_store::Cond::Any,
    };
    cloud.commit(vec![write]).await.map_err(|_| RegistryError {
        status: 500,
        code: "UNKNOWN",
        message: "the tag could not be written".into(),
    })?;
    Ok(digest)
}
