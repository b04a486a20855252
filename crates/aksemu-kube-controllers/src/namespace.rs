//! What every new namespace gets, as the service-account and root-CA
//! publisher controllers give it: the `default` ServiceAccount and the
//! `kube-root-ca.crt` ConfigMap (copied from kube-system).

use serde_json::json;

use crate::client::{CallError, Client};
use crate::meta::deleting;

pub async fn reconcile(c: &Client, ns: &str) -> Result<(), CallError> {
    let Some(namespace) = c.get(&format!("/api/v1/namespaces/{ns}")).await? else {
        return Ok(());
    };
    if deleting(&namespace) || namespace["status"]["phase"] == "Terminating" {
        return Ok(());
    }
    let sa = format!("/api/v1/namespaces/{ns}/serviceaccounts");
    if c.get(&format!("{sa}/default")).await?.is_none() {
        ignore_conflict(
            c.create(&sa, json!({"metadata": {"name": "default"}}))
                .await,
        )?;
    }
    let cms = format!("/api/v1/namespaces/{ns}/configmaps");
    if c.get(&format!("{cms}/kube-root-ca.crt")).await?.is_none()
        && let Some(root) = c
            .get("/api/v1/namespaces/kube-system/configmaps/kube-root-ca.crt")
            .await?
    {
        let copy = json!({"metadata": {"name": "kube-root-ca.crt", "annotations": root["metadata"]["annotations"]},
                          "data": root["data"]});
        ignore_conflict(c.create(&cms, copy).await)?;
    }
    Ok(())
}

/// Someone made it meanwhile: fine.
fn ignore_conflict<T>(r: Result<T, CallError>) -> Result<(), CallError> {
    match r {
        Err(e) if e.code == 409 => Ok(()),
        other => other.map(|_| ()),
    }
}
