//! `aksemu serve`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use aksemu_arm::{Cloud, bootstrap, lro};
use aksemu_core::VirtualClock;
use anyhow::Context as _;
use clap::Args;
use tokio::net::TcpListener;

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
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 3599)]
    token_lifetime: i64,
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
    if !args.listen.ip().is_loopback() {
        anyhow::bail!(
            "aksemu listens on loopback only; {} is not a loopback address",
            args.listen
        );
    }
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

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let dir = DataDir::create(&args.data_dir)?;
    let tls = dir.tls()?;
    let key = dir.signing_key()?;
    let (spec, store_desc) = store_spec(&args, &dir)?;
    let store = aksemu_store::open(&spec)
        .await
        .context("opening the store")?;
    let offset = aksemu_arm::admin::load_clock_offset(store.as_ref())
        .await
        .map_err(|e| anyhow::anyhow!("reading the clock: {e}"))?;
    let clock = Arc::new(VirtualClock::with_offset_ms(offset));
    let (boot, new_creds) = bootstrap::ensure(store.as_ref(), clock.as_ref())
        .await
        .map_err(|e| anyhow::anyhow!("bootstrap failed: {e}"))?;
    match (new_creds, dir.credentials()?) {
        (Some(c), _) => dir.write_credentials(&c)?,
        (None, Some(c)) if c.client_id == boot.admin_app_id => {}
        (None, _) => {
            let c = bootstrap::new_admin_secret(store.as_ref(), clock.as_ref(), &boot)
                .await
                .map_err(|e| anyhow::anyhow!("issuing administrator credentials failed: {e}"))?;
            dir.write_credentials(&c)?;
        }
    }
    let mut registry = aksemu_arm::providers::builtin_registry();
    aksemu_aks::register(&mut registry, args.aks_operation_time);
    let settings = aksemu_arm::Settings {
        keys: vec![key],
        token_lifetime_secs: args.token_lifetime,
        rbac_propagation: aksemu_arm::rbac::propagation::Propagation {
            max_secs: args.rbac_propagation,
            seed: args.rbac_propagation_seed,
        },
        registry,
    };
    let cloud = Cloud::new(store, clock, &boot, settings)
        .await
        .map_err(|e| anyhow::anyhow!("loading role assignments failed: {e}"))?;
    let _ = cloud.ca_pem.set(tls.ca_cert_pem.clone());
    if cloud.store.backend() == "postgres" {
        // Other servers may share this store: follow their clock and RBAC changes.
        aksemu_arm::replicas::follow(cloud.clone(), std::time::Duration::from_secs(1));
    }
    let resumed = lro::resume_all(&cloud)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr()?;
    let server_config = aksemu_server::tls::server_config(&tls.cert_pem, &tls.key_pem)?;
    let app = aksemu_server::router(cloud.clone());
    let mut tasks = vec![tokio::spawn(aksemu_server::serve::serve_tls(
        listener,
        server_config.clone(),
        app.clone(),
    ))];
    // `localhost` may resolve to ::1 first; answer there too so clients do not
    // pay for a refused connection.
    if addr.ip() == std::net::Ipv4Addr::LOCALHOST
        && let Ok(v6) = TcpListener::bind(SocketAddr::from((
            std::net::Ipv6Addr::LOCALHOST,
            addr.port(),
        )))
        .await
    {
        tasks.push(tokio::spawn(aksemu_server::serve::serve_tls(
            v6,
            server_config,
            app,
        )));
    }
    let arm_url = format!("https://localhost:{}", addr.port());
    let imds_addr = args.imds_listen.unwrap_or_else(|| {
        let port = if addr.port() == 0 || args.listen.port() == 0 {
            0
        } else {
            addr.port() + 1
        };
        SocketAddr::new(addr.ip(), port)
    });
    let imds_listener = TcpListener::bind(imds_addr)
        .await
        .with_context(|| format!("binding the managed-identity endpoint {imds_addr}"))?;
    let imds_addr = imds_listener.local_addr()?;
    let imds_url = format!("http://{imds_addr}");
    tasks.push(tokio::spawn(aksemu_server::serve::serve_plain(
        imds_listener,
        aksemu_server::imds_routes::router(cloud.clone(), arm_url.clone()),
    )));
    dir.write_server_info(&ServerInfo {
        arm_url: arm_url.clone(),
        listen: addr.to_string(),
        imds_url: imds_url.clone(),
        pid: std::process::id(),
        store: cloud.store.backend().to_string(),
        tenant_id: boot.tenant_id.clone(),
        subscription_id: boot.subscription_id.clone(),
    })?;
    println!("aksemu {} listening on {addr}", env!("CARGO_PKG_VERSION"));
    println!("  ARM / Entra ID / Graph:  {arm_url}");
    println!(
        "  OpenID configuration:    {arm_url}/{}/v2.0/.well-known/openid-configuration",
        boot.tenant_id
    );
    println!("  managed identity (IMDS): {imds_url}/hosts/<host>/metadata/identity/oauth2/token");
    println!("  store:                   {store_desc}");
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
    println!("  RBAC enforcement:        on");
    if args.rbac_propagation > 0 {
        match args.rbac_propagation_seed {
            None => println!(
                "  RBAC propagation delay:  {} s (virtual time)",
                args.rbac_propagation
            ),
            Some(seed) => println!(
                "  RBAC propagation delay:  random up to {} s (virtual time), seed {seed}",
                args.rbac_propagation
            ),
        }
    }
    if offset != 0 {
        println!(
            "  clock:                   {} (moved {} s ahead)",
            cloud.now_rfc3339(),
            offset / 1000
        );
    }
    if resumed > 0 {
        println!("  resumed operations:      {resumed}");
    }
    println!(
        "Run `eval \"$(aksemu env --data-dir {})\"` in another shell.",
        args.data_dir.display()
    );

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
