//! Signs az in as the administrator in `aksemu exec`'s own configuration
//! directory (once, through the proxy, as `az login --service-principal` on
//! AzureCloud), so `aksemu exec -- az …` needs no `az login` first.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};
use serde_json::Value;

use crate::exports::{AZ_CONFIG_DIR, AZ_WORKLOAD_CONFIG_DIR, Export, Target, apply};

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

/// What az's own interpreter says its versions are (azure-cli, core,
/// telemetry), for the version cache; `None` when it cannot be asked.
fn local_versions(az: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(az).ok()?;
    // `#!/path/python3`, or `#!/usr/bin/env python3`: a program and its arguments.
    let shebang: Vec<&str> = text
        .lines()
        .next()?
        .strip_prefix("#!")?
        .split_whitespace()
        .collect();
    let (program, args) = shebang.split_first()?;
    let code = "import importlib.metadata as m, json; \
        print(json.dumps({k: {'local': m.version(p), 'pypi': m.version(p)} for k, p in \
        [('azure-cli', 'azure-cli'), ('core', 'azure-cli-core'), ('telemetry', 'azure-cli-telemetry')]}))";
    let out = Command::new(program)
        .args(args)
        .args(["-c", code])
        .output()
        .ok()?;
    serde_json::from_slice(&out.stdout).ok()
}

/// Tells az it is up to date, so a fresh configuration directory does not
/// make it look for a newer release (a request the proxy would refuse):
/// the version cache holds the installed versions as the latest, checked
/// now and not due again. Best effort.
fn seed_version_check(dir: &Path, az: &Path) {
    let path = dir.join("versionCheck.json");
    let Some(versions) = local_versions(az).filter(|_| !path.exists()) else {
        return;
    };
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:6]"
    );
    let now = time::OffsetDateTime::now_utc();
    let later = now + time::Duration::days(3650);
    if let (Ok(now), Ok(later)) = (now.format(&fmt), later.format(&fmt)) {
        let seeded =
            serde_json::json!({"check_time": now, "update_time": later, "versions": versions});
        let _ = std::fs::write(path, seeded.to_string());
    }
}

/// Creates az's configuration directory (0700) with its version cache seeded.
fn prepare(dir: &Path, az: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    seed_version_check(dir, az);
    Ok(())
}

/// A host's or a pod's own az configuration directory, empty of any sign-in.
pub fn workload_dir(t: &Target) -> anyhow::Result<()> {
    match find_az() {
        Some(az) => prepare(&t.dir.file(AZ_WORKLOAD_CONFIG_DIR), &az),
        None => Ok(()),
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
    prepare(&dir, &az)?;
    let mut cmd = Command::new(&az);
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
