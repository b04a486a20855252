//! `aksemu console [--as <principal>]`: a one-time link that signs a browser in
//! to the running server's console, as the administrator or (asked by the
//! administrator) as another principal.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use crate::admin_client::{AdminClient, server};

#[derive(Args)]
pub struct ConsoleArgs {
    /// Sign in as this principal instead of the administrator: object id,
    /// application id, user principal name, a managed identity's resource id,
    /// or a unique display name.
    #[arg(long = "as")]
    as_principal: Option<String>,
    /// The data directory of the running server.
    #[arg(long, env = "AKSEMU_DATA_DIR")]
    data_dir: Option<PathBuf>,
}

pub fn run(args: ConsoleArgs) -> anyhow::Result<()> {
    let (dir, info, creds) = server(&crate::data_dir::locate(args.data_dir.as_deref()))?;
    let v = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let admin = AdminClient::connect(&dir, &info, &creds).await?;
            admin
                .post(
                    "/aksemu/admin/console/links",
                    &json!({ "as": args.as_principal }),
                )
                .await
        })?;
    println!("{}", v["url"].as_str().unwrap_or_default());
    eprintln!(
        "Open it in a browser within {} s; it signs in {} once.",
        v["expiresInSeconds"],
        v["principalName"].as_str().unwrap_or("the administrator")
    );
    Ok(())
}
