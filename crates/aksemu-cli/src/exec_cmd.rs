//! `aksemu exec [--identity …|--host …|--node …|--pod …] -- CMD…` and
//! `aksemu az …`: runs a command with the interception proxy's environment
//! (Azure's public names answered by the running server, every other host
//! refused), az signed in as the administrator in its own configuration
//! directory, and the credentials of whom the command runs as. The exit code
//! is the command's.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;
use clap::Args;

use crate::env_cmd::{runtime, target};
use crate::exports::{KUBECONFIG, apply, exports};
use crate::run_as::RunAs;

#[derive(Args)]
pub struct ExecArgs {
    /// The data directory of the running server (default: the nearest
    /// `.aksemu` with a running server from here upwards, else the server
    /// started last).
    #[arg(long, env = "AKSEMU_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub run_as: RunAs,
    /// The command and its arguments (after `--`).
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<String>,
}

#[derive(Args)]
pub struct AzArgs {
    /// The data directory of the running server.
    #[arg(long, env = "AKSEMU_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// az's arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// `aksemu az …` is `aksemu exec -- az …`.
pub fn run_az(args: AzArgs) -> anyhow::Result<u8> {
    let mut command = vec!["az".to_string()];
    command.extend(args.args);
    run(ExecArgs {
        data_dir: args.data_dir,
        run_as: RunAs::default(),
        command,
    })
}

pub fn run(args: ExecArgs) -> anyhow::Result<u8> {
    let t = target(args.data_dir.as_deref())?;
    let env = runtime()?.block_on(exports(&t, &args.run_as, true))?;
    if args.run_as.is_admin() {
        crate::az_login::ensure(&t, &env)?;
    } else {
        crate::az_login::workload_dir(&t)?;
    }
    let kubeconfig = t.dir.file(KUBECONFIG);
    let (command, rewritten) = if args.run_as.is_admin() {
        with_kubeconfig_file(args.command, &kubeconfig)
    } else {
        (args.command, false)
    };
    let (program, rest) = command.split_first().context("no command to run")?;
    let mut cmd = Command::new(program);
    cmd.args(rest);
    apply(&mut cmd, &env);
    if rewritten {
        cmd.env("KUBECONFIG", &kubeconfig);
    }
    // The command replaces this process: its exit code and signals are its own.
    let err = std::os::unix::process::CommandExt::exec(&mut cmd);
    eprintln!("error: cannot run `{program}`: {err}");
    // As shells report a command that cannot be run.
    Ok(127)
}

/// `az aks get-credentials` without `--file` writes to the data dir's
/// kubeconfig (az ignores `KUBECONFIG` and writes `~/.kube/config`): its
/// servers are public names only the proxy answers, so they stay out of the
/// user's own kubeconfig. Says whether it rewrote the command.
fn with_kubeconfig_file(mut command: Vec<String>, kubeconfig: &Path) -> (Vec<String>, bool) {
    let is_az = command
        .first()
        .and_then(|p| Path::new(p).file_name())
        .is_some_and(|n| n == "az");
    let words: Vec<&str> = command.iter().skip(1).map(String::as_str).collect();
    let get_credentials = words.windows(2).any(|w| w == ["aks", "get-credentials"]);
    let has_file = words
        .iter()
        .any(|w| *w == "--file" || *w == "-f" || w.starts_with("--file="));
    let rewrite = is_az && get_credentials && !has_file;
    if rewrite {
        command.push("--file".into());
        command.push(kubeconfig.to_string_lossy().into_owned());
    }
    (command, rewrite)
}
