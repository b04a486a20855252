//! The workload-identity webhook as AKS runs it (azure-workload-identity,
//! the layout AKS documents): a pod labelled `azure.workload.identity/use:
//! "true"` in a cluster with workload identity gets, in each container not
//! skipped, `AZURE_CLIENT_ID` (its service account's
//! `azure.workload.identity/client-id`, left out when there is none),
//! `AZURE_TENANT_ID`, `AZURE_FEDERATED_TOKEN_FILE` and `AZURE_AUTHORITY_HOST`
//! (each only if not set already), the projected service-account token volume
//! `azure-identity-token` and its mount, and with `inject-proxy-sidecar` the
//! proxy's init container and sidecar.

use serde_json::{Value, json};

use crate::ctx::Ctx;
use crate::error::KubeError;

const USE: &str = "azure.workload.identity/use";
const CLIENT_ID: &str = "azure.workload.identity/client-id";
const TENANT_ID: &str = "azure.workload.identity/tenant-id";
const EXPIRATION: &str = "azure.workload.identity/service-account-token-expiration";
const SKIP: &str = "azure.workload.identity/skip-containers";
const PROXY: &str = "azure.workload.identity/inject-proxy-sidecar";
const PROXY_PORT: &str = "azure.workload.identity/proxy-sidecar-port";
/// The proxy images of the webhook release AKS documents.
const PROXY_IMAGES: (&str, &str) = (
    "mcr.microsoft.com/oss/azure/workload-identity/proxy-init:v1.5.1",
    "mcr.microsoft.com/oss/azure/workload-identity/proxy:v1.5.1",
);
const VOLUME: &str = "azure-identity-token";
const MOUNT: &str = "/var/run/secrets/azure/tokens";
const AUTHORITY: &str = "https://login.microsoftonline.com/";
const AUDIENCE: &str = "api://AzureADTokenExchange";

fn annotation<'a>(o: &'a Value, key: &str) -> Option<&'a str> {
    o["metadata"]["annotations"][key]
        .as_str()
        .filter(|v| !v.is_empty())
}

fn denied(message: String) -> KubeError {
    KubeError::BadRequest(format!(
        "admission webhook \"mutation.azure-workload-identity.io\" denied the request: {message}"
    ))
}

/// The projected token's lifetime: the pod's annotation, else the account's, else an hour.
fn expiration(pod: &Value, sa: Option<&Value>) -> Result<i64, KubeError> {
    let raw = annotation(pod, EXPIRATION).or_else(|| sa.and_then(|s| annotation(s, EXPIRATION)));
    let Some(raw) = raw else {
        return Ok(3600);
    };
    let secs: i64 = raw
        .parse()
        .map_err(|_| denied(format!("failed to parse token expiration {raw}")))?;
    if !(3600..=86400).contains(&secs) {
        return Err(denied(format!(
            "token expiration {secs} not valid. Expected value to be between 3600 and 86400"
        )));
    }
    Ok(secs)
}

/// Mutates a new pod as the webhook does (nothing unless it asks for it).
pub async fn mutate(ctx: &Ctx<'_>, ns: &str, pod: &mut Value) -> Result<(), KubeError> {
    if !ctx.cluster.workload_identity || pod["metadata"]["labels"][USE] != "true" {
        return Ok(());
    }
    let account = pod["spec"]["serviceAccountName"]
        .as_str()
        .unwrap_or("default")
        .to_string();
    let sa = match crate::resources::find("", "v1", "serviceaccounts") {
        Some(rt) => crate::objects::get(ctx.api, ctx.uid(), rt, ns, &account).await?,
        None => None,
    };
    let seconds = expiration(pod, sa.as_ref())?;
    let client_id = sa
        .as_ref()
        .and_then(|s| annotation(s, CLIENT_ID))
        .unwrap_or_default();
    let tenant = sa
        .as_ref()
        .and_then(|s| annotation(s, TENANT_ID))
        .unwrap_or(&ctx.cluster.tenant_id);
    let file = format!("{MOUNT}/{VOLUME}");
    let env = [
        ("AZURE_CLIENT_ID", client_id),
        ("AZURE_TENANT_ID", tenant),
        ("AZURE_FEDERATED_TOKEN_FILE", file.as_str()),
        ("AZURE_AUTHORITY_HOST", AUTHORITY),
    ];
    if annotation(pod, PROXY) == Some("true") {
        add_proxy(pod)?;
    }
    let skipped: Vec<String> = annotation(pod, SKIP)
        .map(|s| s.split(';').map(|c| c.trim().to_string()).collect())
        .unwrap_or_default();
    for list in ["initContainers", "containers"] {
        for c in crate::meta::list_mut(pod, list) {
            if c["name"]
                .as_str()
                .is_some_and(|n| skipped.iter().any(|s| s == n))
            {
                continue;
            }
            inject_container(c, &env);
        }
    }
    add_volume(pod, seconds);
    Ok(())
}

fn inject_container(c: &mut Value, env: &[(&str, &str)]) {
    if !c["env"].is_array() {
        c["env"] = json!([]);
    }
    if let Some(list) = c["env"].as_array_mut() {
        for (name, value) in env.iter().filter(|(_, v)| !v.is_empty()) {
            if !list.iter().any(|e| e["name"] == *name) {
                list.push(json!({"name": name, "value": value}));
            }
        }
    }
    if !c["volumeMounts"].is_array() {
        c["volumeMounts"] = json!([]);
    }
    if let Some(mounts) = c["volumeMounts"].as_array_mut()
        && !mounts.iter().any(|m| m["name"] == VOLUME)
    {
        mounts.push(json!({"name": VOLUME, "mountPath": MOUNT, "readOnly": true}));
    }
}

/// `inject-proxy-sidecar: "true"`: the init container that redirects IMDS
/// traffic and the proxy sidecar that answers it with the federated token.
fn add_proxy(pod: &mut Value) -> Result<(), KubeError> {
    let port = annotation(pod, PROXY_PORT).unwrap_or("8000").to_string();
    port.parse::<u16>()
        .map_err(|_| denied(format!("failed to parse proxy sidecar port {port}")))?;
    let init = json!({"name": "azwi-proxy-init", "image": PROXY_IMAGES.0, "imagePullPolicy": "IfNotPresent",
        "securityContext": {"capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]}, "privileged": true, "runAsUser": 0},
        "env": [{"name": "PROXY_PORT", "value": port}]});
    let sidecar = json!({"name": "azwi-proxy", "image": PROXY_IMAGES.1, "imagePullPolicy": "IfNotPresent",
        "args": [format!("--proxy-port={port}"), "--log-level=info"],
        "ports": [{"containerPort": port.parse::<u16>().unwrap_or(8000)}],
        "lifecycle": {"postStart": {"exec": {"command": ["/proxy", "--probe", format!("--proxy-port={port}")]}}}});
    for (list, c, first) in [
        ("initContainers", init, true),
        ("containers", sidecar, false),
    ] {
        if !pod["spec"][list].is_array() {
            pod["spec"][list] = json!([]);
        }
        if let Some(l) = pod["spec"][list].as_array_mut()
            && !l.iter().any(|x| x["name"] == c["name"])
        {
            if first {
                l.insert(0, c);
            } else {
                l.push(c);
            }
        }
    }
    Ok(())
}

fn add_volume(pod: &mut Value, seconds: i64) {
    if !pod["spec"]["volumes"].is_array() {
        pod["spec"]["volumes"] = json!([]);
    }
    if let Some(volumes) = pod["spec"]["volumes"].as_array_mut()
        && !volumes.iter().any(|v| v["name"] == VOLUME)
    {
        volumes.push(json!({"name": VOLUME, "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"path": VOLUME, "expirationSeconds": seconds, "audience": AUDIENCE}}]}}));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_get_what_is_missing_only() {
        let mut c = json!({"name": "app", "env": [{"name": "AZURE_TENANT_ID", "value": "mine"}]});
        inject_container(
            &mut c,
            &[
                ("AZURE_CLIENT_ID", ""),
                ("AZURE_TENANT_ID", "t"),
                ("AZURE_AUTHORITY_HOST", AUTHORITY),
            ],
        );
        let names: Vec<&str> = c["env"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["AZURE_TENANT_ID", "AZURE_AUTHORITY_HOST"]);
        assert_eq!(c["env"][0]["value"], "mine");
        assert_eq!(c["volumeMounts"][0]["mountPath"], MOUNT);
    }

    #[test]
    fn expirations_outside_an_hour_to_a_day_are_denied() {
        let pod = |v: &str| json!({"metadata": {"annotations": {EXPIRATION: v}}});
        assert_eq!(expiration(&json!({}), None).unwrap(), 3600);
        assert_eq!(expiration(&pod("86400"), None).unwrap(), 86400);
        assert!(expiration(&pod("100"), None).is_err());
    }
}
