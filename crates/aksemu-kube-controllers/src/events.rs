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
    let meta = json!({"generateName": format!("{}.", name(object))});
    let event = body(c, object, meta, (kind, reason, message), from);
    c.create(&format!("/api/v1/namespaces/{}/events", ns(object)), event)
        .await
        .map(|_| ())
}

/// The namespace an object's events go to.
fn ns(object: &Value) -> &str {
    object["metadata"]["namespace"]
        .as_str()
        .filter(|n| !n.is_empty())
        .unwrap_or("default")
}

/// An Event with `meta` (its name), `what` (type, reason, message), first seen now.
fn body(
    c: &Client,
    object: &Value,
    meta: Value,
    what: (&str, &str, &str),
    from: Source<'_>,
) -> Value {
    let (kind, reason, message) = what;
    let at = c.now();
    let mut source = json!({"component": from.component});
    if let Some(h) = from.host {
        source["host"] = json!(h);
    }
    json!({
        "metadata": meta,
        "involvedObject": {"apiVersion": object["apiVersion"], "kind": object["kind"], "namespace": object["metadata"]["namespace"],
                           "name": name(object), "uid": uid(object), "resourceVersion": object["metadata"]["resourceVersion"]},
        "reason": reason, "message": message, "type": kind, "source": source, "count": 1,
        "firstTimestamp": at, "lastTimestamp": at,
        "reportingComponent": from.component, "reportingInstance": from.host.unwrap_or(from.component),
    })
}

/// Records an event that may repeat (a sync retried with back-off): the same
/// reason and message about the same object is one Event whose `count` and
/// `lastTimestamp` grow, so `kubectl describe` shows `(xN over M)`.
pub async fn emit_counted(
    c: &Client,
    object: &Value,
    kind: &str,
    reason: &str,
    message: &str,
    from: Source<'_>,
) -> Result<(), CallError> {
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{}\n{reason}\n{message}", uid(object)).as_bytes(),
    );
    let hex: String = digest.as_ref()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let event_name = format!("{}.{hex}", name(object));
    let path = format!("/api/v1/namespaces/{}/events/{event_name}", ns(object));
    if let Some(seen) = c.get(&path).await? {
        let count = seen["count"].as_i64().unwrap_or(1) + 1;
        let patch = json!({"count": count, "lastTimestamp": c.now()});
        return c.merge_patch(&path, patch).await.map(|_| ());
    }
    let event = body(
        c,
        object,
        json!({"name": event_name}),
        (kind, reason, message),
        from,
    );
    c.create(&format!("/api/v1/namespaces/{}/events", ns(object)), event)
        .await
        .map(|_| ())
}
