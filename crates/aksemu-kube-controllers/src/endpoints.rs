//! Endpoints and EndpointSlices of a Service with a selector: the ready pods
//! it selects, with their IPs, nodes and the ports the Service targets, as
//! the endpoints and endpointslice controllers keep them.

use serde_json::{Value, json};

use crate::client::{CallError, Client};
use crate::meta::{controller_ref, deleting, name, pod_ready, uid};

fn selected(svc: &Value, pod: &Value) -> bool {
    let labels = &pod["metadata"]["labels"];
    svc["spec"]["selector"]
        .as_object()
        .is_some_and(|s| !s.is_empty() && s.iter().all(|(k, v)| labels[k] == *v))
}

/// A Service port's target on `pod`: a number, or a named container port.
fn target(port: &Value, pod: &Value) -> Option<u64> {
    match &port["targetPort"] {
        Value::Number(n) => n.as_u64(),
        Value::String(want) => pod["spec"]["containers"].as_array()?.iter().find_map(|c| {
            c["ports"]
                .as_array()?
                .iter()
                .find(|p| p["name"] == want.as_str())?["containerPort"]
                .as_u64()
        }),
        _ => port["port"].as_u64(),
    }
}

fn ports(svc: &Value, pod: Option<&Value>) -> Vec<Value> {
    svc["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let port = pod.map_or(p["port"].as_u64(), |pod| target(p, pod))?;
            Some(json!({"name": p["name"].as_str().unwrap_or_default(), "port": port, "protocol": p["protocol"]}))
        })
        .collect()
}

fn target_ref(p: &Value) -> Value {
    json!({"kind": "Pod", "name": name(p), "namespace": p["metadata"]["namespace"], "uid": uid(p)})
}

/// Brings Service `ns/name`'s Endpoints and EndpointSlice in line with its pods.
pub async fn reconcile(c: &Client, ns: &str, svc_name: &str) -> Result<(), CallError> {
    let Some(svc) = c
        .get(&format!("/api/v1/namespaces/{ns}/services/{svc_name}"))
        .await?
    else {
        return c
            .delete(&format!("/api/v1/namespaces/{ns}/endpoints/{svc_name}"))
            .await;
    };
    if deleting(&svc) || !svc["spec"]["selector"].is_object() {
        return Ok(());
    }
    let pods: Vec<Value> = c
        .list(&format!("/api/v1/namespaces/{ns}/pods"))
        .await?
        .into_iter()
        .filter(|p| {
            selected(&svc, p) && pod_ready(p) && !deleting(p) && p["status"]["podIP"].is_string()
        })
        .collect();
    endpoints(c, ns, &svc, &pods).await?;
    slice(c, ns, &svc, &pods).await
}

async fn endpoints(c: &Client, ns: &str, svc: &Value, pods: &[Value]) -> Result<(), CallError> {
    let addresses: Vec<Value> = pods
        .iter()
        .map(|p| json!({"ip": p["status"]["podIP"], "nodeName": p["spec"]["nodeName"], "targetRef": target_ref(p)}))
        .collect();
    let subsets = if addresses.is_empty() {
        json!([])
    } else {
        json!([{"addresses": addresses, "ports": ports(svc, pods.first())}])
    };
    let path = format!("/api/v1/namespaces/{ns}/endpoints");
    match c.get(&format!("{path}/{}", name(svc))).await? {
        Some(e) if e["subsets"] == subsets || (e["subsets"].is_null() && addresses.is_empty()) => {
            Ok(())
        }
        Some(_) => {
            let patch = json!({"subsets": subsets});
            c.merge_patch(&format!("{path}/{}", name(svc)), patch)
                .await
                .map(|_| ())
        }
        None => {
            let labels = svc["metadata"]["labels"].clone();
            let body =
                json!({"metadata": {"name": name(svc), "labels": labels}, "subsets": subsets});
            c.create(&path, body).await.map(|_| ())
        }
    }
}

async fn slice(c: &Client, ns: &str, svc: &Value, pods: &[Value]) -> Result<(), CallError> {
    let endpoints: Vec<Value> = pods
        .iter()
        .map(|p| {
            json!({"addresses": [p["status"]["podIP"]], "nodeName": p["spec"]["nodeName"],
                        "conditions": {"ready": true, "serving": true, "terminating": false},
                        "targetRef": target_ref(p)})
        })
        .collect();
    let ports = ports(svc, pods.first());
    let path = format!("/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices");
    let existing = c
        .list(&format!(
            "{path}?labelSelector=kubernetes.io%2Fservice-name%3D{}",
            name(svc)
        ))
        .await?;
    match existing.first() {
        Some(s) if s["endpoints"] == json!(endpoints) && s["ports"] == json!(ports) => Ok(()),
        Some(s) => {
            let patch = json!({"endpoints": endpoints, "ports": ports});
            c.merge_patch(&format!("{path}/{}", name(s)), patch)
                .await
                .map(|_| ())
        }
        None => {
            let body = json!({"metadata": {"generateName": format!("{}-", name(svc)),
                    "labels": {"kubernetes.io/service-name": name(svc),
                               "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
                    "ownerReferences": [controller_ref(svc)]},
                "addressType": "IPv4", "endpoints": endpoints, "ports": ports});
            c.create(&path, body).await.map(|_| ())
        }
    }
}
