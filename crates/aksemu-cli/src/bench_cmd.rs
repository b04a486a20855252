//! `aksemu bench …`: helpers for the benchmarks in benches/, never used by tests.
//! `seed-rbac` fills a data dir's store with synthetic role assignments before the
//! server starts (the API stops at 4,000 per subscription, as Azure does).

use std::path::PathBuf;

use aksemu_arm::providers::role_assignments::writes_for;
use aksemu_arm::rbac::document::{AssignmentProperties, StoredAssignment};
use aksemu_core::ResourceId;
use aksemu_store::Cond;
use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Write N synthetic role assignments (5,000 principals; subscription, group
    /// and resource scopes) into the data dir's SQLite store.
    SeedRbac(SeedArgs),
    /// Measure a running cluster's Kubernetes API: durable creates, lists of
    /// every pod (JSON and Table), and watch latency (see BENCHMARKS.md).
    Kube(crate::bench_kube::KubeArgs),
    /// Write a large subscription (clusters, identities, role assignments)
    /// for the console's graph benchmark.
    SeedConsole(crate::bench_console::SeedConsoleArgs),
    /// What recording an authorization decision in the console's log costs,
    /// beside the decision itself (nanoseconds per decision).
    DecisionLog(crate::bench_decisions::DecisionArgs),
}

#[derive(Args)]
pub struct SeedArgs {
    #[arg(long, default_value = ".aksemu")]
    data_dir: PathBuf,
    #[arg(long, default_value_t = 100_000)]
    assignments: usize,
}

/// A small deterministic generator (SplitMix64), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::SeedRbac(a) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(seed(a)),
        BenchCommand::DecisionLog(a) => crate::bench_decisions::run(a),
        BenchCommand::SeedConsole(a) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(crate::bench_console::seed(a)),
        BenchCommand::Kube(a) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(crate::bench_kube::run(a)),
    }
}

async fn seed(a: SeedArgs) -> anyhow::Result<()> {
    let (store, boot, path) = crate::bench_seed::seed_store(&a.data_dir).await?;
    let sub = ResourceId::subscription(&boot.subscription_id);
    let roles = [
        aksemu_authz::builtin::READER,
        aksemu_authz::builtin::CONTRIBUTOR,
        "4d97b98b-1d4f-4787-a291-c67834d212e7",
        "f1a07417-d97a-45cb-824c-7a7467783830",
    ];
    let mut r = Rng(42);
    let principals: Vec<String> = (0..5_000)
        .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
        .collect();
    let mut writes = Vec::new();
    for i in 0..a.assignments {
        let x = r.below(1000);
        let scope = if x < 2 {
            sub.clone()
        } else {
            let rg = ResourceId::resource_group(
                &boot.subscription_id,
                &format!("rg-{:04}", r.below(1000)),
            );
            if x < 300 {
                rg
            } else {
                rg.child(&[
                    "providers",
                    "Microsoft.Compute",
                    "virtualMachines",
                    &format!("vm-{:05}", r.below(20_000)),
                ])
            }
        };
        let name = format!("20000000-0000-4000-8000-{i:012}");
        let role = roles[r.below(roles.len())];
        let properties = AssignmentProperties {
            role_definition_id: format!(
                "{}/providers/Microsoft.Authorization/roleDefinitions/{role}",
                sub.as_str()
            ),
            principal_id: principals[r.below(principals.len())].to_string(),
            principal_type: Some("User".to_string()),
            scope: scope.as_str().to_string(),
            ..AssignmentProperties::default()
        };
        let assignment = StoredAssignment::new(&scope, &name, properties);
        // The seed may repeat a (scope, role, principal) triple; last one wins.
        let rows = writes_for(&assignment, Cond::Any).map_err(|e| anyhow::anyhow!("{e}"))?;
        writes.extend(rows);
        if writes.len() >= 3_000 {
            store.apply(std::mem::take(&mut writes)).await?;
        }
    }
    store.apply(writes).await?;
    println!(
        "seeded {} role assignments into {}",
        a.assignments,
        path.display()
    );
    Ok(())
}
