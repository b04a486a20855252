//! `aksemu env --pod <ns>/<name>`: the server writes the pod's projected
//! service-account token to a file under the data dir and keeps it fresh (a
//! new one at 80 % of its life, on the cloud clock, as the kubelet renews
//! it) while the pod exists, and answers the environment the webhook
//! injected, with the authority and the token file pointed at this machine.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use aksemu_core::ArmError;
use aksemu_kube::KubeApi;
use serde_json::{Value, json};

/// Token files being renewed (one task each).
static RENEWING: LazyLock<Mutex<HashSet<PathBuf>>> = LazyLock::new(Default::default);

fn bad(message: String) -> ArmError {
    ArmError::InvalidRequestContent(message)
}

/// Writes `token` to `path` whole (a reader never sees half a token), readable
/// by this user only.
fn write_token(path: &Path, token: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("{}.tmp", uuid::Uuid::new_v4().simple()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(token.as_bytes())?;
    drop(f);
    std::fs::rename(&tmp, path)
}

/// A namespace or pod name as Kubernetes allows it (and so a safe path part).
fn label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !s.starts_with('.')
        && !s.contains("..")
}

/// Handles the admin request `{"pod": "ns/name", "cluster"?, "container"?}`.
pub async fn register(
    kube: &Arc<KubeApi>,
    files: &Path,
    body: &[u8],
    base_url: &str,
) -> Result<Value, ArmError> {
    let req: Value = serde_json::from_slice(body).map_err(|e| bad(e.to_string()))?;
    let (ns, name) = req["pod"]
        .as_str()
        .and_then(|p| p.split_once('/'))
        .filter(|(ns, name)| label(ns) && label(name))
        .ok_or_else(|| bad("'pod' must be <namespace>/<name>".into()))?;
    let found = kube
        .find_pod(req["cluster"].as_str(), ns, name)
        .await
        .map_err(|e| bad(e.to_string()))?;
    let (uid, pod) = match found.as_slice() {
        [one] => one.clone(),
        [] => return Err(bad(format!("no pod {ns}/{name} in any cluster"))),
        _ => {
            return Err(bad(format!(
                "pod {ns}/{name} is in several clusters: name one with --cluster"
            )));
        }
    };
    let container = req["container"].as_str();
    let api_server = format!("{base_url}/aksemu/clusters/{uid}");
    let identity = kube
        .pod_identity(&uid, &pod, container, &api_server)
        .await
        .map_err(|e| bad(e.to_string()))?;
    let path = files
        .join("pods")
        .join(&uid)
        .join(ns)
        .join(name)
        .join("azure-identity-token");
    write_token(&path, &identity.token)
        .map_err(|e| bad(format!("writing {}: {e}", path.display())))?;
    renew(
        kube.clone(),
        (uid.clone(), ns.to_string(), name.to_string()),
        container.map(str::to_string),
        path.clone(),
        api_server,
        identity.expires,
        identity.seconds,
    );
    let mut env: serde_json::Map<String, Value> = identity
        .env
        .into_iter()
        .map(|(k, v)| (k, json!(v)))
        .collect();
    env.insert(
        "AZURE_FEDERATED_TOKEN_FILE".into(),
        json!(path.to_string_lossy()),
    );
    env.insert("AZURE_AUTHORITY_HOST".into(), json!(format!("{base_url}/")));
    Ok(json!({"cluster": uid, "env": env, "tokenFile": path.to_string_lossy()}))
}

/// Keeps the file fresh while the pod exists (one task per file).
fn renew(
    kube: Arc<KubeApi>,
    pod: (String, String, String),
    container: Option<String>,
    path: PathBuf,
    api_server: String,
    mut expires: i64,
    seconds: i64,
) {
    if !RENEWING
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(path.clone())
    {
        return;
    }
    tokio::spawn(async move {
        let (uid, ns, name) = pod;
        loop {
            tokio::time::sleep(Duration::from_secs(2)).await;
            let found = kube
                .find_pod(Some(&uid), &ns, &name)
                .await
                .unwrap_or_default();
            let Some((_, current)) = found.into_iter().next() else {
                break;
            };
            let now = kube.now().unix_timestamp();
            if now < expires - seconds / 5 {
                continue;
            }
            match kube
                .pod_identity(&uid, &current, container.as_deref(), &api_server)
                .await
            {
                Ok(fresh) if write_token(&path, &fresh.token).is_ok() => expires = fresh.expires,
                _ => tracing::warn!(path = %path.display(), "renewing a pod's token failed"),
            }
        }
        RENEWING
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&path);
    });
}
