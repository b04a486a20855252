//! `aksemu env`: exports for the running server of a data dir, so an unmodified
//! az CLI or Azure SDK talks to it and to nothing else. With `--identity`,
//! `--host`, `--node` or `--pod`, the exports put the shell "on" that host or
//! pod; with `--proxy`, the exports of `aksemu exec` (the interception proxy).

use std::path::PathBuf;

use clap::Args;

use crate::admin_client::server;
use crate::exports::{Export, Target, exports};
use crate::run_as::RunAs;

#[derive(Args)]
pub struct EnvArgs {
    /// The data directory of the running server (default: the nearest
    /// `.aksemu` with a running server from here upwards, else the server
    /// started last).
    #[arg(long, env = "AKSEMU_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub run_as: RunAs,
    /// Through the interception proxy: Azure's public names with default
    /// settings (HTTPS_PROXY, az on AzureCloud in its own config dir), as
    /// `aksemu exec` runs commands.
    #[arg(long)]
    pub proxy: bool,
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The running server of `--data-dir` (or the one found).
pub fn target(data_dir: Option<&std::path::Path>) -> anyhow::Result<Target> {
    let (dir, info, creds) = server(&crate::data_dir::locate(data_dir))?;
    Ok(Target { dir, info, creds })
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

pub fn run(args: EnvArgs) -> anyhow::Result<()> {
    let t = target(args.data_dir.as_deref())?;
    let lines = runtime()?.block_on(exports(&t, &args.run_as, args.proxy))?;
    for l in lines {
        match l {
            Export::Set(k, v) if shell_name(&k) => println!("export {k}={}", quote(&v)),
            Export::Set(..) => {}
            Export::Unset(names) => println!("unset {}", names.join(" ")),
        }
    }
    Ok(())
}

/// A name a shell takes as a variable (`[A-Za-z_][A-Za-z0-9_]*`): anything
/// else is not printed, so `eval` cannot run it.
fn shell_name(k: &str) -> bool {
    let mut chars = k.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
