//! The identity plane through the in-process app: the token service and
//! verification, Graph's gate, and the managed-identity endpoint.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use aksemu_core::request::Method;
use aksemu_entra::imds::{ImdsError, ImdsRequest, Protocol};
use aksemu_identity::grant::EndpointVersion;
use aksemu_testkit::{TestApp, claims, request};
use serde_json::{Value, json};

const ARM: &str = "https://management.azure.com/";

fn form(secret: &str, app: &TestApp) -> HashMap<String, String> {
    HashMap::from([
        ("grant_type".into(), "client_credentials".into()),
        ("client_id".into(), app.boot.admin_app_id.clone()),
        ("client_secret".into(), secret.into()),
        ("scope".into(), format!("{ARM}.default")),
    ])
}

#[tokio::test]
async fn client_credentials_tokens_verify_and_wrong_secrets_do_not_get_one() {
    let app = TestApp::new().await;
    let entra = &app.cloud.entra;
    let tenant = app.boot.tenant_id.clone();
    let t = entra
        .issue_token(
            &tenant,
            &form(&app.admin_secret, &app),
            None,
            EndpointVersion::V2,
            "https://localhost:1",
        )
        .await
        .unwrap();
    let c = claims(&t.access_token);
    assert_eq!(c["oid"], app.boot.admin_object_id.as_str());
    assert_eq!(c["tid"], tenant.as_str());
    let who = entra
        .authenticate(Some(&format!("Bearer {}", t.access_token)))
        .unwrap();
    assert_eq!(who.object_id, app.boot.admin_object_id);
    // The tenant may be named by its domain.
    let by_domain = entra
        .issue_token(
            &app.boot.tenant_domain,
            &form(&app.admin_secret, &app),
            None,
            EndpointVersion::V2,
            "https://localhost:1",
        )
        .await;
    assert!(by_domain.is_ok());
    let wrong = entra
        .issue_token(
            &tenant,
            &form("not-the-secret", &app),
            None,
            EndpointVersion::V2,
            "https://localhost:1",
        )
        .await;
    assert_eq!(wrong.unwrap_err().status(), 401);
    // A token whose signature was changed is refused.
    let mut forged = t.access_token.clone();
    forged.pop();
    forged.push(if t.access_token.ends_with('A') {
        'B'
    } else {
        'A'
    });
    assert!(
        entra
            .authenticate(Some(&format!("Bearer {forged}")))
            .is_err()
    );
}

/// A Graph token for `who`.
fn graph_token(app: &TestApp, who: &aksemu_core::Principal) -> String {
    app.token_for(who, "https://graph.microsoft.com/")
}

#[tokio::test]
async fn graph_reads_are_for_members_and_writes_for_the_administrator() {
    let app = TestApp::new().await;
    let entra = &app.cloud.entra;
    let member = app.principal("member").await;
    let bearer = |t: String| format!("Bearer {t}");
    let create = request(
        Method::Post,
        "/v1.0/applications",
        json!({"displayName": "made-in-test"}),
    );
    let refused =
        aksemu_entra::graph::handle(entra, Some(&bearer(graph_token(&app, &member))), &create)
            .await;
    assert_eq!(refused.unwrap_err().status(), 403);
    let made =
        aksemu_entra::graph::handle(entra, Some(&bearer(graph_token(&app, &app.admin))), &create)
            .await
            .unwrap();
    assert_eq!(made.status, 201);
    let list = request(Method::Get, "/v1.0/applications", Value::Null);
    let listed =
        aksemu_entra::graph::handle(entra, Some(&bearer(graph_token(&app, &member))), &list)
            .await
            .unwrap();
    let names: Vec<String> = listed.body.unwrap()["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["displayName"].as_str().map(str::to_string))
        .collect();
    assert!(names.contains(&"made-in-test".to_string()), "{names:?}");
    let anonymous = aksemu_entra::graph::handle(entra, None, &list).await;
    assert_eq!(anonymous.unwrap_err().status(), 401);
}

#[tokio::test]
async fn a_host_answers_for_its_identity_only() {
    let app = TestApp::new().await;
    let group = app.group("mi").await;
    let id = format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/web");
    let (st, uami) = app
        .call(
            &app.admin,
            Method::Put,
            &format!("{id}?api-version=2023-01-31"),
            json!({"location": "westus2"}),
        )
        .await;
    assert_eq!(st, 201, "{uami}");
    let host = app
        .cloud
        .entra
        .ensure_host(
            std::slice::from_ref(&id),
            &aksemu_core::ResourceId::parse(&group).unwrap(),
        )
        .await
        .unwrap();
    let ask = |query: Vec<(&str, &str)>, metadata: Option<&'static str>| ImdsRequest {
        protocol: Protocol::Imds,
        host_token: Some(&host.token),
        query: query
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        metadata_header: metadata,
        identity_header: None,
        forwarded_for: false,
        base_url: "https://localhost:1",
    };
    let q = vec![("api-version", "2018-02-01"), ("resource", ARM)];
    let body = app
        .cloud
        .entra
        .managed_identity_token(&ask(q.clone(), Some("true")))
        .await
        .unwrap();
    let v: Value = serde_json::from_str(&body).unwrap();
    let c = claims(v["access_token"].as_str().unwrap());
    assert_eq!(c["oid"], uami["properties"]["principalId"]);
    assert_eq!(c["xms_mirid"], id.as_str());
    // A second answer comes from the cache, with the same token.
    let again: Value = serde_json::from_str(
        &app.cloud
            .entra
            .managed_identity_token(&ask(q.clone(), Some("true")))
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(again["access_token"], v["access_token"]);
    let no_header = app.cloud.entra.managed_identity_token(&ask(q, None)).await;
    assert_eq!(no_header.unwrap_err(), ImdsError::MissingMetadataHeader);
    let other = vec![
        ("api-version", "2018-02-01"),
        ("resource", ARM),
        ("client_id", "00000000-0000-0000-0000-000000000000"),
    ];
    let unknown = app
        .cloud
        .entra
        .managed_identity_token(&ask(other, Some("true")))
        .await;
    assert_eq!(unknown.unwrap_err(), ImdsError::IdentityNotFound);
}
