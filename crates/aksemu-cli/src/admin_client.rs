//! A client of the running server's admin API, authenticated as the bootstrap
//! administrator (credentials.json), trusting only the data dir's CA.

use std::path::Path;

use anyhow::{Context as _, bail};
use serde_json::Value;

use crate::data_dir::{CA_CERT, DataDir, ServerInfo};
use aksemu_arm::bootstrap::AdminCredentials;

pub struct AdminClient {
    client: reqwest::Client,
    base: String,
    token: String,
}

/// The running server of a data dir, and the administrator's credentials.
pub fn server(data_dir: &Path) -> anyhow::Result<(DataDir, ServerInfo, AdminCredentials)> {
    let none = || {
        anyhow::anyhow!(
            "no running aksemu server uses the data dir {} (start one with `aksemu serve --data-dir {}`, or name its data dir with --data-dir)",
            data_dir.display(),
            data_dir.display()
        )
    };
    let dir = DataDir::open(data_dir).map_err(|_| none())?;
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
    Ok((dir, info, creds))
}

impl AdminClient {
    pub async fn connect(
        dir: &DataDir,
        info: &ServerInfo,
        creds: &AdminCredentials,
    ) -> anyhow::Result<Self> {
        let ca = dir.file(CA_CERT);
        let pem = std::fs::read(&ca).with_context(|| format!("reading {}", ca.display()))?;
        let client = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&pem)?])
            .no_proxy()
            .build()?;
        let token: Value = client
            .post(format!(
                "{}/{}/oauth2/v2.0/token",
                info.arm_url, creds.tenant_id
            ))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &creds.client_id),
                ("client_secret", &creds.client_secret),
                ("scope", "https://management.core.windows.net//.default"),
            ])
            .send()
            .await?
            .json()
            .await?;
        let token = token["access_token"]
            .as_str()
            .context("no administrator token")?
            .to_string();
        Ok(Self {
            client,
            base: info.arm_url.clone(),
            token,
        })
    }

    async fn answer(resp: reqwest::Response) -> anyhow::Result<Value> {
        let status = resp.status();
        let body: Value = resp.json().await?;
        if !status.is_success() {
            bail!(
                "{}",
                body["error"]["message"]
                    .as_str()
                    .unwrap_or("the server refused the request")
            );
        }
        Ok(body)
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        Self::answer(
            self.client
                .get(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .send()
                .await?,
        )
        .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        Self::answer(
            self.client
                .post(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .json(body)
                .send()
                .await?,
        )
        .await
    }
}
