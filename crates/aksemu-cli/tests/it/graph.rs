//! The Graph subset: audience, Graph-shaped errors, directory-write permission,
//! password credentials, filters and getByIds.

use aksemu_testkit::{Server, TestStore};
use serde_json::{Value, json};

use crate::principals::{arm_token, create_sp, graph_token};
use crate::{bin, install_crypto};

async fn g(
    s: &Server,
    token: &str,
    m: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = s.client.request(m, s.url(path)).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.unwrap();
    (
        resp.status().as_u16(),
        resp.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn graph_subset() {
    install_crypto();
    let s = Server::start(bin(), &TestStore::Sqlite).await.unwrap();
    let admin = graph_token(&s).await;
    use reqwest::Method as M;

    // An ARM token is not a Graph token.
    let arm = s.admin_token().await.unwrap();
    let (st, b) = g(&s, &arm, M::GET, "/v1.0/applications", None).await;
    assert_eq!(
        (st, b["error"]["code"].as_str()),
        (401, Some("InvalidAuthenticationToken"))
    );
    assert!(b["error"]["message"].is_string());

    let (st, app) = g(
        &s,
        &admin,
        M::POST,
        "/v1.0/applications",
        Some(json!({"displayName": "graph-app"})),
    )
    .await;
    assert_eq!(st, 201);
    let id = app["id"].as_str().unwrap().to_string();
    let (st, pw) = g(&s, &admin, M::POST, &format!("/v1.0/applications/{id}/addPassword"),
        Some(json!({"passwordCredential": {"displayName": "x", "endDateTime": "2030-01-01T00:00:00Z"}}))).await;
    assert_eq!(st, 200);
    assert!(pw["secretText"].as_str().unwrap().len() >= 32);
    assert_eq!(pw["endDateTime"], "2030-01-01T00:00:00Z");
    let (_, got) = g(
        &s,
        &admin,
        M::GET,
        &format!("/v1.0/applications/{id}"),
        None,
    )
    .await;
    assert_eq!(got["passwordCredentials"][0]["keyId"], pw["keyId"]);
    assert!(
        got["passwordCredentials"][0]["secretText"].is_null(),
        "the secret is shown once"
    );
    let (_, list) = g(
        &s,
        &admin,
        M::GET,
        "/v1.0/applications?$filter=startswith(displayName,'graph')",
        None,
    )
    .await;
    assert_eq!(list["value"].as_array().unwrap().len(), 1);
    let (st, b) = g(
        &s,
        &admin,
        M::GET,
        "/v1.0/applications?$filter=displayName%20ne%20'x'",
        None,
    )
    .await;
    assert_eq!(
        (st, b["error"]["code"].as_str()),
        (400, Some("Request_UnsupportedQuery"))
    );
    let (st, _) = g(
        &s,
        &admin,
        M::PATCH,
        &format!("/v1.0/applications/{id}"),
        Some(json!({"displayName": "renamed"})),
    )
    .await;
    assert_eq!(st, 204);
    let (st, sp) = g(
        &s,
        &admin,
        M::POST,
        "/v1.0/servicePrincipals",
        Some(json!({"appId": app["appId"]})),
    )
    .await;
    assert_eq!(st, 201);
    assert_eq!(sp["displayName"], "renamed");
    let (st, _) = g(
        &s,
        &admin,
        M::POST,
        "/v1.0/servicePrincipals",
        Some(json!({"appId": app["appId"]})),
    )
    .await;
    assert_eq!(st, 400, "one service principal per application");
    let q = format!(
        "/v1.0/servicePrincipals?$filter=servicePrincipalNames/any(c:c%20eq%20'{}')",
        app["appId"].as_str().unwrap()
    );
    let (_, found) = g(&s, &admin, M::GET, &q, None).await;
    assert_eq!(found["value"][0]["id"], sp["id"]);
    let (_, objs) = g(&s, &admin, M::POST, "/v1.0/directoryObjects/getByIds",
        Some(json!({"ids": [sp["id"], "00000000-0000-0000-0000-000000000000"], "types": ["servicePrincipal"]}))).await;
    assert_eq!(objs["value"].as_array().unwrap().len(), 1);
    assert_eq!(
        objs["value"][0]["@odata.type"],
        "#microsoft.graph.servicePrincipal"
    );
    let (st, _) = g(
        &s,
        &admin,
        M::POST,
        &format!("/v1.0/applications/{id}/removePassword"),
        Some(json!({"keyId": pw["keyId"]})),
    )
    .await;
    assert_eq!(st, 204);

    // Reading is open to the tenant; writing needs the directory administrator.
    let other = create_sp(&s, "reader").await;
    let r: Value = s
        .client
        .post(s.url(&format!("/{}/oauth2/v2.0/token", s.tenant_id)))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", other.app_id.as_str()),
            ("client_secret", other.secret.as_str()),
            ("scope", &format!("{}//.default", s.base)),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ot = r["access_token"].as_str().unwrap();
    assert_eq!(
        g(&s, ot, M::GET, "/v1.0/servicePrincipals", None).await.0,
        200
    );
    let (st, b) = g(
        &s,
        ot,
        M::POST,
        "/v1.0/applications",
        Some(json!({"displayName": "nope"})),
    )
    .await;
    assert_eq!(
        (st, b["error"]["code"].as_str()),
        (403, Some("Authorization_RequestDenied"))
    );
    let _ = arm_token(&s, &other).await;

    // Deleting the application deletes its service principal.
    assert_eq!(
        g(
            &s,
            &admin,
            M::DELETE,
            &format!("/v1.0/applications/{id}"),
            None
        )
        .await
        .0,
        204
    );
    let (st, b) = g(
        &s,
        &admin,
        M::GET,
        &format!("/v1.0/servicePrincipals/{}", sp["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(
        (st, b["error"]["code"].as_str()),
        (404, Some("Request_ResourceNotFound"))
    );
}

/// A Graph token for a service principal that is not the administrator.
async fn member_graph_token(s: &Server, sp: &crate::principals::Sp) -> String {
    let r: Value = s
        .client
        .post(s.url(&format!("/{}/oauth2/v2.0/token", s.tenant_id)))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sp.app_id.as_str()),
            ("client_secret", sp.secret.as_str()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["access_token"].as_str().unwrap().to_string()
}

/// Every Graph endpoint passes the gate: 401 without a token; a member of the
/// tenant reads but may not write (403 Authorization_RequestDenied).
#[tokio::test]
async fn every_graph_endpoint_needs_a_token_and_writes_need_the_administrator() {
    install_crypto();
    let s = Server::start(bin(), &TestStore::Sqlite).await.unwrap();
    let member = create_sp(&s, "graph-member").await;
    let token = member_graph_token(&s, &member).await;
    for (m, path, writes) in aksemu_entra::graph::samples() {
        let method = reqwest::Method::from_bytes(m.as_str().as_bytes()).unwrap();
        let resp = s
            .client
            .request(method.clone(), s.url(path))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 401, "anonymous {method} {path}");
        let body = json!({"ids": [], "groupIds": []});
        let (st, body) = g(&s, &token, method.clone(), path, Some(body)).await;
        if writes {
            assert_eq!(st, 403, "member {method} {path}: {body}");
            assert_eq!(body["error"]["code"], "Authorization_RequestDenied");
        } else {
            assert!(
                st == 200 || st == 404,
                "member {method} {path}: {st} {body}"
            );
        }
    }
    // An unknown user is Graph's 404.
    let (st, body) = g(&s, &token, reqwest::Method::GET, "/v1.0/users/nobody", None).await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (404, Some("Request_ResourceNotFound"))
    );
}
