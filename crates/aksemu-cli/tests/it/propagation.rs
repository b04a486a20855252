//! Role-assignment propagation delay on the cloud clock: a new assignment grants
//! nothing until the delay has passed, and a deleted one keeps granting as long.

use aksemu_testkit::{Server, TestStore};
use serde_json::{Value, json};

use crate::principals::{arm_token, create_sp};
use crate::{bin, install_crypto};

#[tokio::test]
async fn assignments_take_effect_after_the_delay() {
    install_crypto();
    for store in TestStore::all() {
        let s = Server::start_with(bin(), &store, &["--rbac-propagation", "60m"])
            .await
            .unwrap();
        let admin = s.admin_token().await.unwrap();
        let sub = s.subscription_id.clone();
        let rg = format!("/subscriptions/{sub}/resourceGroups/prop");
        let call = |m: reqwest::Method, path: String, token: String, body: Option<Value>| {
            let mut r = s.client.request(m, s.url(&path)).bearer_auth(token);
            if let Some(b) = body {
                r = r.json(&b);
            }
            async move {
                let resp = r.send().await.unwrap();
                (
                    resp.status().as_u16(),
                    resp.json::<Value>().await.unwrap_or(Value::Null),
                )
            }
        };
        let advance = |secs: i64| {
            let r = s
                .client
                .post(s.url("/aksemu/admin/clock"))
                .bearer_auth(admin.clone())
                .json(&json!({"advanceSeconds": secs}));
            async move { assert_eq!(r.send().await.unwrap().status().as_u16(), 200) }
        };
        let (st, _) = call(
            reqwest::Method::PUT,
            format!("{rg}?api-version=2024-11-01"),
            admin.clone(),
            Some(json!({"location": "westus2"})),
        )
        .await;
        assert_eq!(st, 201, "the bootstrap Owner assignment is old enough");
        let p = create_sp(&s, "late").await;
        let pt = arm_token(&s, &p).await;
        let ra = format!(
            "{rg}/providers/Microsoft.Authorization/roleAssignments/12121212-1212-1212-1212-121212121212?api-version=2022-04-01"
        );
        let reader = format!(
            "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
        );
        let (st, _) = call(
            reqwest::Method::PUT,
            ra.clone(),
            admin.clone(),
            Some(json!({"properties": {"roleDefinitionId": reader, "principalId": p.object_id}})),
        )
        .await;
        assert_eq!(st, 201);
        let get = format!("{rg}?api-version=2024-11-01");

        let (st, b) = call(reqwest::Method::GET, get.clone(), pt.clone(), None).await;
        assert_eq!(st, 403);
        let reason = b["error"]["additionalInfo"][0]["info"]["assignmentsConsidered"][0]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(reason.starts_with("not yet effective until"), "{reason}");
        advance(59 * 60).await;
        assert_eq!(
            call(reqwest::Method::GET, get.clone(), pt.clone(), None)
                .await
                .0,
            403,
            "59 minutes: still propagating"
        );
        advance(2 * 60).await;
        assert_eq!(
            call(reqwest::Method::GET, get.clone(), pt.clone(), None)
                .await
                .0,
            200,
            "61 minutes: granted"
        );

        // Deleting: gone from listings at once, but still granting for the delay.
        assert_eq!(
            call(reqwest::Method::DELETE, ra.clone(), admin.clone(), None)
                .await
                .0,
            200
        );
        assert_eq!(
            call(reqwest::Method::GET, ra.clone(), admin.clone(), None)
                .await
                .0,
            404
        );
        assert_eq!(
            call(reqwest::Method::GET, get.clone(), pt.clone(), None)
                .await
                .0,
            200,
            "the deletion propagates too"
        );
        advance(61 * 60).await;
        assert_eq!(
            call(reqwest::Method::GET, get.clone(), pt.clone(), None)
                .await
                .0,
            403
        );
    }
}

#[tokio::test]
async fn a_seeded_random_delay_is_bounded_and_announced() {
    install_crypto();
    let s = Server::start_with(
        bin(),
        &TestStore::Sqlite,
        &["--rbac-propagation", "60m", "--rbac-propagation-seed", "42"],
    )
    .await
    .unwrap();
    let admin = s.admin_token().await.unwrap();
    let sub = s.subscription_id.clone();
    let send = |m: reqwest::Method, path: String, token: &str, body: Option<Value>| {
        let mut r = s.client.request(m, s.url(&path)).bearer_auth(token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        async move {
            let resp = r.send().await.unwrap();
            (
                resp.status().as_u16(),
                resp.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let rg = format!("/subscriptions/{sub}/resourceGroups/seeded");
    let get = format!("{rg}?api-version=2024-11-01");
    send(
        reqwest::Method::PUT,
        get.clone(),
        &admin,
        Some(json!({"location": "westus2"})),
    )
    .await;
    let p = create_sp(&s, "seeded").await;
    let pt = arm_token(&s, &p).await;
    let (st, _) = send(
        reqwest::Method::PUT,
        format!("{rg}/providers/Microsoft.Authorization/roleAssignments/34343434-3434-3434-3434-343434343434?api-version=2022-04-01"),
        &admin,
        Some(json!({"properties": {
            "roleDefinitionId": format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"),
            "principalId": p.object_id, "principalType": "ServicePrincipal"}})),
    )
    .await;
    assert_eq!(st, 201);
    let (_, clock) = send(
        reqwest::Method::GET,
        "/aksemu/admin/clock".into(),
        &admin,
        None,
    )
    .await;
    let parse = |t: &str| {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).unwrap()
    };
    let now = parse(clock["now"].as_str().unwrap());
    let (st, b) = send(reqwest::Method::GET, get.clone(), &pt, None).await;
    if st == 200 {
        return; // this seed drew a delay already past (allowed: 0 ≤ delay ≤ bound)
    }
    let reason = b["error"]["additionalInfo"][0]["info"]["assignmentsConsidered"][0]["reason"]
        .as_str()
        .unwrap()
        .to_string();
    let until = parse(
        reason
            .trim_start_matches("not yet effective until ")
            .split_whitespace()
            .next()
            .unwrap()
            .trim_end_matches(['.', ',', ';', ')']),
    );
    let wait = (until - now).whole_seconds();
    assert!((0..=3600).contains(&wait), "{reason}");
    let (st, _) = send(
        reqwest::Method::POST,
        "/aksemu/admin/clock".into(),
        &admin,
        Some(json!({"advanceSeconds": wait + 2})),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(send(reqwest::Method::GET, get, &pt, None).await.0, 200);
}
