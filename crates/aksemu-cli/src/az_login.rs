//! Signs az in as the administrator in `aksemu exec`'s own configuration
//! directory (once, through the proxy, as `az login --service-principal` on
//! AzureCloud), so `aksemu exec -- az …` needs no `az login` first.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};
use serde_json::Value;

use crate::exec_cmd::apply;
use crate::exports::{AZ_CONFIG_DIR, Export, Target};

/// `az` on `PATH`, if any.
fn find_az() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("az"))
        .find(|p| p.is_file())
}

/// Whether az's profile there has the administrator signed in to this
/// server's tenant and subscription as its default.
fn signed_in(dir: &Path, t: &Target) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("azureProfile.json")) else {
        return false;
    };
    // az writes the file with a byte-order mark.
    let Ok(profile) = serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}')) else {
        return false;
    };
    profile["subscriptions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|s| {
            s["isDefault"] == true
                && s["id"].as_str() == Some(t.creds.subscription_id.as_str())
                && s["tenantId"].as_str() == Some(t.creds.tenant_id.as_str())
                && s["user"]["name"].as_str() == Some(t.creds.client_id.as_str())
        })
}

/// Tells az its version was just checked, so a fresh configuration directory
/// does not make it look for a newer release (a request the proxy would
/// refuse anyway). Best effort.
fn seed_version_check(dir: &Path) {
    let path = dir.join("versionCheck.json");
    if path.exists() {
        return;
    }
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:6]"
    );
    if let Ok(now) = time::OffsetDateTime::now_utc().format(&fmt) {
        let _ = std::fs::write(path, serde_json::json!({"check_time": now}).to_string());
    }
}

pub fn ensure(t: &Target, env: &[Export]) -> anyhow::Result<()> {
    let Some(az) = find_az() else {
        return Ok(());
    };
    let dir = t.dir.file(AZ_CONFIG_DIR);
    if signed_in(&dir, t) {
        return Ok(());
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    seed_version_check(&dir);
    let mut cmd = Command::new(az);
    cmd.args([
        "login",
        "--service-principal",
        "--username",
        &t.creds.client_id,
        "--password",
        &t.creds.client_secret,
        "--tenant",
        &t.creds.tenant_id,
        "--output",
        "none",
    ]);
    apply(&mut cmd, env);
    let out = cmd.output().context("running az login")?;
    if !out.status.success() {
        bail!(
            "signing az in as the administrator failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}
