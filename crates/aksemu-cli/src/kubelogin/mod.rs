//! A kubelogin-compatible credential plugin, in the aksemu binary: run as
//! `aksemu kubelogin …`, or as `kubelogin …` through a link
//! (`aksemu kubelogin link <dir>`), so the exec kubeconfigs AKS writes for
//! Entra-integrated clusters work with the unmodified kubectl. kubelogin
//! itself is not installable from the package registries here.

mod convert;
mod token;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Subcommand)]
pub enum KubeloginCommand {
    /// Print an ExecCredential with an Entra token for the AKS server application.
    GetToken(TokenArgs),
    /// Rewrite a kubeconfig's kubelogin users for a login mode.
    ConvertKubeconfig(ConvertArgs),
    /// Make `<dir>/kubelogin` a link to this binary.
    Link { dir: PathBuf },
}

/// The binary run under the name `kubelogin`.
#[derive(Parser)]
#[command(
    name = "kubelogin",
    about = "kubelogin-compatible credential plugin (aksemu)"
)]
pub struct KubeloginCli {
    #[command(subcommand)]
    pub command: KubeloginCommand,
}

/// The flags kubelogin's login modes take (environment variables as kubelogin reads them).
#[derive(Args, Clone, Default)]
pub struct LoginFlags {
    /// devicecode, interactive, spn, ropc, msi, azurecli, workloadidentity.
    #[arg(
        short = 'l',
        long = "login",
        env = "AAD_LOGIN_METHOD",
        default_value = "devicecode"
    )]
    pub login: String,
    /// The AKS server application id (the token's audience).
    #[arg(long)]
    pub server_id: Option<String>,
    #[arg(long)]
    pub client_id: Option<String>,
    #[arg(short = 't', long)]
    pub tenant_id: Option<String>,
    #[arg(short = 'e', long, default_value = "AzurePublicCloud")]
    pub environment: String,
    #[arg(long)]
    pub client_secret: Option<String>,
    #[arg(long)]
    pub username: Option<String>,
    #[arg(long)]
    pub password: Option<String>,
    #[arg(long)]
    pub federated_token_file: Option<String>,
    #[arg(long)]
    pub authority_host: Option<String>,
    /// kubelogin's token cache (not used: tokens come fresh each time).
    #[arg(long)]
    pub token_cache_dir: Option<String>,
}

#[derive(Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub flags: LoginFlags,
}

#[derive(Args)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub flags: LoginFlags,
    /// The kubeconfig to rewrite (default: $KUBECONFIG, else ~/.kube/config).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// Only this context's user (default: every kubelogin user).
    #[arg(long)]
    pub context: Option<String>,
}

pub fn run(cmd: KubeloginCommand) -> anyhow::Result<()> {
    match cmd {
        KubeloginCommand::GetToken(a) => token::run(&a.flags),
        KubeloginCommand::ConvertKubeconfig(a) => convert::run(&a),
        KubeloginCommand::Link { dir } => link(&dir),
    }
}

fn link(dir: &std::path::Path) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    std::fs::create_dir_all(dir)?;
    let target = dir.join("kubelogin");
    let _ = std::fs::remove_file(&target);
    std::os::unix::fs::symlink(&exe, &target)?;
    println!("{}", target.display());
    Ok(())
}

/// Whether this process was started under the name `kubelogin`.
pub fn invoked_as_kubelogin() -> bool {
    std::env::args_os()
        .next()
        .and_then(|a| PathBuf::from(a).file_name().map(|n| n == "kubelogin"))
        .unwrap_or(false)
}
