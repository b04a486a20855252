//! The resource quota controller: each quota's `status.hard` (its spec) and
//! `status.used` (what the namespace's live objects use, summed as the
//! admission sums them), written through the API when they change — after
//! any object of the namespace comes, changes or goes.

use std::sync::Arc;

use aksemu_kube::KubeApi;
use serde_json::{Value, json};

use crate::client::{CallError, Client};

pub async fn reconcile(
    c: &Client,
    api: &Arc<KubeApi>,
    uid: &str,
    ns: &str,
) -> Result<(), CallError> {
    let base = format!("/api/v1/namespaces/{ns}/resourcequotas");
    for quota in c.list(&base).await? {
        let Some(name) = quota["metadata"]["name"].as_str() else {
            continue;
        };
        let hard = quota["spec"]["hard"].clone();
        let keys: Vec<String> = hard
            .as_object()
            .map(|h| h.keys().cloned().collect())
            .unwrap_or_default();
        let used = aksemu_kube::resource_quota::usage(api, uid, ns, &keys)
            .await
            .map_err(|e| CallError {
                code: e.code(),
                message: e.to_string(),
            })?;
        let status = json!({"hard": hard, "used": Value::Object(used)});
        if quota["status"] == status {
            continue;
        }
        let patch = json!([{"op": "add", "path": "/status", "value": status}]);
        c.call(
            "PATCH",
            &format!("{base}/{name}/status"),
            Some(("application/json-patch+json", patch)),
        )
        .await?;
    }
    Ok(())
}
