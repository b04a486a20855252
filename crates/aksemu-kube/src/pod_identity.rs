//! A pod's workload identity as a process on the user's machine takes it
//! (`aksemu env --pod`): the environment the webhook injected into one of its
//! containers and a fresh token of its projected service-account volume,
//! bound to the pod, as the kubelet writes it.

use serde_json::Value;

use crate::KubeApi;
use crate::error::KubeError;
use crate::resources::find;
use crate::sa_tokens::{Mint, Named, mint};

/// What `aksemu env --pod` hands a process.
#[derive(Debug, Clone)]
pub struct PodIdentity {
    /// The container's literal environment (`value`, not `valueFrom`).
    pub env: Vec<(String, String)>,
    pub token: String,
    /// When the token expires (Unix seconds, cloud clock) and its lifetime.
    pub expires: i64,
    pub seconds: i64,
}

const TOKEN_FILE: &str = "AZURE_FEDERATED_TOKEN_FILE";

fn env_of(container: &Value) -> Vec<(String, String)> {
    container["env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e["name"].as_str()?.to_string(),
                e["value"].as_str()?.to_string(),
            ))
        })
        .collect()
}

/// The projected service-account token source the webhook added (its
/// `azure-identity-token` volume).
fn projection(pod: &Value) -> Option<&Value> {
    pod["spec"]["volumes"]
        .as_array()?
        .iter()
        .filter(|v| v["name"] == "azure-identity-token")
        .find_map(|v| {
            v["projected"]["sources"]
                .as_array()?
                .iter()
                .find(|s| s["serviceAccountToken"].is_object())
                .map(|s| &s["serviceAccountToken"])
        })
}

impl KubeApi {
    /// Pod `ns/name`: in the cluster named `cluster` (name or uid), or in the
    /// only cluster that has it. Its cluster's uid and the pod.
    pub async fn find_pod(
        &self,
        cluster: Option<&str>,
        ns: &str,
        name: &str,
    ) -> Result<Vec<(String, Value)>, KubeError> {
        let rt =
            find("", "v1", "pods").ok_or_else(|| KubeError::Internal("no pods type".into()))?;
        let mut out = Vec::new();
        for doc in self.store.list(crate::plane::CLUSTERS, "").await? {
            let named = doc.body["name"]
                .as_str()
                .is_some_and(|n| Some(n) == cluster);
            if cluster.is_some_and(|c| c != doc.key && !named) {
                continue;
            }
            if let Some(pod) = crate::objects::get(self, &doc.key, rt, ns, name).await? {
                out.push((doc.key.clone(), pod));
            }
        }
        Ok(out)
    }

    /// The workload identity of `container` (or the first injected one) of
    /// `pod` in cluster `uid`, with a new token (`base_url`: the API server's,
    /// the issuer of clusters without an OIDC issuer).
    pub async fn pod_identity(
        &self,
        uid: &str,
        pod: &Value,
        container: Option<&str>,
        base_url: &str,
    ) -> Result<PodIdentity, KubeError> {
        let containers = pod["spec"]["containers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let chosen = containers
            .iter()
            .find(|c| match container {
                Some(n) => c["name"] == n,
                None => env_of(c).iter().any(|(k, _)| k == TOKEN_FILE),
            })
            .ok_or_else(|| {
                KubeError::BadRequest(format!(
                    "pod {} has no container with a workload identity (label azure.workload.identity/use: \"true\" in a cluster with workload identity)",
                    pod["metadata"]["name"].as_str().unwrap_or_default()
                ))
            })?;
        let source = projection(pod).cloned().unwrap_or(Value::Null);
        let cluster = self
            .clusters
            .cluster(uid)
            .await
            .map_err(KubeError::Internal)?
            .ok_or_else(crate::error::unknown_path)?;
        let ns = pod["metadata"]["namespace"].as_str().unwrap_or("default");
        let account = pod["spec"]["serviceAccountName"]
            .as_str()
            .unwrap_or("default");
        let sa_uid = crate::objects::get_account(self, uid, ns, account)
            .await?
            .unwrap_or_default();
        let seconds = source["expirationSeconds"].as_i64().unwrap_or(3600);
        let audience = source["audience"]
            .as_str()
            .unwrap_or("api://AzureADTokenExchange");
        let m = Mint {
            namespace: ns,
            account: Named {
                name: account.to_string(),
                uid: sa_uid,
            },
            pod: Some(Named {
                name: pod["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                uid: pod["metadata"]["uid"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            }),
            audiences: vec![audience.to_string()],
            seconds,
        };
        let (token, expires) = mint(self, &cluster, base_url, m).await?;
        Ok(PodIdentity {
            env: env_of(chosen),
            token,
            expires,
            seconds,
        })
    }
}
