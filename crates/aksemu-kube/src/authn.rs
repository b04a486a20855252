//! Who is calling: a kubeconfig's static token (compared in constant time) or
//! a service-account token this cluster signed. Missing or wrong → 401.

use aws_lc_rs::constant_time::verify_slices_are_equal;

use crate::KubeApi;
use crate::cluster::{ClusterInfo, StaticRole};
use crate::error::KubeError;
use crate::rbac::UserInfo;

pub use crate::users::{AUTHENTICATED, MASTERS, MONITORING_USER};

fn user(name: &str, groups: &[&str]) -> UserInfo {
    UserInfo {
        username: name.to_string(),
        uid: String::new(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
    }
}

fn static_user(cluster: &ClusterInfo, token: &str) -> Option<UserInfo> {
    let role = cluster
        .static_tokens
        .iter()
        .find(|(t, _)| verify_slices_are_equal(t.as_bytes(), token.as_bytes()).is_ok())
        .map(|(_, r)| *r)?;
    Some(match role {
        // As AKS: the admin certificate's subject is `masterclient` in `system:masters`.
        StaticRole::Admin => user("masterclient", &[MASTERS, AUTHENTICATED]),
        StaticRole::Monitoring => user(MONITORING_USER, &[AUTHENTICATED]),
    })
}

/// The caller of a request to `cluster` presenting `bearer`.
pub async fn authenticate(
    api: &KubeApi,
    cluster: &ClusterInfo,
    bearer: Option<&str>,
    base_url: &str,
) -> Result<UserInfo, KubeError> {
    let token = bearer
        .filter(|t| !t.is_empty())
        .ok_or(KubeError::Unauthorized)?;
    if let Some(u) = static_user(cluster, token) {
        return Ok(u);
    }
    if token.matches('.').count() == 2 {
        if let Some(entra) = cluster.entra.as_ref().filter(|_| entra_issued(token)) {
            return entra_user(api, entra, token).await;
        }
        if crate::system_tokens::claims_component(token) {
            return crate::system_tokens::verify(api, &cluster.uid, token)
                .await
                .ok_or(KubeError::Unauthorized);
        }
        let claims = crate::sa_tokens::verify_for_api(api, cluster, token, base_url)
            .await
            .map_err(|_| KubeError::Unauthorized)?;
        return Ok(claims.user());
    }
    Err(KubeError::Unauthorized)
}

/// Whether a JWT names Entra's v1 issuer (read unverified, to pick the verifier).
fn entra_issued(token: &str) -> bool {
    aksemu_identity::jwt::unverified(token)["iss"]
        .as_str()
        .is_some_and(|i| i.starts_with("https://sts.windows.net/"))
}

/// An Entra caller on an Entra-integrated cluster: its user name (`upn`, or
/// the object id of a service principal), its groups, and `system:masters`
/// for members of the cluster's admin groups.
async fn entra_user(
    api: &KubeApi,
    entra: &crate::cluster::EntraAuth,
    token: &str,
) -> Result<UserInfo, KubeError> {
    let verifier = api.entra.get().ok_or(KubeError::Unauthorized)?;
    let caller = verifier.verify(token).await.map_err(|e| {
        tracing::debug!(error = %e, "an Entra token was refused");
        KubeError::Unauthorized
    })?;
    let admin = caller
        .groups
        .iter()
        .any(|g| entra.admin_groups.iter().any(|a| a.eq_ignore_ascii_case(g)));
    let mut groups = caller.groups;
    if admin {
        groups.push(MASTERS.to_string());
    }
    groups.push(AUTHENTICATED.to_string());
    Ok(UserInfo {
        username: caller.username,
        uid: caller.object_id,
        groups,
    })
}

/// The anonymous caller, for the public paths (`/version`, `/healthz`).
pub fn anonymous() -> UserInfo {
    user("system:anonymous", &["system:unauthenticated"])
}
