//! The watch-latency part of `aksemu bench kube`: many watches open on one
//! namespace, then writes one after another; each watch's event time is taken
//! against the moment the write was answered.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::Mutex;

pub struct Target {
    pub client: reqwest::Client,
    pub server: String,
    pub token: String,
}

const NS: &str = "/api/v1/namespaces/watch-bench/configmaps";

/// Opens one watch from `rv` and records when each configmap's ADDED event arrives.
async fn follow(
    t: Arc<Target>,
    rv: String,
    seen: Arc<Mutex<Vec<(String, Instant)>>>,
    want: usize,
) -> anyhow::Result<()> {
    let url = format!("{}{NS}?watch=true&resourceVersion={rv}", t.server);
    let mut resp = t.client.get(url).bearer_auth(&t.token).send().await?;
    anyhow::ensure!(
        resp.status().as_u16() == 200,
        "watch answered {}",
        resp.status()
    );
    let mut buf = Vec::new();
    let mut got = 0;
    while got < want {
        let Some(chunk) = tokio::time::timeout(Duration::from_secs(30), resp.chunk()).await??
        else {
            anyhow::bail!("the watch ended early");
        };
        buf.extend_from_slice(&chunk);
        while let Some(i) = buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buf.drain(..=i).collect();
            let now = Instant::now();
            let v: Value = serde_json::from_slice(&line)?;
            let name = v["object"]["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            seen.lock().await.push((name, now));
            got += 1;
        }
    }
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// p50 and p99 (ms) of event time minus write-answer time over every watch and write.
pub async fn latency(t: &Target, watches: usize, writes: usize) -> anyhow::Result<(f64, f64)> {
    let t = Arc::new(Target {
        client: t.client.clone(),
        server: t.server.clone(),
        token: t.token.clone(),
    });
    let list: Value = t
        .client
        .get(format!("{}{NS}", t.server))
        .bearer_auth(&t.token)
        .send()
        .await?
        .json()
        .await?;
    let rv = list["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or("0")
        .to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = (0..watches)
        .map(|_| tokio::spawn(follow(t.clone(), rv.clone(), seen.clone(), writes)))
        .collect();
    // Let every watch be established before the first write.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut answered = Vec::new();
    for i in 0..writes {
        let body = json!({"metadata": {"name": format!("w-{i:03}")}, "data": {"i": i.to_string()}});
        let r = t
            .client
            .post(format!("{}{NS}", t.server))
            .bearer_auth(&t.token)
            .json(&body)
            .send()
            .await?;
        anyhow::ensure!(r.status().as_u16() == 201, "write answered {}", r.status());
        answered.push((format!("w-{i:03}"), Instant::now()));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for h in handles {
        h.await??;
    }
    let seen = seen.lock().await;
    let mut lat: Vec<f64> = seen
        .iter()
        .filter_map(|(name, at)| {
            let (_, done) = answered.iter().find(|(n, _)| n == name)?;
            Some(at.saturating_duration_since(*done).as_secs_f64() * 1000.0)
        })
        .collect();
    anyhow::ensure!(
        lat.len() == watches * writes,
        "{} of {} events arrived",
        lat.len(),
        watches * writes
    );
    lat.sort_by(f64::total_cmp);
    Ok((percentile(&lat, 0.5), percentile(&lat, 0.99)))
}
