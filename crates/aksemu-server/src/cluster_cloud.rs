//! `ClusterCloud` for the workload plane: a cluster's identity signs in (its
//! managed identity's token minted as the managed-identity endpoint mints it,
//! or its service principal's secret at the token endpoint), the token is
//! authenticated like any caller's, and the request goes through
//! `aksemu_arm::handle` (endpoint parsing, the gate, the provider): the path
//! an HTTPS ARM request takes after TLS, in process.

use std::collections::HashMap;
use std::sync::Arc;

use aksemu_aks::acting::{kubelet_sign_in, sign_in_reporting};
use aksemu_arm::{ArmRequest, Cloud};
use aksemu_core::ArmError;
use aksemu_core::ResourceId;
use aksemu_core::cluster_cloud::{
    Acting, CloudCallError, CloudReply, ClusterCloud, ImagePull, Placement,
};
use aksemu_core::request::Method;
use aksemu_identity::OAuthError;
use async_trait::async_trait;
use serde_json::Value;

/// The host ARM's absolute URLs name in answers to in-process calls.
const ARM_BASE: &str = "https://management.azure.com";

pub struct ArmForClusters(pub Arc<Cloud>);

impl ArmForClusters {
    async fn cluster(&self, uid: &str) -> Result<aksemu_store::Doc, CloudCallError> {
        aksemu_aks::api_server::cluster_by_uid(&self.0, uid)
            .await
            .map_err(|e| CloudCallError::SignIn(e.to_string()))?
            .ok_or(CloudCallError::NoCluster)
    }
}

#[async_trait]
impl ClusterCloud for ArmForClusters {
    async fn placement(&self, uid: &str) -> Result<Placement, CloudCallError> {
        let doc = self.cluster(uid).await?;
        let id = ResourceId::parse(&doc.id).map_err(|_| CloudCallError::NoCluster)?;
        let segs = id.segments();
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        Ok(Placement {
            subscription: segs.get(1).copied().unwrap_or_default().to_string(),
            resource_group: segs.get(3).copied().unwrap_or_default().to_string(),
            node_resource_group: text(&doc.body["properties"]["nodeResourceGroup"]),
            location: text(&doc.body["location"]),
            cluster_name: text(&doc.body["name"]),
            node_subnet_id: doc.body["properties"]["agentPoolProfiles"][0]["vnetSubnetID"]
                .as_str()
                .map(str::to_string),
            tenant: self.0.entra.tenant_id.clone(),
        })
    }

    async fn call(
        &self,
        uid: &str,
        acting: Acting,
        method: Method,
        path: &str,
        api_version: &str,
        body: Option<&Value>,
    ) -> Result<CloudReply, CloudCallError> {
        let doc = self.cluster(uid).await?;
        let signed_in = match acting {
            Acting::Cluster => sign_in_reporting(&self.0, &doc, credential_failed).await,
            Acting::Kubelet => kubelet_sign_in(&self.0, &doc, credential_failed).await,
        };
        let principal = signed_in.map_err(|e| CloudCallError::SignIn(sign_in_text(&e)))?;
        // A `nextLink` carries its own query (a skip token) beside the version.
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let mut query: HashMap<String, String> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        query.insert("api-version".to_string(), api_version.to_string());
        let req = ArmRequest {
            method,
            path: path.to_string(),
            query,
            if_match: None,
            if_none_match: None,
            body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
            base_url: ARM_BASE.to_string(),
        };
        Ok(match aksemu_arm::handle(&self.0, &principal, &req).await {
            Ok(r) => CloudReply {
                status: r.status,
                body: r
                    .body
                    .or_else(|| r.raw_body.and_then(|t| serde_json::from_str(&t).ok()))
                    .unwrap_or(Value::Null),
            },
            Err(e) => CloudReply {
                status: e.status(),
                body: e.to_body(),
            },
        })
    }

    async fn pull_image(&self, uid: &str, image: &str) -> Result<ImagePull, CloudCallError> {
        let doc = self.cluster(uid).await?;
        Ok(crate::image_pulls::pull(&self.0, &doc, image, credential_failed).await)
    }
}

/// A service principal's failed sign-in as the Azure SDK for Go's
/// `ClientSecretCredential` reports it (what cloud-provider-azure prints).
fn credential_failed(e: &OAuthError, tenant: &str) -> ArmError {
    let body = e.to_body("", "", "");
    let shown = serde_json::json!({
        "error": body["error"],
        "error_description": body["error_description"],
        "error_codes": body["error_codes"],
    });
    let rule = "-".repeat(80);
    ArmError::BadRequest(format!(
        "ClientSecretCredential authentication failed. \nPOST https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token\n{rule}\nRESPONSE {status}: {status} {reason}\n{rule}\n{json}\n{rule}\nTo troubleshoot, visit https://aka.ms/azsdk/go/identity/troubleshoot#client-secret",
        status = e.status(),
        reason = if e.status() == 401 {
            "Unauthorized"
        } else {
            "Bad Request"
        },
        json = serde_json::to_string_pretty(&shown).unwrap_or_default(),
    ))
}

fn sign_in_text(e: &ArmError) -> String {
    match e.to_body()["error"]["message"].as_str() {
        Some(m) => m.to_string(),
        None => e.to_string(),
    }
}
