//! `aksemu env`: exports for the running server of a data dir, so an unmodified
//! az CLI or Azure SDK talks to it and to nothing else. With `--identity`, the
//! exports put the process "on a host" that holds those managed identities.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::{Value, json};

use crate::admin_client::{AdminClient, server};
use crate::data_dir::{CA_BUNDLE, CA_CERT, DataDir, ServerInfo};
use aksemu_arm::bootstrap::AdminCredentials;

#[derive(Args)]
pub struct EnvArgs {
    /// The data directory of the running server (default: the nearest
    /// `.aksemu` with a running server, from here upwards).
    #[arg(long, env = "AKSEMU_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Run as a host holding these user-assigned identities (resource id or
    /// clientId; repeat for several): exports the managed-identity endpoint
    /// instead of the administrator's secret.
    #[arg(long = "identity", value_name = "ID", conflicts_with_all = ["host", "node", "pod"])]
    identities: Vec<String>,
    /// Run on this ARM resource (a virtual machine scale set) as its host: its
    /// system-assigned identity is the default, its user-assigned ones by clientId.
    #[arg(long, value_name = "RESOURCE_ID", conflicts_with_all = ["node", "pod"])]
    host: Option<String>,
    /// Run on a node of this AKS cluster (name or resource id): the node pool's
    /// scale set is the host, holding the kubelet and add-on identities; the
    /// kubelet identity is the default.
    #[arg(long, value_name = "CLUSTER", conflicts_with = "pod")]
    node: Option<String>,
    /// Run as this pod (`<namespace>/<name>`) with workload identity: its
    /// injected environment, the authority pointed at this server, and a token
    /// file the server keeps fresh while the pod exists.
    #[arg(long, value_name = "NS/NAME")]
    pod: Option<String>,
    /// With --pod: the cluster (name or uid) when several have such a pod.
    #[arg(long, value_name = "CLUSTER", requires = "pod")]
    cluster: Option<String>,
    /// With --pod: the container (default: the first with the injection).
    #[arg(long, value_name = "NAME", requires = "pod")]
    container: Option<String>,
    /// With --node: the node pool (default: the first System pool).
    #[arg(long, value_name = "NAME", requires = "node")]
    pool: Option<String>,
    /// With --identity or --host: use the App Service protocol (IDENTITY_ENDPOINT
    /// and IDENTITY_HEADER) instead of IMDS.
    #[arg(long)]
    app_service: bool,
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

pub fn run(args: EnvArgs) -> anyhow::Result<()> {
    let (dir, info, creds) = server(&crate::data_dir::locate(args.data_dir.as_deref()))?;
    let ca = dir.file(CA_CERT);
    let bundle = dir.file(CA_BUNDLE);
    let bundle = if bundle.exists() { bundle } else { ca.clone() };
    let mut lines = common(&info, &creds, &ca, &bundle);
    if let Some(pod) = &args.pod {
        let body = json!({"pod": pod, "cluster": args.cluster, "container": args.container});
        let answer = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(async {
                let admin = AdminClient::connect(&dir, &info, &creds).await?;
                admin.post("/aksemu/admin/pods", &body).await
            })?;
        lines.push("unset AKSEMU_CLIENT_ID AKSEMU_CLIENT_SECRET AZURE_CLIENT_SECRET AZURE_CLIENT_ID IDENTITY_ENDPOINT IDENTITY_HEADER".to_string());
        for (k, v) in answer["env"].as_object().into_iter().flatten() {
            lines.push(format!(
                "export {k}={}",
                quote(v.as_str().unwrap_or_default())
            ));
        }
    } else if args.identities.is_empty() && args.host.is_none() && args.node.is_none() {
        for (k, v) in [
            ("AKSEMU_CLIENT_ID", &creds.client_id),
            ("AKSEMU_CLIENT_SECRET", &creds.client_secret),
            // Azure SDKs' EnvironmentCredential.
            ("AZURE_TENANT_ID", &creds.tenant_id),
            ("AZURE_CLIENT_ID", &creds.client_id),
            ("AZURE_CLIENT_SECRET", &creds.client_secret),
        ] {
            lines.push(format!("export {k}={}", quote(v)));
        }
    } else {
        let host = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(register_host(
                &dir,
                &info,
                &creds,
                &args.identities,
                args.host.as_deref(),
                args.node.as_deref().map(|c| (c, args.pool.as_deref())),
            ))?;
        lines.extend(host_lines(&info, &host, args.app_service));
    }
    for l in lines {
        println!("{l}");
    }
    Ok(())
}

fn common(info: &ServerInfo, creds: &AdminCredentials, ca: &Path, bundle: &Path) -> Vec<String> {
    let ca = ca.to_string_lossy().to_string();
    let bundle = bundle.to_string_lossy().to_string();
    [
        ("AKSEMU_ARM_URL", info.arm_url.clone()),
        ("AKSEMU_IMDS_URL", info.imds_url.clone()),
        ("AKSEMU_TENANT_ID", creds.tenant_id.clone()),
        ("AKSEMU_SUBSCRIPTION_ID", creds.subscription_id.clone()),
        // Trust: requests (az, MSAL, Python SDKs), urllib/OpenSSL, curl (the
        // system's roots and the local CA, so other HTTPS keeps working), and
        // Node (which adds the local CA to its own roots).
        ("REQUESTS_CA_BUNDLE", bundle.clone()),
        ("SSL_CERT_FILE", bundle.clone()),
        ("CURL_CA_BUNDLE", bundle),
        ("NODE_EXTRA_CA_CERTS", ca),
        // az: no instance discovery against login.microsoftonline.com, no
        // telemetry upload, no online error recommendations or surveys.
        ("AZURE_CORE_INSTANCE_DISCOVERY", "false".to_string()),
        ("AZURE_CORE_COLLECT_TELEMETRY", "false".to_string()),
        ("AZURE_CORE_ERROR_RECOMMENDATION", "off".to_string()),
        ("AZURE_CORE_SURVEY_MESSAGE", "false".to_string()),
        ("AZURE_EXTENSION_USE_DYNAMIC_INSTALL", "no".to_string()),
        // Azure SDKs: authority and subscription.
        ("AZURE_AUTHORITY_HOST", info.arm_url.clone()),
        ("AZURE_SUBSCRIPTION_ID", creds.subscription_id.clone()),
    ]
    .into_iter()
    .map(|(k, v)| format!("export {k}={}", quote(&v)))
    .collect()
}

/// Asks the running server for a host holding the identities (or being the resource).
async fn register_host(
    dir: &DataDir,
    info: &ServerInfo,
    creds: &AdminCredentials,
    identities: &[String],
    resource: Option<&str>,
    node: Option<(&str, Option<&str>)>,
) -> anyhow::Result<Value> {
    let admin = AdminClient::connect(dir, info, creds).await?;
    let body = match (resource, node) {
        (Some(r), _) => json!({ "resource": r }),
        (None, Some((cluster, pool))) => json!({ "node": {"cluster": cluster, "pool": pool} }),
        (None, None) => json!({ "identities": identities }),
    };
    admin.post("/aksemu/admin/hosts", &body).await
}

fn host_lines(info: &ServerInfo, host: &Value, app_service: bool) -> Vec<String> {
    let token = host["token"].as_str().unwrap_or_default();
    let base = format!("{}/hosts/{token}", info.imds_url);
    let mut out = vec![
        // Nothing of the administrator's: this process is the host's.
        "unset AKSEMU_CLIENT_ID AKSEMU_CLIENT_SECRET AZURE_CLIENT_SECRET AZURE_TENANT_ID MSI_ENDPOINT MSI_SECRET IMDS_ENDPOINT".to_string(),
    ];
    if app_service {
        out.push("unset AZURE_POD_IDENTITY_AUTHORITY_HOST".to_string());
        out.push(format!(
            "export IDENTITY_ENDPOINT={}",
            quote(&format!("{base}/msi/token"))
        ));
        out.push(format!(
            "export IDENTITY_HEADER={}",
            quote(host["secret"].as_str().unwrap_or_default())
        ));
    } else {
        out.push("unset IDENTITY_ENDPOINT IDENTITY_HEADER".to_string());
        out.push(format!(
            "export AZURE_POD_IDENTITY_AUTHORITY_HOST={}",
            quote(&base)
        ));
    }
    match host["identities"].as_array().map(Vec::as_slice) {
        // A system-assigned identity is the default; otherwise one identity is
        // picked without being told.
        _ if !host["systemAssigned"].is_null() => out.push("unset AZURE_CLIENT_ID".to_string()),
        // A node: the kubelet identity, as the node's azure.json names it.
        _ if host["defaultClientId"].is_string() => out.push(format!(
            "export AZURE_CLIENT_ID={}",
            quote(host["defaultClientId"].as_str().unwrap_or_default())
        )),
        Some([one]) => out.push(format!(
            "export AZURE_CLIENT_ID={}",
            quote(one["clientId"].as_str().unwrap_or_default())
        )),
        _ => out.push("unset AZURE_CLIENT_ID".to_string()),
    }
    out.push(format!(
        "export AKSEMU_HOST_ID={}",
        quote(host["resourceId"].as_str().unwrap_or_default())
    ));
    out
}
