//! `aksemu serve`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use aksemu_arm::{Cloud, bootstrap, lro};
use aksemu_core::VirtualClock;
use aksemu_server::listen::bind_loopback;
use aksemu_store::read_only::ReadOnly;
use anyhow::Context as _;
use clap::Args;

use crate::data_dir::{CA_CERT, DATABASE, DataDir, ServerInfo};

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback). Port 0 picks a free port.
    #[arg(long, env = "AKSEMU_LISTEN", default_value = "127.0.0.1:8443")]
    listen: SocketAddr,
    /// Plain-HTTP loopback address of the managed-identity endpoints (IMDS and App
    /// Service protocols). Default: the HTTPS port + 1 (or a free port with port 0).
    #[arg(long, env = "AKSEMU_IMDS_LISTEN")]
    imds_listen: Option<SocketAddr>,
    /// Loopback address of the interception proxy (`HTTPS_PROXY` for `aksemu
    /// exec`): it answers Azure's public hostnames from this server and
    /// refuses every other. Default: the HTTPS port + 2 (or a free port with port 0).
    #[arg(long, env = "AKSEMU_PROXY_LISTEN")]
    proxy_listen: Option<SocketAddr>,
    /// Where keys, certificates, credentials and the SQLite database live.
    #[arg(long, env = "AKSEMU_DATA_DIR", default_value = ".aksemu")]
    data_dir: PathBuf,
    /// `sqlite` (default, in the data dir), `sqlite:<path>`, `memory`, or a `postgres://` URL.
    #[arg(long, env = "AKSEMU_STORE", default_value = "sqlite")]
    store: String,
    /// Virtual time before a new role assignment grants anything (and a deleted one
    /// stops granting), as Azure's propagation delay: e.g. `60m`. Default: none.
    #[arg(long, env = "AKSEMU_RBAC_PROPAGATION", default_value = "0s", value_parser = crate::clock_cmd::parse_duration)]
    rbac_propagation: i64,
    /// With --rbac-propagation: draw each assignment's delay at random between 0
    /// and that bound, reproducibly from this seed.
    #[arg(
        long,
        env = "AKSEMU_RBAC_PROPAGATION_SEED",
        requires = "rbac_propagation"
    )]
    rbac_propagation_seed: Option<u64>,
    /// Virtual time an AKS cluster operation (create, scale, node pools, add-ons,
    /// delete) takes before it completes: with `aksemu clock advance` a test can
    /// let something happen while one is in flight. Default: none.
    #[arg(long, env = "AKSEMU_AKS_OPERATION_TIME", default_value = "0s", value_parser = crate::clock_cmd::parse_duration)]
    aks_operation_time: i64,
    /// Changes kept for Kubernetes watches: a watch from an older
    /// resourceVersion gets 410 Gone ("too old resource version"), as after
    /// etcd compaction.
    #[arg(long, env = "AKSEMU_WATCH_HISTORY", default_value_t = aksemu_store::feed::RETAINED_CHANGES)]
    watch_history: u64,
    /// Virtual time a pod takes from being bound to a node to Running (it
    /// shows ContainerCreating meanwhile); `aksemu clock advance` moves it along.
    #[arg(long, env = "AKSEMU_KUBE_POD_STARTUP", default_value = "0s", value_parser = crate::clock_cmd::parse_duration)]
    kube_pod_startup: i64,
    /// Virtual time a pod that does not restart (a Job's) runs before it
    /// succeeds; `aksemu clock advance` moves it along.
    #[arg(long, env = "AKSEMU_KUBE_JOB_DURATION", default_value = "0s", value_parser = crate::clock_cmd::parse_duration)]
    kube_job_duration: i64,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 3599)]
    token_lifetime: i64,
    /// Authorization decisions the console's decision log keeps in memory
    /// (the oldest are dropped first); 0 turns the log off.
    #[arg(long, env = "AKSEMU_DECISION_LOG", default_value_t = aksemu_arm::rbac::decisions::DEFAULT_CAPACITY)]
    decision_log: usize,
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        // Colours only on a terminal: logs redirected to a file stay plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    // One crypto provider (aws-lc-rs) for TLS and JWT, installed explicitly.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    raise_open_file_limit();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve(args))
}

fn store_spec(args: &ServeArgs, dir: &DataDir) -> anyhow::Result<(String, String)> {
    Ok(match args.store.as_str() {
        "sqlite" => {
            let path = dir.private_file(DATABASE)?;
            (
                format!("sqlite:{}", path.display()),
                format!("SQLite ({})", path.display()),
            )
        }
        "memory" => ("memory".into(), "in-memory (discarded on exit)".into()),
        s if s.starts_with("postgres") => (s.to_string(), format!("PostgreSQL ({})", redact(s))),
        s => (
            s.to_string(),
            format!("SQLite ({})", s.trim_start_matches("sqlite:")),
        ),
    })
}

/// Raises the open-file soft limit to the hard limit, so the connection cap
/// (`aksemu_server::listen::MAX_CONNECTIONS`) is reached before descriptors run out.
fn raise_open_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) if n < aksemu_server::listen::MAX_CONNECTIONS as u64 + 256 => {
            eprintln!("warning: open-file limit is {n}; fewer connections can be served at once")
        }
        Ok(_) => {}
        Err(e) => eprintln!("warning: cannot raise the open-file limit: {e}"),
    }
}

/// Hides a password in a connection URL for display.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The administrator's credentials file: written on first start, and renewed
/// when the file is missing or names another administrator.
async fn admin_credentials(
    dir: &DataDir,
    store: &dyn aksemu_store::Store,
    clock: &VirtualClock,
    boot: &bootstrap::Bootstrap,
    new_creds: Option<bootstrap::AdminCredentials>,
) -> anyhow::Result<()> {
    match (new_creds, dir.credentials()?) {
        (Some(c), _) => dir.write_credentials(&c)?,
        (None, Some(c)) if c.client_id == boot.admin_app_id => {}
        (None, _) => {
            let c = bootstrap::new_admin_secret(store, clock, boot)
                .await
                .map_err(|e| anyhow::anyhow!("issuing administrator credentials failed: {e}"))?;
            dir.write_credentials(&c)?;
        }
    }
    Ok(())
}

/// The store, clock and bootstrap record, and the cloud over them.
async fn open_cloud(
    args: &ServeArgs,
    dir: &DataDir,
    store: Arc<dyn aksemu_store::Store>,
) -> anyhow::Result<(Arc<Cloud>, Arc<aksemu_kube::KubeApi>, bootstrap::Bootstrap)> {
    let offset = aksemu_arm::admin::load_clock_offset(ReadOnly::new(store.as_ref()))
        .await
        .map_err(|e| anyhow::anyhow!("reading the clock: {e}"))?;
    let clock = Arc::new(VirtualClock::with_offset_ms(offset));
    let (boot, new_creds) = bootstrap::ensure(store.as_ref(), clock.as_ref())
        .await
        .map_err(|e| anyhow::anyhow!("bootstrap failed: {e}"))?;
    admin_credentials(dir, store.as_ref(), &clock, &boot, new_creds).await?;
    let mut registry = aksemu_arm::providers::builtin_registry();
    let plane = aksemu_aks::register(&mut registry, args.aks_operation_time);
    let settings = aksemu_arm::Settings {
        keys: vec![dir.signing_key()?],
        token_lifetime_secs: args.token_lifetime,
        rbac_propagation: aksemu_arm::rbac::propagation::Propagation {
            max_secs: args.rbac_propagation,
            seed: args.rbac_propagation_seed,
        },
        registry,
        decision_log: args.decision_log,
    };
    let cloud = Cloud::new(store.clone(), clock.clone(), &boot, settings)
        .await
        .map_err(|e| anyhow::anyhow!("loading role assignments failed: {e}"))?;
    let kube = aksemu_server::kube_clusters::wire(&cloud, store.clone(), clock, &plane);
    let pace = aksemu_kube_controllers::Pace {
        startup_secs: args.kube_pod_startup,
        job_secs: args.kube_job_duration,
    };
    let cloud_side: Arc<dyn aksemu_core::cluster_cloud::ClusterCloud> =
        Arc::new(aksemu_server::cluster_cloud::ArmForClusters(cloud.clone()));
    aksemu_kube_controllers::start(kube.clone(), store, pace, Some(cloud_side));
    Ok((cloud, kube, boot))
}

type Tasks = Vec<tokio::task::JoinHandle<()>>;

/// The HTTPS listener (and the same port on ::1 when listening on 127.0.0.1,
/// since `localhost` may resolve to ::1 first).
async fn listen_https(
    args: &ServeArgs,
    cloud: &Arc<Cloud>,
    kube: &Arc<aksemu_kube::KubeApi>,
    tls: &aksemu_server::tls::TlsMaterial,
) -> anyhow::Result<(SocketAddr, Tasks)> {
    let listener = bind_loopback(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr()?;
    let server_config = aksemu_server::tls::server_config(&tls.cert_pem, &tls.key_pem)?;
    // Absolute: processes elsewhere read the files the server writes there.
    let files = std::fs::canonicalize(&args.data_dir).unwrap_or_else(|_| args.data_dir.clone());
    let app = aksemu_server::router(cloud.clone(), kube.clone(), files);
    let serve = |l, app| {
        tokio::spawn(aksemu_server::serve::serve_tls(
            l,
            server_config.clone(),
            app,
        ))
    };
    let mut tasks = vec![serve(listener, app.clone())];
    let v6 = SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, addr.port()));
    if addr.ip() == std::net::Ipv4Addr::LOCALHOST
        && let Ok(l) = bind_loopback(v6).await
    {
        tasks.push(serve(l, app));
    }
    Ok((addr, tasks))
}

/// The plain-HTTP managed-identity listener: `--imds-listen`, else the HTTPS
/// port + 1 (a free port when the HTTPS port was chosen freely).
async fn listen_imds(
    args: &ServeArgs,
    addr: SocketAddr,
    cloud: &Arc<Cloud>,
    arm_url: &str,
) -> anyhow::Result<(String, tokio::task::JoinHandle<()>)> {
    let imds_addr = args.imds_listen.unwrap_or_else(|| {
        let free = addr.port() == 0 || args.listen.port() == 0;
        SocketAddr::new(addr.ip(), if free { 0 } else { addr.port() + 1 })
    });
    let listener = bind_loopback(imds_addr)
        .await
        .with_context(|| format!("binding the managed-identity endpoint {imds_addr}"))?;
    let imds_url = format!("http://{}", listener.local_addr()?);
    let router = aksemu_server::imds_routes::router(cloud.clone(), arm_url.to_string());
    let task = tokio::spawn(aksemu_server::serve::serve_plain(listener, router));
    Ok((imds_url, task))
}

/// The interception proxy: `--proxy-listen`, else the HTTPS port + 2.
async fn listen_proxy(
    args: &ServeArgs,
    addr: SocketAddr,
    cloud: &Arc<Cloud>,
    kube: &Arc<aksemu_kube::KubeApi>,
    tls: &aksemu_server::tls::TlsMaterial,
    arm_url: &str,
) -> anyhow::Result<(String, tokio::task::JoinHandle<()>)> {
    let proxy_addr = args.proxy_listen.unwrap_or_else(|| {
        let free = addr.port() == 0 || args.listen.port() == 0;
        SocketAddr::new(addr.ip(), if free { 0 } else { addr.port() + 2 })
    });
    let listener = bind_loopback(proxy_addr)
        .await
        .with_context(|| format!("binding the interception proxy {proxy_addr}"))?;
    let proxy_url = format!("http://{}", listener.local_addr()?);
    let files = std::fs::canonicalize(&args.data_dir).unwrap_or_else(|_| args.data_dir.clone());
    let proxy = aksemu_server::proxy::Proxy {
        app: aksemu_server::router(cloud.clone(), kube.clone(), files),
        imds: aksemu_server::imds_routes::router(cloud.clone(), arm_url.to_string()),
        certs: aksemu_server::proxy::certs::HostCerts::new(&tls.ca_cert_pem, &tls.ca_key_pem)?,
        cloud: cloud.clone(),
    };
    let task = tokio::spawn(aksemu_server::proxy::serve_proxy(listener, Arc::new(proxy)));
    Ok((proxy_url, task))
}

/// What `serve` prints once it listens.
struct Banner<'a> {
    addr: SocketAddr,
    arm_url: &'a str,
    imds_url: &'a str,
    proxy_url: &'a str,
    store_desc: &'a str,
    boot: &'a bootstrap::Bootstrap,
    resumed: usize,
}

fn print_banner(args: &ServeArgs, dir: &DataDir, cloud: &Cloud, b: &Banner<'_>) {
    let (arm_url, boot) = (b.arm_url, b.boot);
    println!(
        "aksemu {} listening on {}",
        env!("CARGO_PKG_VERSION"),
        b.addr
    );
    println!("  ARM / Entra ID / Graph:  {arm_url}");
    println!(
        "  OpenID configuration:    {arm_url}/{}/v2.0/.well-known/openid-configuration",
        boot.tenant_id
    );
    println!(
        "  managed identity (IMDS): {}/hosts/<host>/metadata/identity/oauth2/token",
        b.imds_url
    );
    println!(
        "  interception proxy:      {} (aksemu exec / aksemu env --proxy)",
        b.proxy_url
    );
    println!("  store:                   {}", b.store_desc);
    println!(
        "  tenant:                  {} ({})",
        boot.tenant_id, boot.tenant_domain
    );
    println!("  subscription:            {}", boot.subscription_id);
    println!("  CA certificate:          {}", dir.file(CA_CERT).display());
    println!(
        "  administrator:           {}",
        dir.file("credentials.json").display()
    );
    println!(
        "  console:                 {}/console/ (sign in with: aksemu console)",
        arm_url.replace("127.0.0.1", "localhost")
    );
    println!("  RBAC enforcement:        on");
    match (args.rbac_propagation, args.rbac_propagation_seed) {
        (0, _) => {}
        (secs, None) => println!("  RBAC propagation delay:  {secs} s (virtual time)"),
        (secs, Some(seed)) => {
            println!("  RBAC propagation delay:  random up to {secs} s (virtual time), seed {seed}")
        }
    }
    let offset = cloud.virtual_clock.offset_ms();
    if offset != 0 {
        println!(
            "  clock:                   {} (moved {} s ahead)",
            cloud.now_rfc3339(),
            offset / 1000
        );
    }
    if b.resumed > 0 {
        println!("  resumed operations:      {}", b.resumed);
    }
    println!(
        "Run `eval \"$(aksemu env --data-dir {})\"` in another shell.",
        args.data_dir.display()
    );
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let dir = DataDir::create(&args.data_dir)?;
    let tls = dir.tls()?;
    dir.write_ca_bundle(&tls.ca_cert_pem)?;
    aksemu_store::feed::set_retained_changes(args.watch_history);
    let (spec, store_desc) = store_spec(&args, &dir)?;
    let store = aksemu_store::open(&spec)
        .await
        .context("opening the store")?;
    let (cloud, kube, boot) = open_cloud(&args, &dir, store).await?;
    let _ = cloud.ca_pem.set(tls.ca_cert_pem.clone());
    if cloud.store().backend() == "postgres" {
        // Other servers may share this store: follow their clock and RBAC changes.
        aksemu_arm::replicas::follow(cloud.clone(), std::time::Duration::from_secs(1));
    }
    let resumed = lro::resume_all(&cloud)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (addr, mut tasks) = listen_https(&args, &cloud, &kube, &tls).await?;
    cloud.entra.set_port(addr.port());
    let arm_url = format!("https://localhost:{}", addr.port());
    let (imds_url, imds) = listen_imds(&args, addr, &cloud, &arm_url).await?;
    tasks.push(imds);
    let (proxy_url, proxy) = listen_proxy(&args, addr, &cloud, &kube, &tls, &arm_url).await?;
    tasks.push(proxy);
    dir.write_server_info(&ServerInfo {
        arm_url: arm_url.clone(),
        listen: addr.to_string(),
        imds_url: imds_url.clone(),
        proxy_url: Some(proxy_url.clone()),
        pid: std::process::id(),
        store: cloud.store().backend().to_string(),
        tenant_id: boot.tenant_id.clone(),
        subscription_id: boot.subscription_id.clone(),
    })?;
    let banner = Banner {
        addr,
        arm_url: &arm_url,
        imds_url: &imds_url,
        proxy_url: &proxy_url,
        store_desc: &store_desc,
        boot: &boot,
        resumed,
    };
    print_banner(&args, &dir, &cloud, &banner);
    shutdown_signal().await;
    dir.remove_server_info();
    for t in tasks {
        t.abort();
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://u:secret@h:5/db"),
            "postgres://u:***@h:5/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
