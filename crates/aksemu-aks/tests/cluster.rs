//! Managed clusters through the in-process app: create, the reconcile that
//! builds the node resource group, a pool change, and delete.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use aksemu_arm::Method;
use aksemu_testkit::{TestApp, wait_until};
use serde_json::{Value, json};

const API: &str = "api-version=2026-06-01";

async fn state(app: &TestApp, path: &str) -> Value {
    app.call(&app.admin, Method::Get, path, Value::Null).await.1
}

/// Waits until the cluster's operation has finished and returns the cluster.
async fn settled(app: &TestApp, path: &str) -> Value {
    wait_until(Duration::from_secs(10), "the cluster settles", || async {
        let c = state(app, path).await;
        let s = c["properties"]["provisioningState"]
            .as_str()
            .unwrap_or_default();
        (s != "Creating" && s != "Updating").then_some(c)
    })
    .await
}

/// How many items a list answers.
async fn count(app: &TestApp, list: &str) -> usize {
    let listed = state(app, list).await;
    listed["value"].as_array().map(Vec::len).unwrap_or_default()
}

#[tokio::test]
async fn a_cluster_builds_its_node_group_and_takes_it_away() {
    let app = TestApp::new().await;
    let sub = app.subscription().to_string();
    let group = app.group("aks").await;
    let path = format!("{group}/providers/Microsoft.ContainerService/managedClusters/c1?{API}");
    let body = json!({"location": "westus2", "identity": {"type": "SystemAssigned"},
        "properties": {"dnsPrefix": "c1", "agentPoolProfiles": [{"name": "nodepool1", "count": 2, "mode": "System"}]}});
    let (st, created) = app.call(&app.admin, Method::Put, &path, body).await;
    assert_eq!(st, 201, "{created}");
    assert_eq!(created["properties"]["provisioningState"], "Creating");
    let cluster = settled(&app, &path).await;
    assert_eq!(
        cluster["properties"]["provisioningState"], "Succeeded",
        "{cluster}"
    );
    let kubelet = &cluster["properties"]["identityProfile"]["kubeletidentity"];
    assert!(kubelet["clientId"].is_string(), "{cluster}");
    let node_group = cluster["properties"]["nodeResourceGroup"].as_str().unwrap();
    assert_eq!(node_group, "MC_aks_c1_westus2");
    let resources = format!("/subscriptions/{sub}/resourceGroups/{node_group}/resources");
    let (st, listed) = app
        .call(&app.admin, Method::Get, &resources, Value::Null)
        .await;
    assert_eq!(st, 200, "{listed}");
    let types: Vec<&str> = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["type"].as_str())
        .collect();
    for t in [
        "Microsoft.Compute/virtualMachineScaleSets",
        "Microsoft.Network/loadBalancers",
        "Microsoft.Network/publicIPAddresses",
        "Microsoft.ManagedIdentity/userAssignedIdentities",
    ] {
        assert!(types.contains(&t), "{t} missing: {types:?}");
    }

    // The cluster identity may act in its node group: Contributor there.
    let cluster_principal = cluster["identity"]["principalId"].as_str().unwrap();
    let assignments = format!(
        "/subscriptions/{sub}/resourceGroups/{node_group}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01"
    );
    let (_, ras) = app
        .call(&app.admin, Method::Get, &assignments, Value::Null)
        .await;
    assert!(
        ras["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["properties"]["principalId"] == cluster_principal),
        "{ras}"
    );

    let (st, _) = app
        .call(&app.admin, Method::Delete, &path, Value::Null)
        .await;
    assert_eq!(st, 202);
    let node_group_path = format!("/subscriptions/{sub}/resourceGroups/{node_group}");
    wait_until(
        Duration::from_secs(10),
        "the node group is deleted",
        || async {
            let (st, _) = app
                .call(&app.admin, Method::Get, &node_group_path, Value::Null)
                .await;
            (st == 404).then_some(())
        },
    )
    .await;
    assert!(
        app.cloud
            .entra
            .service_principal(cluster_principal)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_new_pool_gets_a_scale_set_and_a_removed_one_loses_it() {
    let app = TestApp::new().await;
    let sub = app.subscription().to_string();
    let group = app.group("pools").await;
    let path = format!("{group}/providers/Microsoft.ContainerService/managedClusters/c2?{API}");
    let pools = |extra: bool| {
        let mut p = vec![json!({"name": "system", "count": 1, "mode": "System"})];
        if extra {
            p.push(json!({"name": "user", "count": 0, "mode": "User"}));
        }
        json!({"location": "westus2", "identity": {"type": "SystemAssigned"},
            "properties": {"dnsPrefix": "c2", "agentPoolProfiles": p}})
    };
    app.call(&app.admin, Method::Put, &path, pools(true)).await;
    let cluster = settled(&app, &path).await;
    let node_group = cluster["properties"]["nodeResourceGroup"]
        .as_str()
        .unwrap()
        .to_string();
    let scale_sets = format!(
        "/subscriptions/{sub}/resourceGroups/{node_group}/providers/Microsoft.Compute/virtualMachineScaleSets?api-version=2024-07-01"
    );
    assert_eq!(count(&app, &scale_sets).await, 2);
    app.call(&app.admin, Method::Put, &path, pools(false)).await;
    let cluster = settled(&app, &path).await;
    assert_eq!(
        cluster["properties"]["agentPoolProfiles"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(count(&app, &scale_sets).await, 1);
    // A user pool may not be the only system pool's replacement: count 0 is refused for System.
    let bad = json!({"location": "westus2", "identity": {"type": "SystemAssigned"},
        "properties": {"agentPoolProfiles": [{"name": "system", "count": 0, "mode": "System"}]}});
    let (st, refused) = app.call(&app.admin, Method::Put, &path, bad).await;
    assert_eq!(st, 400, "{refused}");
}
