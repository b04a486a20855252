//! `aksemu explain --principal <id|name> --action <action> --scope <id>`: can
//! this principal do this, and if not, why not and what would grant it.

use std::path::PathBuf;

use clap::Args;
use serde_json::{Value, json};

use crate::admin_client::{AdminClient, server};

#[derive(Args)]
pub struct ExplainArgs {
    /// Object id, application id, user principal name, a managed identity's
    /// resource id, or a unique display name.
    #[arg(long)]
    principal: String,
    /// e.g. `Microsoft.Network/loadBalancers/write`.
    #[arg(long)]
    action: String,
    /// A resource id: subscription, resource group or resource.
    #[arg(long)]
    scope: String,
    /// The action is a data action (e.g. a Kubernetes call on an Azure RBAC cluster).
    #[arg(long)]
    data_action: bool,
    /// Print the server's answer as JSON.
    #[arg(long)]
    json: bool,
    /// The data directory of the running server.
    #[arg(long, env = "AKSEMU_DATA_DIR")]
    data_dir: Option<PathBuf>,
}

/// Exit code 0 when allowed, 1 when denied (scripts can test it).
pub fn run(args: ExplainArgs) -> anyhow::Result<u8> {
    let (dir, info, creds) = server(&crate::data_dir::locate(args.data_dir.as_deref()))?;
    let body = json!({
        "principal": args.principal,
        "action": args.action,
        "scope": args.scope,
        "dataAction": args.data_action,
    });
    let v = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let admin = AdminClient::connect(&dir, &info, &creds).await?;
            admin.post("/aksemu/admin/explain", &body).await
        })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print(&v);
    }
    Ok(if v["allowed"] == true { 0 } else { 1 })
}

fn print(v: &Value) {
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    let verdict = if v["allowed"] == true {
        "ALLOWED"
    } else {
        "DENIED"
    };
    println!(
        "{verdict}: {} ({}) {} at {}",
        s("principalName"),
        s("principalId"),
        s("action"),
        s("scope")
    );
    for e in v["explanation"].as_array().into_iter().flatten() {
        match e["roleAssignmentId"].as_str() {
            Some(id) => println!(
                "  - {} at {}: {}\n    ({id})",
                e["roleDefinitionName"].as_str().unwrap_or_default(),
                e["scope"].as_str().unwrap_or_default(),
                e["reason"].as_str().unwrap_or_default()
            ),
            None => println!("  - {}", e["reason"].as_str().unwrap_or_default()),
        }
    }
    if let Some(cmd) = v["grant"]["command"].as_str() {
        println!(
            "To grant it ({}):\n  {cmd}",
            v["grant"]["roleDefinitionName"]
                .as_str()
                .unwrap_or_default()
        );
    }
}
