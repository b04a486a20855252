//! Test-only helpers. Two ways to reach aksemu: `Server` starts the real
//! `aksemu` binary on `127.0.0.1:0` with a fresh data dir and store and talks to
//! it over HTTPS with a client that trusts only its CA; `TestApp` builds the
//! same cloud in process on the memory store, for a crate's `tests/` to call
//! its endpoints as any principal without HTTP. Both share the helpers: call an
//! endpoint, read a token's claims, wait for a condition with a deadline.

mod app;
mod call;
mod wait;

pub use app::{TestApp, request};
pub use call::{Called, claims};
pub use wait::{join_all, wait_until};

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde_json::Value;
use tokio::process::{Child, Command};

/// A store for a test server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestStore {
    Sqlite,
    Memory,
    /// A fresh schema in the PostgreSQL at `AKSEMU_TEST_POSTGRES_URL`.
    Postgres,
}

impl TestStore {
    /// SQLite always; PostgreSQL too when the test command provides one.
    pub fn all() -> Vec<TestStore> {
        let mut v = vec![TestStore::Sqlite];
        if std::env::var("AKSEMU_TEST_POSTGRES_URL").is_ok() {
            v.push(TestStore::Postgres);
        } else {
            assert!(
                std::env::var("AKSEMU_REQUIRE_POSTGRES").is_err(),
                "AKSEMU_REQUIRE_POSTGRES is set but AKSEMU_TEST_POSTGRES_URL is not"
            );
        }
        v
    }
}

/// Creates a schema in the test PostgreSQL and returns a URL whose connections use it.
pub async fn postgres_schema_url() -> anyhow::Result<String> {
    let url = std::env::var("AKSEMU_TEST_POSTGRES_URL").context("AKSEMU_TEST_POSTGRES_URL")?;
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await?;
    let sep = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{sep}options=-csearch_path%3D{schema}"))
}

pub struct Server {
    child: Child,
    data_dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    pub base: String,
    pub ca_pem: String,
    pub tenant_id: String,
    pub subscription_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub client: reqwest::Client,
    /// The `--store` value the server runs on (for tests that inspect the store).
    pub store_spec: String,
}

impl Server {
    pub async fn start(bin: &Path, store: &TestStore) -> anyhow::Result<Self> {
        Self::start_with(bin, store, &[]).await
    }

    /// Starts with extra `serve` arguments (e.g. `--rbac-propagation 60m`).
    pub async fn start_with(bin: &Path, store: &TestStore, extra: &[&str]) -> anyhow::Result<Self> {
        let tmp = tempfile::tempdir()?;
        let dir = tmp.path().join("data");
        let mut s = Self::launch(bin, &dir, store_arg(store).await?.as_deref(), extra).await?;
        s._tmp = Some(tmp);
        Ok(s)
    }

    /// Starts on an existing data dir (to test restarts).
    pub async fn start_in(
        bin: &Path,
        data_dir: &Path,
        store: Option<&str>,
    ) -> anyhow::Result<Self> {
        Self::launch(bin, data_dir, store, &[]).await
    }

    async fn launch(
        bin: &Path,
        data_dir: &Path,
        store: Option<&str>,
        extra: &[&str],
    ) -> anyhow::Result<Self> {
        let mut cmd = Command::new(bin);
        cmd.arg("serve")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        if let Some(s) = store {
            cmd.arg("--store").arg(s);
        }
        cmd.args(extra);
        let child = cmd.spawn().context("spawning aksemu")?;
        let info_path = data_dir.join("server.json");
        let deadline = Instant::now() + Duration::from_secs(30);
        let info: Value = loop {
            if let Ok(text) = std::fs::read_to_string(&info_path)
                && let Ok(v) = serde_json::from_str::<Value>(&text)
            {
                break v;
            }
            if Instant::now() > deadline {
                bail!("aksemu did not start within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let creds: Value =
            serde_json::from_str(&std::fs::read_to_string(data_dir.join("credentials.json"))?)?;
        let ca_pem = std::fs::read_to_string(data_dir.join("ca.pem"))?;
        let client = trusting_client(&ca_pem)?;
        let field = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
        Ok(Self {
            child,
            data_dir: data_dir.to_path_buf(),
            _tmp: None,
            base: field(&info, "armUrl"),
            ca_pem,
            tenant_id: field(&creds, "tenantId"),
            subscription_id: field(&creds, "subscriptionId"),
            client_id: field(&creds, "clientId"),
            client_secret: field(&creds, "clientSecret"),
            client,
            store_spec: store
                .map(str::to_string)
                .unwrap_or_else(|| format!("sqlite:{}", data_dir.join("aksemu.db").display())),
        })
    }

    /// The server's process id (to read its memory, for instance).
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Stops the server (SIGKILL) and waits for it.
    pub async fn stop(mut self) -> anyhow::Result<Option<tempfile::TempDir>> {
        self.child.kill().await?;
        let _ = std::fs::remove_file(self.data_dir.join("server.json"));
        Ok(self._tmp.take())
    }

    /// An ARM token for the administrator (client credentials, v2 endpoint).
    pub async fn admin_token(&self) -> anyhow::Result<String> {
        let r: Value = self
            .client
            .post(format!(
                "{}/{}/oauth2/v2.0/token",
                self.base, self.tenant_id
            ))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &self.client_id),
                ("client_secret", &self.client_secret),
                ("scope", "https://management.core.windows.net//.default"),
            ])
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        r["access_token"]
            .as_str()
            .map(str::to_string)
            .context("no access_token")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

async fn store_arg(store: &TestStore) -> anyhow::Result<Option<String>> {
    Ok(match store {
        TestStore::Sqlite => None,
        TestStore::Memory => Some("memory".into()),
        TestStore::Postgres => Some(postgres_schema_url().await?),
    })
}

/// A client that trusts only the given CA (and never uses a proxy).
pub fn trusting_client(ca_pem: &str) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(ca_pem.as_bytes())?])
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()?)
}
