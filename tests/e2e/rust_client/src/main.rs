//! An unmodified Azure SDK for Rust program with default settings: no
//! endpoint or authority in code. `mi` signs in with ManagedIdentityCredential
//! (IMDS at 169.254.169.254; the user-assigned identity named by
//! AZURE_CLIENT_ID, if set), `secret` with ClientSecretCredential from
//! AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET. Prints the ARM access
//! token it got.

use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use azure_identity::{
    ClientSecretCredential, ManagedIdentityCredential, ManagedIdentityCredentialOptions,
    UserAssignedId,
};

fn var(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

fn credential(mode: &str) -> Result<Arc<dyn TokenCredential>, Box<dyn std::error::Error>> {
    Ok(match mode {
        "mi" => {
            let options = ManagedIdentityCredentialOptions {
                user_assigned_id: std::env::var("AZURE_CLIENT_ID").ok().map(UserAssignedId::ClientId),
                ..Default::default()
            };
            ManagedIdentityCredential::new(Some(options))?
        }
        "secret" => ClientSecretCredential::new(
            &var("AZURE_TENANT_ID")?,
            var("AZURE_CLIENT_ID")?,
            var("AZURE_CLIENT_SECRET")?.into(),
            None,
        )?,
        other => return Err(format!("unknown mode {other:?} (mi or secret)").into()),
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let token = credential(&mode)?
        .get_token(&["https://management.azure.com/.default"], None)
        .await?;
    println!("{}", token.token.secret());
    Ok(())
}
