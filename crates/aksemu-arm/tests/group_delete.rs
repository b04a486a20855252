//! Deleting a resource group removes everything under it, and nothing else, in
//! one transaction once the operation runs.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use aksemu_arm::Method;
use aksemu_arm::collections::RESOURCES;
use aksemu_core::ResourceId;
use aksemu_store::{Cond, Write};
use aksemu_testkit::{TestApp, wait_until};
use serde_json::{Value, json};

#[tokio::test]
async fn delete_removes_the_group_and_its_contents_only() {
    let app = TestApp::new().await;
    let sub = app.subscription().to_string();
    for rg in ["doomed", "doomed2"] {
        app.group(rg).await;
    }
    // A resource inside each group, written directly.
    let mut writes = Vec::new();
    for rg in ["doomed", "doomed2"] {
        let id = ResourceId::resource_group(&sub, rg).child(&[
            "providers",
            "Microsoft.ManagedIdentity",
            "userAssignedIdentities",
            "id1",
        ]);
        writes.push(Write::Put {
            coll: RESOURCES,
            key: id.key().to_string(),
            id: id.as_str().to_string(),
            body: json!({}),
            cond: Cond::Absent,
        });
    }
    app.store.apply(writes).await.unwrap();

    let path = format!("/subscriptions/{sub}/resourcegroups/DOOMED");
    let (status, _) = app
        .call(&app.admin, Method::Delete, &path, Value::Null)
        .await;
    assert_eq!(status, 202);
    let prefix = format!("/subscriptions/{}/resourcegroups/", sub.to_lowercase());
    let left: Vec<String> = wait_until(Duration::from_secs(5), "the group is gone", || async {
        let keys: Vec<String> = app
            .store
            .list(RESOURCES, &prefix)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.key)
            .collect();
        let gone = !keys
            .iter()
            .any(|k| k.contains("/doomed/") || k.ends_with("/doomed"));
        gone.then_some(keys)
    })
    .await;
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.iter().all(|k| k.contains("/doomed2")), "{left:?}");
}
