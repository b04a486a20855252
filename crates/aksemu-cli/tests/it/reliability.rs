//! The reliability suite's crash part: writers keep creating resource groups
//! while the server is killed with SIGKILL (SQLite) or while PostgreSQL is
//! stopped immediately (`pg_ctl stop -m immediate`); after each restart every
//! write that was answered with success must be there. The test command runs a
//! few cycles (`AKSEMU_RELIABILITY_CYCLES`, default 3); `scripts/reliability.sh`
//! runs a hundred and more. Each test prints its figure (`RELIABILITY …`).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aksemu_testkit::Server;
use serde_json::json;

use crate::{bin, install_crypto};

fn cycles() -> usize {
    std::env::var("AKSEMU_RELIABILITY_CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(3)
}

type Acked = Arc<Mutex<Vec<String>>>;

/// Eight writers creating groups until stopped; what was answered 2xx is kept.
fn start_writers(
    s: &Server,
    token: &str,
    cycle: usize,
    acked: &Acked,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..8)
        .map(|w| {
            let (client, base, token) = (s.client.clone(), s.base.clone(), token.to_string());
            let sub = s.subscription_id.clone();
            let acked = acked.clone();
            tokio::spawn(async move {
                for i in 0.. {
                    let name = format!("c{cycle}-w{w}-{i}");
                    let url = format!(
                        "{base}/subscriptions/{sub}/resourceGroups/{name}?api-version=2024-11-01"
                    );
                    let sent = client
                        .put(url)
                        .bearer_auth(&token)
                        .json(&json!({"location": "westus2"}))
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status().is_success() => {
                            acked.lock().unwrap_or_else(|p| p.into_inner()).push(name)
                        }
                        Ok(_) => {}
                        Err(_) => return,
                    }
                }
            })
        })
        .collect()
}

/// How many acknowledged groups are missing.
async fn lost(s: &Server, acked: &Acked) -> usize {
    let token = s.admin_token().await.unwrap();
    let names = acked.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let mut missing = 0;
    for name in names {
        let url = s.url(&format!(
            "/subscriptions/{}/resourceGroups/{name}?api-version=2024-11-01",
            s.subscription_id
        ));
        if !s
            .client
            .get(url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
        {
            missing += 1;
        }
    }
    missing
}

/// A pause of 100–400 ms, varied per cycle.
fn pause(cycle: usize) -> Duration {
    Duration::from_millis(100 + (cycle as u64 * 7919) % 300)
}

#[tokio::test]
async fn sigkill_during_writes_loses_no_acknowledged_write_on_sqlite() {
    install_crypto();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let acked: Acked = Arc::default();
    let started = Instant::now();
    let n = cycles();
    for cycle in 0..n {
        let s = Server::start_in(bin(), &data, None).await.unwrap();
        let token = s.admin_token().await.unwrap();
        let writers = start_writers(&s, &token, cycle, &acked);
        tokio::time::sleep(pause(cycle)).await;
        s.stop().await.unwrap(); // SIGKILL, mid-write
        for w in writers {
            let _ = w.await;
        }
    }
    let s = Server::start_in(bin(), &data, None).await.unwrap();
    let missing = lost(&s, &acked).await;
    let total = acked.lock().unwrap_or_else(|p| p.into_inner()).len();
    eprintln!(
        "RELIABILITY kill -9 (SQLite): {n} cycles, {total} acknowledged writes, {missing} lost, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(total > 0);
    assert_eq!(missing, 0);
    s.stop().await.unwrap();
}

/// A throw-away PostgreSQL cluster of this test's own (others share theirs).
struct Postgres {
    bin: String,
    dir: tempfile::TempDir,
    port: u16,
}

impl Postgres {
    fn command(&self, tool: &str) -> std::process::Command {
        let path = Path::new(&self.bin).join(tool);
        // PostgreSQL refuses to run as root.
        if is_root() {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            std::process::Command::new(path)
        }
    }

    fn start(&self) {
        let opts = format!(
            "-h 127.0.0.1 -p {} -k {} -c max_connections=100",
            self.port,
            self.dir.path().display()
        );
        let ok = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .arg("-l")
            .arg(self.dir.path().join("log"))
            .args(["-w", "-o", &opts, "start"])
            .status()
            .unwrap()
            .success();
        assert!(ok, "pg_ctl start");
    }

    fn stop_immediately(&self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .status();
    }

    fn new(bin: String) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let pg = Self { bin, dir, port };
        if is_root() {
            let _ = std::process::Command::new("chown")
                .arg("postgres")
                .arg(pg.dir.path())
                .status();
        }
        let ok = pg
            .command("initdb")
            .arg("-D")
            .arg(pg.dir.path().join("data"))
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8"])
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "initdb");
        pg.start();
        pg
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[tokio::test]
async fn immediate_postgres_stop_during_writes_loses_no_acknowledged_write() {
    install_crypto();
    let Ok(pg_bin) = std::env::var("AKSEMU_TEST_PG_BIN") else {
        return; // the test command provides PostgreSQL; without it there is nothing to stop
    };
    let pg = Postgres::new(pg_bin);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let acked: Acked = Arc::default();
    let n = cycles();
    let started = Instant::now();
    for cycle in 0..n {
        let s = Server::start_in(bin(), &data, Some(&pg.url()))
            .await
            .unwrap();
        let token = s.admin_token().await.unwrap();
        let writers = start_writers(&s, &token, cycle, &acked);
        tokio::time::sleep(pause(cycle)).await;
        pg.stop_immediately();
        s.stop().await.unwrap();
        for w in writers {
            let _ = w.await;
        }
        pg.start();
    }
    let s = Server::start_in(bin(), &data, Some(&pg.url()))
        .await
        .unwrap();
    let missing = lost(&s, &acked).await;
    let total = acked.lock().unwrap_or_else(|p| p.into_inner()).len();
    eprintln!(
        "RELIABILITY pg_ctl stop -m immediate (PostgreSQL): {n} cycles, {total} acknowledged writes, {missing} lost, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(total > 0);
    assert_eq!(missing, 0);
    s.stop().await.unwrap();
    pg.stop_immediately();
}

/// The server's resident memory in KiB, from /proc.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// A bounded soak: sixteen clients mixing reads, writes, deletes and token
/// requests for `AKSEMU_SOAK_SECS` seconds (default 5): no 5xx, and the
/// figure (requests, 5xx, RSS before and after) printed.
#[tokio::test]
async fn bounded_soak_has_no_server_errors() {
    install_crypto();
    let secs: u64 = std::env::var("AKSEMU_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let s = Server::start(bin(), &aksemu_testkit::TestStore::Sqlite)
        .await
        .unwrap();
    let token = s.admin_token().await.unwrap();
    let pid = s.pid().unwrap_or_default();
    let before = rss_kib(pid);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let tasks: Vec<_> = (0..16)
        .map(|w| {
            let (client, base, token) = (s.client.clone(), s.base.clone(), token.clone());
            let (sub, tenant) = (s.subscription_id.clone(), s.tenant_id.clone());
            let (id, secret) = (s.client_id.clone(), s.client_secret.clone());
            tokio::spawn(async move {
                let (mut total, mut errors) = (0u64, 0u64);
                let mut i = 0u64;
                while Instant::now() < deadline {
                    i += 1;
                    let g = format!("{base}/subscriptions/{sub}/resourceGroups/soak-{w}-{}", i % 20);
                    let r = match i % 5 {
                        0 => client.put(format!("{g}?api-version=2024-11-01")).bearer_auth(&token).json(&json!({"location": "westus2"})).send().await,
                        1 => client.get(format!("{g}?api-version=2024-11-01")).bearer_auth(&token).send().await,
                        2 => client.get(format!("{base}/subscriptions/{sub}/resourcegroups?api-version=2024-11-01&$top=50")).bearer_auth(&token).send().await,
                        3 => client.delete(format!("{g}?api-version=2024-11-01")).bearer_auth(&token).send().await,
                        _ => client.post(format!("{base}/{tenant}/oauth2/v2.0/token")).form(&[("grant_type", "client_credentials"), ("client_id", id.as_str()), ("client_secret", secret.as_str()), ("scope", "https://management.core.windows.net//.default")]).send().await,
                    };
                    total += 1;
                    if r.map(|r| r.status().is_server_error()).unwrap_or(true) {
                        errors += 1;
                    }
                }
                (total, errors)
            })
        })
        .collect();
    let (mut total, mut errors) = (0, 0);
    for t in tasks {
        let (n, e) = t.await.unwrap();
        total += n;
        errors += e;
    }
    let after = rss_kib(pid);
    eprintln!(
        "RELIABILITY soak: {secs} s, {total} requests, {errors} 5xx or failed, RSS {before} KiB -> {after} KiB"
    );
    assert_eq!(errors, 0);
    s.stop().await.unwrap();
}
