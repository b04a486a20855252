//! `aksemu bench kube`: measures a cluster's Kubernetes API through its admin
//! kubeconfig, over HTTPS on loopback, and prints Markdown rows for
//! BENCHMARKS.md. Every load is bounded by a count.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use base64::Engine as _;
use clap::Args;
use serde_json::{Value, json};
use tokio::sync::Mutex;

#[derive(Args)]
pub struct KubeArgs {
    /// The admin kubeconfig of the cluster to measure.
    #[arg(long)]
    kubeconfig: PathBuf,
    /// Pods to create (in namespace `bench`).
    #[arg(long, default_value_t = 10_000)]
    pods: usize,
    /// Requests in flight while creating.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Concurrent watches for the latency measure.
    #[arg(long, default_value_t = 1_000)]
    watches: usize,
    /// Writes observed by every watch.
    #[arg(long, default_value_t = 20)]
    writes: usize,
}

struct Api {
    client: reqwest::Client,
    server: String,
    token: String,
}

fn field(kubeconfig: &str, key: &str) -> anyhow::Result<String> {
    kubeconfig
        .lines()
        .find_map(|l| l.trim().strip_prefix(&format!("{key}: ")))
        .map(str::to_string)
        .with_context(|| format!("no {key} in the kubeconfig"))
}

impl Api {
    fn from_kubeconfig(path: &PathBuf) -> anyhow::Result<Self> {
        let kc = std::fs::read_to_string(path)?;
        let ca = base64::engine::general_purpose::STANDARD
            .decode(field(&kc, "certificate-authority-data")?)?;
        let client = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&ca)?])
            .no_proxy()
            .pool_max_idle_per_host(2_000)
            .build()?;
        Ok(Self {
            client,
            server: field(&kc, "server")?,
            token: field(&kc, "token")?,
        })
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        accept: &str,
    ) -> anyhow::Result<(u16, Vec<u8>)> {
        let mut r = self
            .client
            .request(method, format!("{}{path}", self.server))
            .bearer_auth(&self.token)
            .header("accept", accept);
        if let Some(b) = body {
            r = r
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let resp = r.send().await?;
        let status = resp.status().as_u16();
        Ok((status, resp.bytes().await?.to_vec()))
    }
}

fn pod(i: usize) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": format!("pod-{i:05}"), "labels": {"app": format!("app-{}", i % 50)}},
        "spec": {"nodeName": format!("aks-nodepool1-00000000-vmss{:06}", i % 3),
                 "containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]}})
}

/// Creates `n` pods with `concurrency` requests in flight; returns creates/s.
async fn create_pods(api: &Arc<Api>, n: usize, concurrency: usize) -> anyhow::Result<f64> {
    let next = Arc::new(Mutex::new(0usize));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (api, next) = (api.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = {
                    let mut g = next.lock().await;
                    if *g >= n {
                        return Ok::<_, anyhow::Error>(());
                    }
                    *g += 1;
                    *g - 1
                };
                let (st, _) = api
                    .send(
                        reqwest::Method::POST,
                        "/api/v1/namespaces/bench/pods",
                        Some(pod(i)),
                        "application/json",
                    )
                    .await?;
                anyhow::ensure!(st == 201, "create answered {st}");
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/// Median wall time (ms) and size of listing every pod, `runs` times.
async fn list_time(api: &Api, accept: &str, runs: usize) -> anyhow::Result<(f64, usize, usize)> {
    let mut times = Vec::new();
    let (mut size, mut count) = (0, 0);
    for _ in 0..runs {
        let t = Instant::now();
        let (st, body) = api
            .send(reqwest::Method::GET, "/api/v1/pods", None, accept)
            .await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(st == 200, "list answered {st}");
        size = body.len();
        let v: Value = serde_json::from_slice(&body)?;
        count = v["items"]
            .as_array()
            .or(v["rows"].as_array())
            .map(Vec::len)
            .unwrap_or(0);
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], size, count))
}

pub async fn run(a: KubeArgs) -> anyhow::Result<()> {
    let api = Arc::new(Api::from_kubeconfig(&a.kubeconfig)?);
    for ns in ["bench", "watch-bench"] {
        api.send(
            reqwest::Method::POST,
            "/api/v1/namespaces",
            Some(json!({"metadata": {"name": ns}})),
            "application/json",
        )
        .await?;
    }
    let rate = create_pods(&api, a.pods, a.concurrency).await?;
    println!(
        "| durable pod creates, {} in flight | {:.0} objects/s ({} pods) | ≥ 5,000 |",
        a.concurrency, rate, a.pods
    );
    let (json_ms, json_size, n) = list_time(&api, "application/json", 7).await?;
    println!(
        "| `GET /api/v1/pods` JSON list, {n} pods ({} MB), client wall time, median of 7 | {json_ms:.0} ms | ≤ 200 |",
        json_size / 1_000_000
    );
    let (table_ms, table_size, rows) = list_time(&api, TABLE, 7).await?;
    println!(
        "| `GET /api/v1/pods` as Table, {rows} rows ({} MB), client wall time, median of 7 | {table_ms:.0} ms | ≤ 300 |",
        table_size / 1_000_000
    );
    let (p50, p99) = crate::bench_watch::latency(&api_parts(&api), a.watches, a.writes).await?;
    println!(
        "| {} watches, {} writes: event after the write's answer | p50 {p50:.1} ms, p99 {p99:.1} ms | p99 ≤ 100 |",
        a.watches, a.writes
    );
    Ok(())
}

fn api_parts(api: &Api) -> crate::bench_watch::Target {
    crate::bench_watch::Target {
        client: api.client.clone(),
        server: api.server.clone(),
        token: api.token.clone(),
    }
}
