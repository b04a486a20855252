//! `aksemu env`: exports for the running server of a data dir, so an unmodified
//! az CLI or Azure SDK talks to it and to nothing else.

use std::path::Path;

use anyhow::{Context as _, bail};

use crate::data_dir::{CA_CERT, DataDir};

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

pub fn run(data_dir: &Path) -> anyhow::Result<()> {
    let dir = DataDir::open(data_dir)?;
    let Some(info) = dir.server_info()? else {
        bail!(
            "no running aksemu server uses the data dir {} (start one with `aksemu serve --data-dir {}`)",
            data_dir.display(),
            data_dir.display()
        );
    };
    let creds = dir
        .credentials()?
        .context("credentials.json is missing; restart `aksemu serve` to issue new administrator credentials")?;
    let ca = dir.file(CA_CERT);
    let ca = ca.to_string_lossy();
    let vars: Vec<(&str, String)> = vec![
        ("AKSEMU_ARM_URL", info.arm_url.clone()),
        ("AKSEMU_TENANT_ID", creds.tenant_id.clone()),
        ("AKSEMU_SUBSCRIPTION_ID", creds.subscription_id.clone()),
        ("AKSEMU_CLIENT_ID", creds.client_id.clone()),
        ("AKSEMU_CLIENT_SECRET", creds.client_secret.clone()),
        // Trust: requests (az, MSAL, Python SDKs), urllib/OpenSSL, Node.
        ("REQUESTS_CA_BUNDLE", ca.to_string()),
        ("SSL_CERT_FILE", ca.to_string()),
        ("NODE_EXTRA_CA_CERTS", ca.to_string()),
        // az: no instance discovery against login.microsoftonline.com, no
        // telemetry upload, no online error recommendations or surveys.
        ("AZURE_CORE_INSTANCE_DISCOVERY", "false".to_string()),
        ("AZURE_CORE_COLLECT_TELEMETRY", "false".to_string()),
        ("AZURE_CORE_ERROR_RECOMMENDATION", "off".to_string()),
        ("AZURE_CORE_SURVEY_MESSAGE", "false".to_string()),
        ("AZURE_EXTENSION_USE_DYNAMIC_INSTALL", "no".to_string()),
        // Azure SDKs (azure-identity's EnvironmentCredential and authority).
        ("AZURE_AUTHORITY_HOST", info.arm_url.clone()),
        ("AZURE_TENANT_ID", creds.tenant_id.clone()),
        ("AZURE_CLIENT_ID", creds.client_id.clone()),
        ("AZURE_CLIENT_SECRET", creds.client_secret.clone()),
        ("AZURE_SUBSCRIPTION_ID", creds.subscription_id.clone()),
    ];
    for (k, v) in vars {
        println!("export {k}={}", quote(&v));
    }
    Ok(())
}
