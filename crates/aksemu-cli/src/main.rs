//! `aksemu`: a local emulator of AKS with managed identities.

mod admin_client;
mod az_login;
mod bench_cmd;
mod bench_console;
mod bench_decisions;
mod bench_kube;
mod bench_seed;
mod bench_watch;
mod clock_cmd;
mod console_cmd;
mod data_dir;
mod env_cmd;
mod exec_cmd;
mod explain_cmd;
mod exports;
mod kubelogin;
mod run_as;
mod serve_cmd;

use clap::{Parser, Subcommand};

// The request path allocates many small, short-lived objects across threads;
// glibc malloc spent ~16% of a loaded server's CPU on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "aksemu",
    version,
    about = "Local emulator of Azure Kubernetes Service with managed identities"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve ARM, Entra ID and the resource providers over HTTPS on loopback.
    Serve(serve_cmd::ServeArgs),
    /// Print shell exports that point az and the Azure SDKs at a running server.
    Env(env_cmd::EnvArgs),
    /// Run a command that talks to Azure's public names (its default
    /// settings) and reaches this server through the interception proxy.
    Exec(exec_cmd::ExecArgs),
    /// `aksemu exec -- az …`: az on AzureCloud, signed in as the administrator.
    Az(exec_cmd::AzArgs),
    /// Show or move the emulated cloud's clock (secret expiry, propagation).
    Clock(clock_cmd::ClockArgs),
    /// Can a principal do an action at a scope? The evaluator's answer, why,
    /// and the az command that would grant it (exit code 1 when denied).
    Explain(explain_cmd::ExplainArgs),
    /// Print a one-time link that signs a browser in to the console.
    Console(console_cmd::ConsoleArgs),
    /// A kubelogin-compatible credential plugin (also run as `kubelogin`
    /// through `aksemu kubelogin link <dir>`).
    #[command(subcommand)]
    Kubelogin(kubelogin::KubeloginCommand),
    /// Helpers for the benchmarks in benches/.
    #[command(subcommand)]
    Bench(bench_cmd::BenchCommand),
}

fn main() -> std::process::ExitCode {
    if kubelogin::invoked_as_kubelogin() {
        let cli = kubelogin::KubeloginCli::parse();
        return exit_with(kubelogin::run(cli.command).map(|()| 0));
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Kubelogin(cmd) => kubelogin::run(cmd),
        Command::Exec(args) => return exit_with(exec_cmd::run(args)),
        Command::Az(args) => return exit_with(exec_cmd::run_az(args)),
        Command::Explain(args) => return exit_with(explain_cmd::run(args)),
        Command::Serve(args) => serve_cmd::run(args),
        Command::Env(args) => env_cmd::run(args),
        Command::Clock(args) => clock_cmd::run(args),
        Command::Console(args) => console_cmd::run(args),
        Command::Bench(cmd) => bench_cmd::run(cmd),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // One line, causes included: what a user reads, not a backtrace.
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A command's own exit code, or ours for failing to run it.
fn exit_with(r: anyhow::Result<u8>) -> std::process::ExitCode {
    match r {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        super::Cli::command().debug_assert();
    }
}
