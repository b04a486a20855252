//! Events as the components record them (`kubectl describe` and
//! `kubectl get events` show them): core/v1 Events about an object, from a
//! component (and host, for a kubelet).

use serde_json::{Value, json};

use crate::client::{CallError, Client};
use crate::meta::{name, uid};

/// Who reports an event.
pub struct Source<'a> {
    pub component: &'a str,
    pub host: Option<&'a str>,
}

/// Records an event of `kind` (`Normal` or `Warning`) about `object`.
pub async fn emit(
    c: &Client,
    object: &Value,
    kind: &str,
    reason: &str,
    message: &str,
    from: Source<'_>,
) -> Result<(), CallError> {
    let ns = object["metadata"]["namespace"]
        .as_str()
        .filter(|n| !n.is_empty())
        .unwrap_or("default");
    let at = c.now();
    let mut source = json!({"component": from.component});
    if let Some(h) = from.host {
        source["host"] = json!(h);
    }
    let event = json!({
        "metadata": {"generateName": format!("{}.", name(object))},
        "involvedObject": {"apiVersion": object["apiVersion"], "kind": object["kind"], "namespace": object["metadata"]["namespace"],
                           "name": name(object), "uid": uid(object), "resourceVersion": object["metadata"]["resourceVersion"]},
        "reason": reason, "message": message, "type": kind, "source": source, "count": 1,
        "firstTimestamp": at, "lastTimestamp": at,
        "reportingComponent": from.component, "reportingInstance": from.host.unwrap_or(from.component),
    });
    c.create(&format!("/api/v1/namespaces/{ns}/events"), event)
        .await
        .map(|_| ())
}
