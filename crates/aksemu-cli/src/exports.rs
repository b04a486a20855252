//! The environment that points unmodified clients at a running server: shared
//! by `aksemu env` (printed as shell exports) and `aksemu exec` (given to the
//! command). Two ways: explicit (the loopback URLs in the SDKs' and az's
//! settings) and through the interception proxy (Azure's public names, default
//! settings).

use std::path::Path;

use serde_json::{Value, json};

use crate::admin_client::AdminClient;
use crate::data_dir::{CA_BUNDLE, CA_CERT, DataDir, ServerInfo};
use crate::run_as::RunAs;
use aksemu_arm::bootstrap::AdminCredentials;

/// One change to a process environment.
#[derive(Debug, Clone, PartialEq)]
pub enum Export {
    Set(String, String),
    Unset(Vec<String>),
}

/// Gives a command the environment changes.
pub fn apply(cmd: &mut std::process::Command, env: &[Export]) {
    for e in env {
        match e {
            Export::Set(k, v) => {
                cmd.env(k, v);
            }
            Export::Unset(names) => {
                for n in names {
                    cmd.env_remove(n);
                }
            }
        }
    }
}

fn set(k: &str, v: impl Into<String>) -> Export {
    Export::Set(k.to_string(), v.into())
}

fn unset(names: &str) -> Export {
    Export::Unset(names.split_whitespace().map(str::to_string).collect())
}

/// The running server a command talks to.
pub struct Target {
    pub dir: DataDir,
    pub info: ServerInfo,
    pub creds: AdminCredentials,
}

/// Where `aksemu exec` keeps az's configuration (profile, token cache), away
/// from the user's own `~/.azure`: the administrator's.
pub const AZ_CONFIG_DIR: &str = "az";
/// az's configuration for commands run as a host or a pod: never the
/// administrator's (its token cache would answer for them).
pub const AZ_WORKLOAD_CONFIG_DIR: &str = "az-workload";

/// The variables the workload-identity webhook injects: all a pod's
/// environment contributes (the rest of a pod spec's env is not this
/// machine's business, and could reconfigure the local process).
const POD_VARIABLES: &[&str] = &[
    "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_AUTHORITY_HOST",
];

/// Where clients read their proxy (curl reads only the lowercase `http_proxy`).
const PROXY_VARIABLES: [&str; 4] = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"];

/// The kubeconfig `aksemu exec -- az aks get-credentials` writes (servers
/// named by their public names), `KUBECONFIG` under the proxy once it exists.
pub const KUBECONFIG: &str = "kubeconfig";

pub async fn exports(t: &Target, who: &RunAs, proxy: bool) -> anyhow::Result<Vec<Export>> {
    let mut out = common(t);
    let proxy_url = match (proxy, &t.info.proxy_url) {
        (true, Some(u)) => Some(u.clone()),
        (true, None) => anyhow::bail!(
            "the running server has no interception proxy (it predates it): restart `aksemu serve`"
        ),
        (false, _) => None,
    };
    match &proxy_url {
        Some(u) => out.extend(proxied(t, u, who.is_admin())),
        None => out.extend(explicit(t)),
    }
    if let Some(pod) = &who.pod {
        out.extend(pod_exports(t, who, pod, proxy).await?);
    } else if who.is_host() {
        let host = register_host(t, who).await?;
        out.extend(host_exports(
            t,
            &host,
            who.app_service,
            proxy_url.as_deref(),
        ));
    } else {
        out.extend(admin(&t.creds));
    }
    Ok(out)
}

fn common(t: &Target) -> Vec<Export> {
    let ca = t.dir.file(CA_CERT);
    let bundle = t.dir.file(CA_BUNDLE);
    let bundle = if bundle.exists() { bundle } else { ca.clone() };
    let path = |p: &Path| p.to_string_lossy().to_string();
    vec![
        set("AKSEMU_ARM_URL", &t.info.arm_url),
        set("AKSEMU_IMDS_URL", &t.info.imds_url),
        set("AKSEMU_TENANT_ID", &t.creds.tenant_id),
        set("AKSEMU_SUBSCRIPTION_ID", &t.creds.subscription_id),
        // Trust: requests (az, MSAL, Python SDKs), urllib/OpenSSL, curl (the
        // system's roots and the local CA, so other HTTPS keeps working), and
        // Node (which adds the local CA to its own roots).
        set("REQUESTS_CA_BUNDLE", path(&bundle)),
        set("SSL_CERT_FILE", path(&bundle)),
        set("CURL_CA_BUNDLE", path(&bundle)),
        set("NODE_EXTRA_CA_CERTS", path(&ca)),
        // az: no telemetry upload, no online error recommendations or surveys.
        set("AZURE_CORE_COLLECT_TELEMETRY", "false"),
        set("AZURE_CORE_ERROR_RECOMMENDATION", "off"),
        set("AZURE_CORE_SURVEY_MESSAGE", "false"),
        set("AZURE_EXTENSION_USE_DYNAMIC_INSTALL", "no"),
        set("AZURE_SUBSCRIPTION_ID", &t.creds.subscription_id),
    ]
}

/// The explicit way: the SDKs' authority is this server; az reads the cloud
/// registered with `az cloud register` and skips instance discovery.
fn explicit(t: &Target) -> Vec<Export> {
    vec![
        set("AZURE_CORE_INSTANCE_DISCOVERY", "false"),
        set("AZURE_AUTHORITY_HOST", &t.info.arm_url),
    ]
}

/// Through the proxy: Azure's public names and default settings, az in its
/// own configuration directory on AzureCloud (the administrator's only for
/// the administrator, and its kubeconfig likewise).
fn proxied(t: &Target, proxy_url: &str, admin: bool) -> Vec<Export> {
    let az_dir = t.dir.file(if admin {
        AZ_CONFIG_DIR
    } else {
        AZ_WORKLOAD_CONFIG_DIR
    });
    let mut out = vec![unset("AZURE_AUTHORITY_HOST AZURE_CORE_INSTANCE_DISCOVERY")];
    for k in PROXY_VARIABLES {
        out.push(set(k, proxy_url));
    }
    for k in ["NO_PROXY", "no_proxy"] {
        out.push(set(k, "localhost,127.0.0.1,::1"));
    }
    out.push(set("AKSEMU_PROXY_URL", proxy_url));
    out.push(set("AZURE_CONFIG_DIR", az_dir.to_string_lossy()));
    let kubeconfig = t.dir.file(KUBECONFIG);
    if admin && kubeconfig.exists() {
        out.push(set("KUBECONFIG", kubeconfig.to_string_lossy()));
    }
    out
}

fn admin(creds: &AdminCredentials) -> Vec<Export> {
    vec![
        // Back from a host's or a pod's environment in the same shell.
        unset(
            "AZURE_POD_IDENTITY_AUTHORITY_HOST IDENTITY_ENDPOINT IDENTITY_HEADER AKSEMU_HOST_ID AZURE_FEDERATED_TOKEN_FILE",
        ),
        set("AKSEMU_CLIENT_ID", &creds.client_id),
        set("AKSEMU_CLIENT_SECRET", &creds.client_secret),
        // Azure SDKs' EnvironmentCredential.
        set("AZURE_TENANT_ID", &creds.tenant_id),
        set("AZURE_CLIENT_ID", &creds.client_id),
        set("AZURE_CLIENT_SECRET", &creds.client_secret),
    ]
}

async fn admin_client(t: &Target) -> anyhow::Result<AdminClient> {
    AdminClient::connect(&t.dir, &t.info, &t.creds).await
}

async fn pod_exports(
    t: &Target,
    who: &RunAs,
    pod: &str,
    proxy: bool,
) -> anyhow::Result<Vec<Export>> {
    let body = json!({"pod": pod, "cluster": who.cluster, "container": who.container});
    let answer = admin_client(t)
        .await?
        .post("/aksemu/admin/pods", &body)
        .await?;
    let mut out = vec![unset(
        "AKSEMU_CLIENT_ID AKSEMU_CLIENT_SECRET AZURE_CLIENT_SECRET AZURE_CLIENT_ID IDENTITY_ENDPOINT IDENTITY_HEADER \
         AZURE_POD_IDENTITY_AUTHORITY_HOST AKSEMU_HOST_ID MSI_ENDPOINT MSI_SECRET IMDS_ENDPOINT",
    )];
    let env = answer["env"].as_object().into_iter().flatten();
    for (k, v) in env.filter(|(k, _)| POD_VARIABLES.contains(&k.as_str())) {
        let v = v.as_str().unwrap_or_default();
        // Through the proxy the webhook's own value stands: Entra's public name.
        let v = if proxy && k == "AZURE_AUTHORITY_HOST" {
            "https://login.microsoftonline.com/"
        } else {
            v
        };
        out.push(set(k, v));
    }
    Ok(out)
}

/// Asks the running server for a host holding the identities (or being the
/// resource, or a cluster's node).
async fn register_host(t: &Target, who: &RunAs) -> anyhow::Result<Value> {
    let body = match (&who.host, &who.node) {
        (Some(r), _) => json!({ "resource": r }),
        (None, Some(cluster)) => json!({ "node": {"cluster": cluster, "pool": who.pool} }),
        (None, None) => json!({ "identities": who.identities }),
    };
    admin_client(t)
        .await?
        .post("/aksemu/admin/hosts", &body)
        .await
}

/// A host's process: the managed-identity endpoint (IMDS through the proxy,
/// whose credentials name the host; else its loopback URL), never the
/// administrator's secret.
fn host_exports(t: &Target, host: &Value, app_service: bool, proxy: Option<&str>) -> Vec<Export> {
    let token = host["token"].as_str().unwrap_or_default();
    let base = format!("{}/hosts/{token}", t.info.imds_url);
    let mut out = vec![unset(
        "AKSEMU_CLIENT_ID AKSEMU_CLIENT_SECRET AZURE_CLIENT_SECRET AZURE_TENANT_ID MSI_ENDPOINT MSI_SECRET IMDS_ENDPOINT \
         AZURE_FEDERATED_TOKEN_FILE",
    )];
    match (app_service, proxy) {
        (true, _) => {
            out.push(unset("AZURE_POD_IDENTITY_AUTHORITY_HOST"));
            out.push(set("IDENTITY_ENDPOINT", format!("{base}/msi/token")));
            out.push(set(
                "IDENTITY_HEADER",
                host["secret"].as_str().unwrap_or_default(),
            ));
        }
        (false, Some(proxy_url)) => {
            out.push(unset(
                "IDENTITY_ENDPOINT IDENTITY_HEADER AZURE_POD_IDENTITY_AUTHORITY_HOST",
            ));
            let with_host = proxy_url.replacen("http://", &format!("http://host:{token}@"), 1);
            for k in PROXY_VARIABLES {
                out.push(set(k, &with_host));
            }
        }
        (false, None) => {
            out.push(unset("IDENTITY_ENDPOINT IDENTITY_HEADER"));
            out.push(set("AZURE_POD_IDENTITY_AUTHORITY_HOST", &base));
        }
    }
    out.push(default_client_id(host));
    out.push(set(
        "AKSEMU_HOST_ID",
        host["resourceId"].as_str().unwrap_or_default(),
    ));
    out
}

/// `AZURE_CLIENT_ID` only where it names the identity a client should pick.
fn default_client_id(host: &Value) -> Export {
    match host["identities"].as_array().map(Vec::as_slice) {
        // A system-assigned identity is the default; otherwise one identity is
        // picked without being told.
        _ if !host["systemAssigned"].is_null() => unset("AZURE_CLIENT_ID"),
        // A node: the kubelet identity, as the node's azure.json names it.
        _ if host["defaultClientId"].is_string() => set(
            "AZURE_CLIENT_ID",
            host["defaultClientId"].as_str().unwrap_or_default(),
        ),
        Some([one]) => set(
            "AZURE_CLIENT_ID",
            one["clientId"].as_str().unwrap_or_default(),
        ),
        _ => unset("AZURE_CLIENT_ID"),
    }
}
