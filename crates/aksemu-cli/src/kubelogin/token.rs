//! `get-token`: an Entra access token for the AKS server application by the
//! chosen login mode, printed as the ExecCredential kubectl reads.

use anyhow::{Context as _, bail};
use serde_json::{Value, json};

use super::LoginFlags;

const AKS_SERVER_APP: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";
const KUBELOGIN_CLIENT: &str = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";

fn env(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
}

/// (access token, expiry as unix seconds).
type Token = (String, i64);

pub fn run(f: &LoginFlags) -> anyhow::Result<()> {
    let server = f
        .server_id
        .clone()
        .unwrap_or_else(|| AKS_SERVER_APP.to_string());
    let (token, exp) = match f.login.as_str() {
        "azurecli" => azure_cli(f, &server)?,
        "spn" | "ropc" | "workloadidentity" | "msi" => {
            crate::env_cmd::runtime()?.block_on(fetch(f, &server))?
        }
        "devicecode" | "interactive" => bail!(
            "aksemu's kubelogin cannot sign in interactively ({}): run `kubelogin convert-kubeconfig -l azurecli` and sign in with `az login`, or use -l spn, ropc, msi or workloadidentity",
            f.login
        ),
        other => bail!("unknown login mode {other:?}"),
    };
    println!("{}", exec_credential(&token, exp));
    Ok(())
}

fn exec_credential(token: &str, exp: i64) -> Value {
    // kubectl says which version it wants in KUBERNETES_EXEC_INFO.
    let api_version = std::env::var("KUBERNETES_EXEC_INFO")
        .ok()
        .and_then(|i| serde_json::from_str::<Value>(&i).ok())
        .and_then(|i| i["apiVersion"].as_str().map(str::to_string))
        .unwrap_or_else(|| "client.authentication.k8s.io/v1beta1".into());
    let expires = time::OffsetDateTime::from_unix_timestamp(exp)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    json!({
        "kind": "ExecCredential",
        "apiVersion": api_version,
        "spec": {"interactive": false},
        "status": {"expirationTimestamp": expires, "token": token},
    })
}

/// `az account get-access-token --resource <server id>`, as kubelogin's azurecli mode.
fn azure_cli(f: &LoginFlags, server: &str) -> anyhow::Result<Token> {
    let mut cmd = std::process::Command::new("az");
    cmd.args([
        "account",
        "get-access-token",
        "--resource",
        server,
        "-o",
        "json",
    ]);
    if let Some(t) = &f.tenant_id {
        cmd.args(["--tenant", t]);
    }
    let out = cmd.output().context("running az (is it on PATH?)")?;
    if !out.status.success() {
        bail!(
            "az account get-access-token failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let v: Value = serde_json::from_slice(&out.stdout)?;
    let token = v["accessToken"]
        .as_str()
        .context("no accessToken from az")?;
    Ok((token.to_string(), v["expires_on"].as_i64().unwrap_or(0)))
}

fn authority(f: &LoginFlags) -> String {
    f.authority_host
        .clone()
        .or_else(|| env(&["AZURE_AUTHORITY_HOST"]))
        .unwrap_or_else(|| "https://login.microsoftonline.com/".into())
        .trim_end_matches('/')
        .to_string()
}

/// The form a mode posts to the token endpoint (all but msi).
fn form(f: &LoginFlags, scope: &str) -> anyhow::Result<Vec<(&'static str, String)>> {
    let mut form = vec![("scope", scope.to_string())];
    match f.login.as_str() {
        "spn" => {
            let id = f
                .client_id
                .clone()
                .or_else(|| env(&["AZURE_CLIENT_ID", "AAD_SERVICE_PRINCIPAL_CLIENT_ID"]));
            let secret = f
                .client_secret
                .clone()
                .or_else(|| env(&["AZURE_CLIENT_SECRET", "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET"]));
            form.push(("grant_type", "client_credentials".into()));
            form.push((
                "client_id",
                id.context("spn login needs --client-id or AZURE_CLIENT_ID")?,
            ));
            form.push((
                "client_secret",
                secret.context("spn login needs --client-secret or AZURE_CLIENT_SECRET")?,
            ));
        }
        "ropc" => {
            let user = f
                .username
                .clone()
                .or_else(|| env(&["AZURE_USERNAME", "AAD_USER_PRINCIPAL_NAME"]));
            let pass = f
                .password
                .clone()
                .or_else(|| env(&["AZURE_PASSWORD", "AAD_USER_PRINCIPAL_PASSWORD"]));
            form.push(("grant_type", "password".into()));
            form.push((
                "client_id",
                f.client_id
                    .clone()
                    .unwrap_or_else(|| KUBELOGIN_CLIENT.into()),
            ));
            form.push((
                "username",
                user.context("ropc login needs --username or AAD_USER_PRINCIPAL_NAME")?,
            ));
            form.push((
                "password",
                pass.context("ropc login needs --password or AAD_USER_PRINCIPAL_PASSWORD")?,
            ));
        }
        _ => {
            let id = f.client_id.clone().or_else(|| env(&["AZURE_CLIENT_ID"]));
            let file = f
                .federated_token_file
                .clone()
                .or_else(|| env(&["AZURE_FEDERATED_TOKEN_FILE"]));
            let assertion = std::fs::read_to_string(
                file.context("workloadidentity login needs AZURE_FEDERATED_TOKEN_FILE")?,
            )?;
            form.push(("grant_type", "client_credentials".into()));
            form.push((
                "client_id",
                id.context("workloadidentity login needs AZURE_CLIENT_ID")?,
            ));
            form.push((
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
            ));
            form.push(("client_assertion", assertion.trim().to_string()));
        }
    }
    Ok(form)
}

async fn fetch(f: &LoginFlags, server: &str) -> anyhow::Result<Token> {
    let client = reqwest::Client::builder().build()?;
    let resp = if f.login == "msi" {
        imds(&client, f, server).await?
    } else {
        let tenant = f
            .tenant_id
            .clone()
            .or_else(|| env(&["AZURE_TENANT_ID"]))
            .unwrap_or_else(|| "organizations".into());
        let url = format!("{}/{tenant}/oauth2/v2.0/token", authority(f));
        client
            .post(url)
            .form(&form(f, &format!("{server}/.default"))?)
            .send()
            .await?
    };
    let status = resp.status();
    let v: Value = resp
        .json()
        .await
        .context("the token endpoint's answer is not JSON")?;
    if !status.is_success() {
        bail!(
            "{}",
            v["error_description"]
                .as_str()
                .unwrap_or("the token request was refused")
        );
    }
    let token = v["access_token"]
        .as_str()
        .context("no access_token in the answer")?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let exp = v["expires_on"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| v["expires_in"].as_i64().map(|s| now + s))
        .unwrap_or(now);
    Ok((token.to_string(), exp))
}

/// The managed-identity endpoint: App Service's when set, IMDS otherwise
/// (aksemu's loopback IMDS under `aksemu env`, 169.254.169.254 under `aksemu exec`).
async fn imds(
    client: &reqwest::Client,
    f: &LoginFlags,
    server: &str,
) -> anyhow::Result<reqwest::Response> {
    let client_id = f.client_id.clone().or_else(|| env(&["AZURE_CLIENT_ID"]));
    if let (Some(endpoint), Some(header)) = (env(&["IDENTITY_ENDPOINT"]), env(&["IDENTITY_HEADER"]))
    {
        let mut q = vec![
            ("api-version", "2019-08-01".to_string()),
            ("resource", server.to_string()),
        ];
        q.extend(client_id.map(|c| ("client_id", c)));
        let url = reqwest::Url::parse_with_params(&endpoint, &q)?;
        return Ok(client
            .get(url)
            .header("X-IDENTITY-HEADER", header)
            .send()
            .await?);
    }
    let base = env(&["AZURE_POD_IDENTITY_AUTHORITY_HOST"])
        .unwrap_or_else(|| "http://169.254.169.254".into());
    let mut q = vec![
        ("api-version", "2018-02-01".to_string()),
        ("resource", server.to_string()),
    ];
    q.extend(client_id.map(|c| ("client_id", c)));
    let url = format!(
        "{}/metadata/identity/oauth2/token",
        base.trim_end_matches('/')
    );
    let url = reqwest::Url::parse_with_params(&url, &q)?;
    Ok(client.get(url).header("Metadata", "true").send().await?)
}
