//! `convert-kubeconfig -l <mode>`: the kubeconfig's kubelogin users get the
//! arguments kubelogin writes for that mode; everything else is kept.

use std::path::PathBuf;

use anyhow::Context as _;
use serde_yaml_ng::Value;

use super::ConvertArgs;

const AKS_SERVER_APP: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";

fn path(a: &ConvertArgs) -> anyhow::Result<PathBuf> {
    if let Some(p) = &a.kubeconfig {
        return Ok(p.clone());
    }
    if let Some(first) =
        std::env::var_os("KUBECONFIG").and_then(|k| std::env::split_paths(&k).next())
    {
        return Ok(first);
    }
    let home = std::env::var_os("HOME").context("HOME is not set")?;
    Ok(PathBuf::from(home).join(".kube").join("config"))
}

/// The value after `--flag` in a kubelogin argument list.
fn arg(args: &[Value], flag: &str) -> Option<String> {
    let i = args.iter().position(|a| a.as_str() == Some(flag))?;
    args.get(i + 1).and_then(Value::as_str).map(str::to_string)
}

/// kubelogin's arguments for `mode`, from the old ones and the flags given.
fn converted(old: &[Value], a: &ConvertArgs) -> Vec<Value> {
    let f = &a.flags;
    let server = f
        .server_id
        .clone()
        .or_else(|| arg(old, "--server-id"))
        .unwrap_or_else(|| AKS_SERVER_APP.into());
    let mut out = vec![
        "get-token".to_string(),
        "--login".into(),
        f.login.clone(),
        "--server-id".into(),
        server,
    ];
    let tenant = f.tenant_id.clone().or_else(|| arg(old, "--tenant-id"));
    let environment = arg(old, "--environment").unwrap_or_else(|| f.environment.clone());
    match f.login.as_str() {
        "azurecli" => {}
        "msi" => out.extend(
            f.client_id
                .clone()
                .map(|c| vec!["--client-id".to_string(), c])
                .into_iter()
                .flatten(),
        ),
        _ => {
            out.extend(["--environment".into(), environment]);
            out.extend(
                tenant
                    .map(|t| vec!["--tenant-id".to_string(), t])
                    .into_iter()
                    .flatten(),
            );
            if let Some(c) = &f.client_id {
                out.extend(["--client-id".into(), c.clone()]);
            }
        }
    }
    out.into_iter().map(Value::String).collect()
}

pub fn run(a: &ConvertArgs) -> anyhow::Result<()> {
    let path = path(a)?;
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut config: Value =
        serde_yaml_ng::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let wanted_user = a.context.as_ref().and_then(|c| {
        config["contexts"]
            .as_sequence()?
            .iter()
            .find(|x| x["name"].as_str() == Some(c.as_str()))?["context"]["user"]
            .as_str()
            .map(str::to_string)
    });
    let users = config["users"]
        .as_sequence_mut()
        .context("the kubeconfig has no users")?;
    for u in users {
        let name = u["name"].as_str().map(str::to_string);
        if wanted_user.is_some() && name != wanted_user {
            continue;
        }
        let exec = &mut u["user"]["exec"];
        let is_kubelogin = exec["command"]
            .as_str()
            .is_some_and(|c| c.ends_with("kubelogin"));
        if !is_kubelogin {
            continue;
        }
        let old = exec["args"].as_sequence().cloned().unwrap_or_default();
        exec["args"] = Value::Sequence(converted(&old, a));
    }
    std::fs::write(&path, serde_yaml_ng::to_string(&config)?)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
