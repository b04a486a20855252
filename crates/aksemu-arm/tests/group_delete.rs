//! Deleting a resource group removes everything under it, and nothing else, in
//! one transaction once the operation runs.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aksemu_arm::collections::RESOURCES;
use aksemu_arm::{ArmRequest, Cloud, Method, bootstrap};
use aksemu_core::{Principal, PrincipalKind, ResourceId, SystemClock, VirtualClock};
use aksemu_identity::SigningKey;
use aksemu_store::{Cond, Write};
use serde_json::json;

fn req(method: Method, path: &str, body: serde_json::Value) -> ArmRequest {
    ArmRequest {
        method,
        path: path.to_string(),
        query: HashMap::from([("api-version".to_string(), "2024-11-01".to_string())]),
        if_match: None,
        if_none_match: None,
        body: if body.is_null() {
            vec![]
        } else {
            body.to_string().into_bytes()
        },
        base_url: "https://localhost:1".to_string(),
    }
}

#[tokio::test]
async fn delete_removes_the_group_and_its_contents_only() {
    let store = aksemu_store::open("memory").await.unwrap();
    let (boot, _) = bootstrap::ensure(store.as_ref(), &SystemClock)
        .await
        .unwrap();
    let (key, _) = SigningKey::generate("test").unwrap();
    let settings = aksemu_arm::Settings {
        keys: vec![key],
        token_lifetime_secs: 3600,
        rbac_propagation: Default::default(),
        registry: aksemu_arm::providers::builtin_registry(),
    };
    let cloud = Cloud::new(
        store.clone(),
        Arc::new(VirtualClock::default()),
        &boot,
        settings,
    )
    .await
    .unwrap();
    let admin = Principal {
        object_id: boot.admin_object_id.clone(),
        app_id: boot.admin_app_id.clone(),
        tenant_id: boot.tenant_id.clone(),
        kind: PrincipalKind::Application,
    };
    let sub = &boot.subscription_id;
    for rg in ["doomed", "doomed2"] {
        let r = aksemu_arm::handle(
            &cloud,
            &admin,
            &req(
                Method::Put,
                &format!("/subscriptions/{sub}/resourceGroups/{rg}"),
                json!({"location": "westus2"}),
            ),
        )
        .await
        .unwrap();
        assert_eq!(r.status, 201);
    }
    // Resources inside both groups (resource types arrive with later providers).
    let mut writes = Vec::new();
    for rg in ["doomed", "doomed2"] {
        let id = ResourceId::resource_group(sub, rg).child(&[
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
    store.apply(writes).await.unwrap();

    let r = aksemu_arm::handle(
        &cloud,
        &admin,
        &req(
            Method::Delete,
            &format!("/subscriptions/{sub}/resourcegroups/DOOMED"),
            json!(null),
        ),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 202);
    let prefix = format!("/subscriptions/{}/resourcegroups/", sub.to_lowercase());
    for _ in 0..200 {
        if !store
            .list(RESOURCES, &prefix)
            .await
            .unwrap()
            .iter()
            .any(|d| d.key.contains("/doomed/") || d.key.ends_with("/doomed"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let left: Vec<String> = store
        .list(RESOURCES, &prefix)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.key)
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.iter().all(|k| k.contains("/doomed2")), "{left:?}");
}
