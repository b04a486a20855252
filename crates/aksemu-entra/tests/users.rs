//! Users and groups through the in-process app: Graph writes them, the
//! password and refresh-token grants sign a user in, and the access token
//! carries the user's transitive groups, or the overage claim past 200.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use aksemu_core::request::Method;
use aksemu_identity::grant::EndpointVersion;
use aksemu_testkit::{TestApp, claims, request};
use serde_json::{Value, json};

const AZ_CLI: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
const AKS_SERVER: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";

async fn graph(app: &TestApp, method: Method, path: &str, body: Value) -> (u16, Value) {
    let token = app.token_for(&app.admin, "https://graph.microsoft.com/");
    let req = request(method, path, body);
    match aksemu_entra::graph::handle(&app.cloud.entra, Some(&format!("Bearer {token}")), &req)
        .await
    {
        Ok(r) => (r.status, r.body.unwrap_or(Value::Null)),
        Err(e) => (e.status(), json!({"error": e.to_string()})),
    }
}

async fn user(app: &TestApp, upn: &str) -> String {
    let body = json!({"accountEnabled": true, "displayName": upn, "mailNickname": "n",
        "userPrincipalName": upn, "passwordProfile": {"password": "Secret-123"}});
    let (status, made) = graph(app, Method::Post, "/v1.0/users", body).await;
    assert_eq!(status, 201, "{made}");
    made["id"].as_str().unwrap().to_string()
}

async fn group_with(app: &TestApp, name: &str, member: &str) -> String {
    let body = json!({"displayName": name, "mailNickname": name, "securityEnabled": true, "mailEnabled": false});
    let (_, g) = graph(app, Method::Post, "/v1.0/groups", body).await;
    let id = g["id"].as_str().unwrap().to_string();
    let reference =
        json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{member}")});
    let (status, _) = graph(
        app,
        Method::Post,
        &format!("/v1.0/groups/{id}/members/$ref"),
        reference,
    )
    .await;
    assert_eq!(status, 204);
    id
}

async fn sign_in(
    app: &TestApp,
    fields: &[(&str, &str)],
) -> Result<aksemu_identity::TokenResponse, u32> {
    let form: HashMap<String, String> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    app.cloud
        .entra
        .issue_token(
            "organizations",
            &form,
            None,
            EndpointVersion::V2,
            "https://localhost:1",
        )
        .await
        .map_err(|e| e.aadsts())
}

fn password(upn: &str, password: &str) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "password".into()),
        ("client_id", AZ_CLI.into()),
        ("username", upn.into()),
        ("password", password.into()),
        (
            "scope",
            format!("{AKS_SERVER}/.default openid profile offline_access"),
        ),
    ]
}

fn refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn a_user_signs_in_with_a_password_and_carries_its_groups() {
    let app = TestApp::new().await;
    let upn = format!("dev@{}", app.boot.tenant_domain);
    let oid = user(&app, &upn).await;
    let inner = group_with(&app, "inner", &oid).await;
    let outer = group_with(&app, "outer", &inner).await;

    let t = sign_in(&app, &refs(&password(&upn, "Secret-123")))
        .await
        .unwrap();
    let c = claims(&t.access_token);
    assert_eq!(
        (c["upn"].as_str(), c["oid"].as_str(), c["aud"].as_str()),
        (Some(upn.as_str()), Some(oid.as_str()), Some(AKS_SERVER))
    );
    let mut groups: Vec<&str> = c["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    groups.sort();
    let mut want = vec![inner.as_str(), outer.as_str()];
    want.sort();
    assert_eq!(groups, want, "transitive membership");
    assert_eq!(
        claims(t.id_token.as_deref().unwrap())["preferred_username"],
        upn.as_str()
    );

    // The refresh token gets a token for another resource; it is no access token.
    let rt = t.refresh_token.clone().unwrap();
    let refreshed = sign_in(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", AZ_CLI),
            ("refresh_token", &rt),
            ("scope", "https://management.core.windows.net//.default"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        claims(&refreshed.access_token)["aud"],
        "https://management.core.windows.net/"
    );
    assert!(
        app.cloud
            .entra
            .authenticate(Some(&format!("Bearer {rt}")))
            .is_err()
    );
    let other_client = sign_in(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "1950a258-227b-4e31-a9cf-717495945fc2"),
            ("refresh_token", &rt),
            ("scope", "https://management.core.windows.net//.default"),
        ],
    )
    .await;
    assert_eq!(other_client.err(), Some(9002313));

    // Entra's refusals.
    assert_eq!(
        sign_in(&app, &refs(&password(&upn, "wrong"))).await.err(),
        Some(50126)
    );
    let nobody = format!("nobody@{}", app.boot.tenant_domain);
    assert_eq!(
        sign_in(&app, &refs(&password(&nobody, "x"))).await.err(),
        Some(50034)
    );
    let (status, _) = graph(
        &app,
        Method::Patch,
        &format!("/v1.0/users/{oid}"),
        json!({"accountEnabled": false}),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        sign_in(&app, &refs(&password(&upn, "Secret-123")))
            .await
            .err(),
        Some(50057)
    );
}

#[tokio::test]
async fn past_200_groups_the_token_carries_the_overage_claim() {
    let app = TestApp::new().await;
    let upn = format!("many@{}", app.boot.tenant_domain);
    let oid = user(&app, &upn).await;
    for i in 0..201 {
        group_with(&app, &format!("g{i}"), &oid).await;
    }
    let t = sign_in(&app, &refs(&password(&upn, "Secret-123")))
        .await
        .unwrap();
    let c = claims(&t.access_token);
    assert!(c.get("groups").is_none());
    assert_eq!(c["_claim_names"]["groups"], "src1");
    assert!(
        c["_claim_sources"]["src1"]["endpoint"]
            .as_str()
            .unwrap()
            .contains(&oid)
    );
    let (_, member_of) = graph(
        &app,
        Method::Post,
        &format!("/v1.0/users/{oid}/getMemberGroups"),
        json!({"securityEnabledOnly": false}),
    )
    .await;
    assert_eq!(member_of["value"].as_array().unwrap().len(), 201);
}

#[tokio::test]
async fn user_names_must_be_in_a_verified_domain_and_unique() {
    let app = TestApp::new().await;
    let body = |upn: &str| {
        json!({"accountEnabled": true, "displayName": "x", "mailNickname": "x",
        "userPrincipalName": upn, "passwordProfile": {"password": "Secret-123"}})
    };
    let (status, err) = graph(&app, Method::Post, "/v1.0/users", body("x@contoso.com")).await;
    assert_eq!(status, 400);
    assert!(
        err["error"].as_str().unwrap().contains("verified domain"),
        "{err}"
    );
    let upn = format!("x@{}", app.boot.tenant_domain);
    user(&app, &upn).await;
    let (status, err) = graph(&app, Method::Post, "/v1.0/users", body(&upn.to_uppercase())).await;
    // Graph answers a duplicate key with 400 Request_MultipleObjectsWithSameKeyValue.
    assert_eq!(status, 400, "{err}");
    assert!(
        err["error"].as_str().unwrap().contains("userPrincipalName"),
        "{err}"
    );
    let (status, shown) = graph(
        &app,
        Method::Get,
        &format!("/v1.0/users/{upn}"),
        Value::Null,
    )
    .await;
    assert_eq!(
        (status, shown["userPrincipalName"].as_str()),
        (200, Some(upn.as_str()))
    );
    assert!(shown.get("passwordHash").is_none() && !shown.to_string().contains("sha256"));
}
