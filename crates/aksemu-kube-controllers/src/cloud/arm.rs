//! ARM calls as one of a cluster's identities, with failures turned into the
//! text the Azure SDK prints.

use std::sync::Arc;

use aksemu_core::cluster_cloud::{Acting, CloudCallError, ClusterCloud, Placement};
use aksemu_core::request::Method;
use serde_json::Value;

use super::azure_error::response_error;

/// Microsoft.Network's API version, as cloud-provider-azure pins one.
pub const NETWORK_API: &str = "2024-05-01";

/// Why an ARM step failed: an ARM answer (status, body), or no sign-in.
#[derive(Debug, Clone)]
pub enum ArmFailure {
    Status {
        status: u16,
        text: String,
    },
    SignIn(String),
    /// The cluster is gone: nothing to do.
    NoCluster,
}

impl ArmFailure {
    pub fn not_found(&self) -> bool {
        matches!(self, ArmFailure::Status { status: 404, .. })
    }
}

impl std::fmt::Display for ArmFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArmFailure::Status { text, .. } => f.write_str(text),
            ArmFailure::SignIn(m) => f.write_str(m),
            ArmFailure::NoCluster => f.write_str("the cluster does not exist"),
        }
    }
}

/// One cluster's way to ARM, as one identity.
pub struct Arm {
    cloud: Arc<dyn ClusterCloud>,
    uid: String,
    acting: Acting,
    pub at: Placement,
}

impl Arm {
    pub async fn new(
        cloud: &Arc<dyn ClusterCloud>,
        uid: &str,
        acting: Acting,
    ) -> Result<Self, ArmFailure> {
        let at = cloud.placement(uid).await.map_err(failure)?;
        Ok(Self {
            cloud: cloud.clone(),
            uid: uid.to_string(),
            acting,
            at,
        })
    }

    /// `/subscriptions/<s>/resourceGroups/<rg>/providers/<rest>`.
    pub fn id(&self, rg: &str, rest: &str) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{rg}/providers/{rest}",
            self.at.subscription
        )
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        api: &str,
        body: Option<&Value>,
    ) -> Result<Value, ArmFailure> {
        let reply = self
            .cloud
            .call(&self.uid, self.acting, method, path, api, body)
            .await
            .map_err(failure)?;
        if reply.ok() {
            return Ok(reply.body);
        }
        // The SDK prints the path without its query.
        let bare = path.split('?').next().unwrap_or(path);
        Err(ArmFailure::Status {
            status: reply.status,
            text: response_error(method.as_str(), bare, reply.status, &reply.body),
        })
    }

    pub async fn get(&self, path: &str, api: &str) -> Result<Option<Value>, ArmFailure> {
        match self.send(Method::Get, path, api, None).await {
            Err(e) if e.not_found() => Ok(None),
            other => other.map(Some),
        }
    }

    /// Every item of a list, following `nextLink`s.
    pub async fn list(&self, path: &str, api: &str) -> Result<Vec<Value>, ArmFailure> {
        let mut out = Vec::new();
        let mut next = Some(path.to_string());
        while let Some(p) = next.take() {
            let page = self.send(Method::Get, &p, api, None).await?;
            out.extend(page["value"].as_array().cloned().unwrap_or_default());
            next = page["nextLink"]
                .as_str()
                .and_then(|l| l.find("/subscriptions/").map(|at| l[at..].to_string()));
        }
        Ok(out)
    }

    pub async fn put(&self, path: &str, api: &str, body: &Value) -> Result<Value, ArmFailure> {
        self.send(Method::Put, path, api, Some(body)).await
    }

    pub async fn delete(&self, path: &str, api: &str) -> Result<(), ArmFailure> {
        match self.send(Method::Delete, path, api, None).await {
            Err(e) if e.not_found() => Ok(()),
            other => other.map(|_| ()),
        }
    }
}

fn failure(e: CloudCallError) -> ArmFailure {
    match e {
        CloudCallError::NoCluster => ArmFailure::NoCluster,
        CloudCallError::SignIn(m) => ArmFailure::SignIn(m),
    }
}
