//! An image pull on a node, as the kubelet's ACR credential provider and
//! containerd do it: images of this cloud's registries (`<name>.azurecr.io`)
//! need an Entra token for the registry audience as the kubelet identity,
//! exchanged at the registry for its refresh token, then an access token for
//! `repository:<repo>:pull` (granted by AcrPull), then the manifest. Any other
//! image is public and pulls without a check. Failures carry the text
//! containerd reports, so the kubelet's events read as on AKS.

use aksemu_arm::Cloud;
use aksemu_arm::providers::registry_auth::{self, ACR_AUDIENCE};
use aksemu_core::cluster_cloud::ImagePull;
use aksemu_store::Doc;

/// `(registry host, repository, tag)` of an image reference.
/// (A digest reference, `repo@sha256:…`, gives the digest as the tag.)
fn parse(image: &str) -> Option<(&str, &str, &str)> {
    let (host, rest) = image.split_once('/')?;
    if !host.contains('.') && !host.contains(':') {
        return None;
    }
    if let Some((named, digest)) = rest.split_once('@') {
        let repo = named.rsplit_once(':').map_or(named, |(r, _)| r);
        return Some((host, repo, digest));
    }
    let (repo, tag) = match rest.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, t),
        _ => (rest, "latest"),
    };
    Some((host, repo, tag))
}

/// The host without a port or a trailing dot, lower-cased (how a resolver
/// sees it: `myacr.azurecr.io:443` and `myacr.azurecr.io.` are that registry).
fn bare_host(host: &str) -> String {
    let h = host.rsplit_once(':').map_or(host, |(h, _)| h);
    h.trim_end_matches('.').to_ascii_lowercase()
}

fn is_acr(host: &str) -> bool {
    let h = bare_host(host);
    [".azurecr.io", ".azurecr.cn", ".azurecr.us"]
        .iter()
        .any(|s| h.ends_with(s))
}

pub async fn pull(
    cloud: &Cloud,
    cluster: &Doc,
    image: &str,
    on_bad_secret: aksemu_aks::acting::OnBadSecret,
) -> ImagePull {
    let Some((raw_host, repo, tag)) = parse(image).filter(|(h, _, _)| is_acr(h)) else {
        return ImagePull::Public;
    };
    let host = bare_host(raw_host);
    let host = host.as_str();
    let unpack = format!(
        "failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\""
    );
    let registry = match registry_auth::find(cloud, host).await {
        Ok(Some(r)) => r,
        _ => {
            return ImagePull::Failed(format!(
                "{unpack}: failed to do request: Head \"https://{host}/v2/{repo}/manifests/{tag}\": dial tcp: lookup {host}: no such host"
            ));
        }
    };
    let denied = format!(
        "{unpack}: failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://{host}/oauth2/token?scope=repository%3A{}%3Apull&service={host}: 401 Unauthorized",
        repo.replace('/', "%2F")
    );
    let aad = match aksemu_aks::acting::kubelet_token(cloud, cluster, ACR_AUDIENCE, on_bad_secret)
        .await
    {
        Ok(t) => t,
        Err(e) => return ImagePull::Failed(format!("{unpack}: failed to authorize: {e}")),
    };
    let granted = registry_auth::exchange(cloud, host, &aad).and_then(|refresh| {
        registry_auth::token(
            cloud,
            &registry,
            &refresh,
            &format!("repository:{repo}:pull"),
        )
    });
    let Ok(access) = granted else {
        return ImagePull::Failed(denied);
    };
    match registry_auth::manifest(cloud, &registry, &access, repo, tag).await {
        Ok(Some(m)) => ImagePull::Pulled {
            digest: m["digest"].as_str().unwrap_or_default().to_string(),
        },
        Ok(None) => ImagePull::Failed(format!("{unpack}: {image}: not found")),
        Err(_) => ImagePull::Failed(denied),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(
            parse("myacr.azurecr.io/app:v1"),
            Some(("myacr.azurecr.io", "app", "v1"))
        );
        assert_eq!(
            parse("myacr.azurecr.io/team/app"),
            Some(("myacr.azurecr.io", "team/app", "latest"))
        );
        assert_eq!(
            parse("myacr.azurecr.io/app:v1@sha256:ab"),
            Some(("myacr.azurecr.io", "app", "sha256:ab"))
        );
        assert_eq!(parse("nginx:1.27"), None);
        assert_eq!(parse("library/nginx"), None);
        assert!(is_acr("MyAcr.azurecr.io") && !is_acr("mcr.microsoft.com"));
        assert!(is_acr("myacr.azurecr.io:443") && is_acr("myacr.azurecr.io."));
    }
}
