//! `listClusterUserCredential` / `listClusterAdminCredential` /
//! `listClusterMonitoringUserCredential`: kubeconfigs that trust the aksemu CA
//! and point at the cluster's API server URL on aksemu. They are byte-identical
//! on every call (az refuses to merge a different object under the same name),
//! so the token is derived from a per-cluster seed kept out of the ARM document.

use aksemu_authz::Authorized;
use aksemu_core::ArmError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use crate::lifecycle::require;
use crate::names::CLUSTER_SECRETS;
use crate::names::{LIST_ADMIN_CREDENTIAL, LIST_MONITORING_CREDENTIAL};
use aksemu_arm::Cloud;
use aksemu_arm::endpoint::ResourceAction;
use aksemu_core::request::{ArmRequest, ArmResponse};
use aksemu_store::store_err;

/// The path of a cluster's API server on aksemu.
pub fn api_server_path(resource_uid: &str) -> String {
    format!("/aksemu/clusters/{resource_uid}")
}

pub(crate) fn token(seed: &str, role: &str) -> String {
    let d = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{seed}|{role}").as_bytes(),
    );
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The AKS server application (Entra-integrated clusters' token audience)
/// and kubelogin's client application.
pub const AKS_SERVER_APP: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";
const KUBELOGIN_CLIENT: &str = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";

/// How a kubeconfig's user signs in: a static token, or (Entra-integrated
/// clusters' user credential) kubelogin as an exec plugin, as AKS writes it.
enum Credential {
    Token(String),
    Kubelogin { tenant_id: String },
}

fn user_block(c: &Credential) -> String {
    match c {
        Credential::Token(t) => format!("    token: {t}\n"),
        Credential::Kubelogin { tenant_id } => format!(
            "    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - {AKS_SERVER_APP}
      - --client-id
      - {KUBELOGIN_CLIENT}
      - --tenant-id
      - {tenant_id}
      - --login
      - devicecode
      command: kubelogin
      env: null
      installHint: |2

        kubelogin is not installed which is required to connect to AAD enabled cluster.

        To learn more, please go to https://aka.ms/aks/kubelogin
      interactiveMode: IfAvailable
      provideClusterInfo: false
"
        ),
    }
}

fn kubeconfig(
    cluster: &str,
    user: &str,
    server: &str,
    ca_pem: &str,
    credential: &Credential,
) -> String {
    let ca = STANDARD.encode(ca_pem.as_bytes());
    let user_block = user_block(credential);
    format!(
        "apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: {ca}
    server: {server}
  name: {cluster}
contexts:
- context:
    cluster: {cluster}
    user: {user}
  name: {cluster}
current-context: {cluster}
kind: Config
preferences: {{}}
users:
- name: {user}
  user:
{user_block}"
    )
}

pub async fn list(
    cloud: &Cloud,
    auth: &Authorized,
    action: &ResourceAction,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let doc = require(cloud, auth.scope()).await?;
    let props = &doc.body["properties"];
    let role = if *action == LIST_ADMIN_CREDENTIAL {
        "clusterAdmin"
    } else if *action == LIST_MONITORING_CREDENTIAL {
        "clusterMonitoringUser"
    } else {
        "clusterUser"
    };
    if role == "clusterAdmin" && props["disableLocalAccounts"] == true {
        return Err(ArmError::BadRequest(
            "Getting static credential is not allowed because this cluster is set to disable local accounts.".into(),
        ));
    }
    let seed = cloud
        .store()
        .get(CLUSTER_SECRETS, &doc.key)
        .await
        .map_err(store_err)?
        .and_then(|d| d.body["credentialSeed"].as_str().map(str::to_string))
        .ok_or(ArmError::InternalServerError)?;
    let id = aksemu_core::ResourceId::parse(&doc.id)?;
    let name = doc.body["name"].as_str().unwrap_or_default();
    let rg = id.resource_group_name().unwrap_or_default();
    // Through the interception proxy, the API server's public name, as on
    // Azure; otherwise its path on this server's loopback address.
    let server = match props["fqdn"].as_str() {
        Some(fqdn) if req.via_public_name() => format!("https://{fqdn}:443"),
        _ => format!(
            "{}{}",
            req.base_url,
            api_server_path(props["resourceUID"].as_str().unwrap_or_default())
        ),
    };
    let credential = match props["aadProfile"]["tenantID"].as_str() {
        Some(tenant_id) if role == "clusterUser" => Credential::Kubelogin {
            tenant_id: tenant_id.to_string(),
        },
        _ => Credential::Token(token(&seed, role)),
    };
    let yaml = kubeconfig(
        name,
        &format!("{role}_{rg}_{name}"),
        &server,
        cloud.ca_pem.get().map(String::as_str).unwrap_or_default(),
        &credential,
    );
    Ok(ArmResponse::json(
        200,
        json!({"kubeconfigs": [{"name": role, "value": STANDARD.encode(yaml.as_bytes())}]}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_inputs_same_bytes() {
        let a = kubeconfig(
            "c",
            "clusterUser_rg_c",
            "https://x",
            "PEM",
            &Credential::Token(token("s", "u")),
        );
        let b = kubeconfig(
            "c",
            "clusterUser_rg_c",
            "https://x",
            "PEM",
            &Credential::Token(token("s", "u")),
        );
        assert_eq!(a, b);
        assert_ne!(token("s", "clusterUser"), token("s", "clusterAdmin"));
    }
}
