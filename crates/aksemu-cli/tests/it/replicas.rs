//! Two servers on one PostgreSQL store: a clock moved on one, and a role
//! assignment made on one, reach the other without a restart.

use std::time::Duration;

use aksemu_testkit::{Server, TestStore, wait_until};
use serde_json::{Value, json};

use crate::principals::{arm_token, assign, create_sp};
use crate::{bin, install_crypto};

#[tokio::test]
async fn replicas_share_the_clock_and_role_assignments() {
    install_crypto();
    if !TestStore::all().contains(&TestStore::Postgres) {
        return;
    }
    let a = Server::start(bin(), &TestStore::Postgres).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let b = Server::start_in(bin(), &dir.path().join("data"), Some(&a.store_spec))
        .await
        .unwrap();
    let (ta, tb) = (
        a.admin_token().await.unwrap(),
        b.admin_token().await.unwrap(),
    );
    let sub = a.subscription_id.clone();
    assert_eq!(sub, b.subscription_id);

    // A role assignment made on A grants on B.
    let sp = create_sp(&a, "replica-reader").await;
    let on_b = arm_token(&b, &sp).await;
    let rg_list = b.url(&format!(
        "/subscriptions/{sub}/resourcegroups/none?api-version=2024-11-01"
    ));
    let status = |t: String| {
        let c = b.client.clone();
        let u = rg_list.clone();
        async move {
            c.get(u)
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(status(on_b.clone()).await, 403);
    let reader = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    let scope = format!("/subscriptions/{sub}");
    assert_eq!(assign(&a, &ta, &scope, reader, &sp.object_id).await, 201);
    let reached = "the assignment reaches the other replica";
    wait_until(Duration::from_secs(10), reached, || async {
        (status(on_b.clone()).await == 404).then_some(())
    })
    .await;

    // The clock moved on A is B's clock too.
    let r = a
        .client
        .post(a.url("/aksemu/admin/clock"))
        .bearer_auth(&ta)
        .json(&json!({"advanceSeconds": 86_400}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let reached = "the clock reaches the other replica";
    wait_until(Duration::from_secs(10), reached, || async {
        let v: Value = b
            .client
            .get(b.url("/aksemu/admin/clock"))
            .bearer_auth(&tb)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (v["offsetSeconds"].as_i64().unwrap_or(0) >= 86_400).then_some(())
    })
    .await;
    b.stop().await.unwrap();
    a.stop().await.unwrap();
}
