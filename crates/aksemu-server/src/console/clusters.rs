//! The Clusters tab: per readable cluster its state and node pools, and the
//! Kubernetes objects the principal could read with kubectl: its nodes,
//! namespaces, workloads, services with their load-balancer state, and
//! recent events.

use aksemu_arm::Cloud;
use aksemu_core::{Principal, ResourceId};
use aksemu_kube::objects::OBJECTS;
use axum::extract::State;
use axum::response::Response;
use serde_json::Value;

use super::Signed;
use super::page::{esc, page};
use super::view::{CLUSTER_TYPE, Readable, readable};
use crate::AppState;

const ADMIN_CREDENTIAL: &str =
    "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action";
/// What each listing needs on an Azure RBAC cluster (cluster-wide reads).
const DATA_READS: [(&str, &str); 5] = [
    (
        "nodes",
        "Microsoft.ContainerService/managedClusters/nodes/read",
    ),
    (
        "namespaces",
        "Microsoft.ContainerService/managedClusters/namespaces/read",
    ),
    (
        "deployments.apps",
        "Microsoft.ContainerService/managedClusters/apps/deployments/read",
    ),
    (
        "services",
        "Microsoft.ContainerService/managedClusters/services/read",
    ),
    (
        "events",
        "Microsoft.ContainerService/managedClusters/events/read",
    ),
];

/// The kinds of Kubernetes objects the principal may see in a cluster: all
/// of them with the cluster-admin credential (local accounts on), on an
/// Azure RBAC cluster those its data actions grant cluster-wide (asked on its
/// behalf, not recorded as its requests), else none (Kubernetes RBAC decides
/// there, for a kubeconfig the console does not hold).
fn readable_kinds(
    cloud: &Cloud,
    who: &Principal,
    id: &ResourceId,
    props: &Value,
) -> Vec<&'static str> {
    let local = props["disableLocalAccounts"] != true;
    if local && cloud.rbac.allows(who, ADMIN_CREDENTIAL, id) {
        return DATA_READS.iter().map(|(k, _)| *k).collect();
    }
    if props["aadProfile"]["enableAzureRBAC"] != true {
        return Vec::new();
    }
    DATA_READS
        .iter()
        .filter(|(_, action)| cloud.rbac.allows_data(who, action, id))
        .map(|(k, _)| *k)
        .collect()
}

pub async fn show(State(state): State<AppState>, Signed { session: s, .. }: Signed) -> Response {
    let cloud = &state.cloud;
    let clusters: Vec<Readable> = readable(cloud, &s.who.principal)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.rtype.eq_ignore_ascii_case(CLUSTER_TYPE))
        .collect();
    let mut main = String::from("<h1>Clusters</h1>");
    if clusters.is_empty() {
        main.push_str("<p class=\"muted\">No cluster you may read.</p>");
    }
    for c in clusters {
        let kinds = readable_kinds(cloud, &s.who.principal, &c.id, &c.body["properties"]);
        main.push_str(&cluster(&state, &c.body, &kinds).await);
    }
    page(&s, "clusters", "Clusters", &main)
}

async fn cluster(state: &AppState, body: &Value, kinds: &[&str]) -> String {
    let p = &body["properties"];
    let t = |v: &Value| esc(v.as_str().unwrap_or_default());
    let pools: String = p["agentPoolProfiles"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|pool| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                t(&pool["name"]),
                t(&pool["mode"]),
                pool["count"],
                t(&pool["vmSize"]),
                t(&pool["provisioningState"])
            )
        })
        .collect();
    let kube = match p["resourceUID"].as_str() {
        Some(uid) if !kinds.is_empty() => kube_side(state, uid, kinds).await,
        _ => "<p class=\"muted\">Its Kubernetes objects need listClusterAdminCredential on the cluster, or on an Azure RBAC cluster the data actions to read them.</p>".into(),
    };
    format!(
        "<section class=\"cluster\" data-name=\"{name}\"><h2>{name} <span class=\"muted\">{state} · Kubernetes {ver} · {fqdn}</span></h2>\
         <table><caption>Node pools</caption><tr><th>name</th><th>mode</th><th>count</th><th>size</th><th>state</th></tr>{pools}</table>{kube}</section>",
        name = t(&body["name"]),
        state = t(&p["provisioningState"]),
        ver = t(&p["kubernetesVersion"]),
        fqdn = t(&p["fqdn"]),
    )
}

/// The Kubernetes objects of `kind` in cluster `uid` (stored JSON), if the
/// principal may read them.
async fn objects(state: &AppState, uid: &str, qualified: &str, kinds: &[&str]) -> Vec<Value> {
    if !kinds.contains(&qualified) {
        return Vec::new();
    }
    state
        .cloud
        .store()
        .list(OBJECTS, &format!("{uid}/{qualified}/"))
        .await
        .map(|docs| docs.into_iter().map(|d| d.body).collect())
        .unwrap_or_default()
}

fn name_of(o: &Value) -> String {
    let m = &o["metadata"];
    match m["namespace"].as_str() {
        Some(ns) => format!("{ns}/{}", m["name"].as_str().unwrap_or_default()),
        None => m["name"].as_str().unwrap_or_default().to_string(),
    }
}

async fn kube_side(state: &AppState, uid: &str, kinds: &[&str]) -> String {
    let nodes = objects(state, uid, "nodes", kinds).await;
    let namespaces = objects(state, uid, "namespaces", kinds).await;
    let deployments = objects(state, uid, "deployments.apps", kinds).await;
    let services = objects(state, uid, "services", kinds).await;
    let mut events = objects(state, uid, "events", kinds).await;
    let node_list: Vec<String> = nodes.iter().map(|n| esc(&name_of(n))).collect();
    let ns_list: Vec<String> = namespaces.iter().map(|n| esc(&name_of(n))).collect();
    let workloads: String = deployments
        .iter()
        .map(|d| {
            format!(
                "<tr><td>{}</td><td>{}/{}</td></tr>",
                esc(&name_of(d)),
                d["status"]["readyReplicas"].as_i64().unwrap_or(0),
                d["spec"]["replicas"].as_i64().unwrap_or(1)
            )
        })
        .collect();
    let svcs: String = services
        .iter()
        .map(|s| {
            let kind = s["spec"]["type"].as_str().unwrap_or("ClusterIP");
            let lb = match (
                kind,
                s["status"]["loadBalancer"]["ingress"][0]["ip"].as_str(),
            ) {
                ("LoadBalancer", Some(ip)) => format!("load balancer at {ip}"),
                ("LoadBalancer", None) => "load balancer pending".to_string(),
                _ => String::new(),
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&name_of(s)),
                esc(kind),
                esc(&lb)
            )
        })
        .collect();
    let stamp = |e: &Value| {
        e["lastTimestamp"]
            .as_str()
            .or(e["eventTime"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    events.sort_by_key(|e| std::cmp::Reverse(stamp(e)));
    let recent: String = events
        .iter()
        .take(15)
        .map(|e| {
            format!(
                "<li><span class=\"time\">{}</span> {} <b>{}</b> {}: {}</li>",
                esc(&stamp(e)),
                esc(e["type"].as_str().unwrap_or_default()),
                esc(e["reason"].as_str().unwrap_or_default()),
                esc(&format!(
                    "{}/{}",
                    e["involvedObject"]["kind"].as_str().unwrap_or_default(),
                    e["involvedObject"]["name"].as_str().unwrap_or_default()
                )),
                esc(e["message"].as_str().unwrap_or_default())
            )
        })
        .collect();
    format!(
        "<p><b>Nodes</b> ({}): {}</p><p><b>Namespaces</b>: {}</p>\
         <table><caption>Deployments</caption><tr><th>name</th><th>ready</th></tr>{workloads}</table>\
         <table><caption>Services</caption><tr><th>name</th><th>type</th><th>load balancer</th></tr>{svcs}</table>\
         <h3>Recent events</h3><ol class=\"events\">{recent}</ol>",
        nodes.len(),
        node_list.join(", "),
        ns_list.join(", ")
    )
}
