//! An image pull on a node, as the kubelet's ACR credential provider and
//! containerd do it: images of this cloud's registries (`<name>.azurecr.io`)
//! need an Entra token for the registry audience as the kubelet identity,
//! exchanged at the registry for its refresh token, then an access token for
//! `repository:<repo>:pull` (granted by AcrPull), then the manifest. Any other
//! image is public and pulls without a check. Failures carry the text
//! containerd reports, so the kubelet's events read as on AKS.

use aksemu_arm::Cloud;
use aksemu_arm::providers::registry_auth::{self, ACR_AUDIENCE};
use aksemu_core::cluster_cloud::{ImagePull, RegistryImage};
use aksemu_store::Doc;

pub async fn pull(
    cloud: &Cloud,
    cluster: &Doc,
    image: &str,
    on_bad_secret: aksemu_aks::acting::OnBadSecret,
) -> ImagePull {
    let Some(r) = RegistryImage::of(image) else {
        return ImagePull::Public;
    };
    let (host, repo, tag) = (r.host.as_str(), r.repo, r.reference);
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
