//! The managed-identity endpoints: protocol rules, identity selection on a host,
//! token contents, caching, and what happens when an identity goes away.

use aksemu_testkit::{Server, TestStore, claims};
use serde_json::{Value, json};

use crate::{bin, install_crypto};

async fn arm(
    s: &Server,
    token: &str,
    m: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let mut r = s.client.request(m, s.url(path)).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap().json().await.unwrap_or(Value::Null)
}

#[tokio::test]
async fn imds_and_app_service_protocols() {
    install_crypto();
    let s = Server::start(bin(), &TestStore::Sqlite).await.unwrap();
    let admin = s.admin_token().await.unwrap();
    let sub = s.subscription_id.clone();
    let rg = format!("/subscriptions/{sub}/resourceGroups/mi");
    arm(
        &s,
        &admin,
        reqwest::Method::PUT,
        &format!("{rg}?api-version=2024-11-01"),
        Some(json!({"location": "westus2"})),
    )
    .await;
    let mut ids = Vec::new();
    for n in ["one", "two", "elsewhere"] {
        let v = arm(
            &s,
            &admin,
            reqwest::Method::PUT,
            &format!("{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{n}?api-version=2025-05-31-preview"),
            Some(json!({"location": "westus2"})),
        )
        .await;
        ids.push(v);
    }
    let host: Value = s
        .client
        .post(s.url("/aksemu/admin/hosts"))
        .bearer_auth(&admin)
        .json(&json!({"identities": [ids[0]["id"], ids[1]["properties"]["clientId"]]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(s.data_dir().join("server.json")).unwrap())
            .unwrap();
    let imds = format!(
        "{}/hosts/{}",
        info["imdsUrl"].as_str().unwrap(),
        host["token"].as_str().unwrap()
    );
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let get = |url: String, headers: Vec<(&'static str, String)>| {
        let http = http.clone();
        async move {
            let mut r = http.get(url);
            for (k, v) in headers {
                r = r.header(k, v);
            }
            let resp = r.send().await.unwrap();
            (
                resp.status().as_u16(),
                resp.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let tok = |q: &str| {
        format!(
            "{imds}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F{q}"
        )
    };
    let md = || vec![("Metadata", "true".to_string())];

    let (st, b) = get(tok(""), vec![]).await;
    assert_eq!(
        (st, b["error"].as_str()),
        (400, Some("bad_request_102")),
        "Metadata header required"
    );
    let (st, b) = get(tok(""), md()).await;
    assert_eq!(
        (
            st,
            b["error_description"]
                .as_str()
                .map(|d| d.starts_with("Multiple user assigned identities"))
        ),
        (400, Some(true))
    );
    let (st, _) = get(
        tok(""),
        vec![
            ("Metadata", "true".into()),
            ("X-Forwarded-For", "10.0.0.1".into()),
        ],
    )
    .await;
    assert_eq!(st, 400);
    let (st, _) = get(format!("{}&resource=x", tok("")), md()).await;
    assert_eq!(st, 400, "duplicate query parameters are rejected");
    let (st, b) = get(format!("{imds}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.example%2F&client_id={}", ids[0]["properties"]["clientId"].as_str().unwrap()), md()).await;
    assert_eq!((st, b["error"].as_str()), (400, Some("invalid_resource")));
    let elsewhere = ids[2]["properties"]["clientId"].as_str().unwrap();
    let (st, b) = get(tok(&format!("&client_id={elsewhere}")), md()).await;
    assert_eq!(
        (st, b["error_description"].as_str()),
        (400, Some("Identity not found")),
        "an identity not on this host"
    );
    let (st, b) = get(format!("{}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/", info["imdsUrl"].as_str().unwrap()), md()).await;
    assert_eq!(
        (st, b["error_description"].as_str()),
        (400, Some("Identity not found")),
        "no host: a VM without identities"
    );

    // Each selector picks the identity; every value is a string.
    let one_client = ids[0]["properties"]["clientId"].as_str().unwrap();
    let two_principal = ids[1]["properties"]["principalId"].as_str().unwrap();
    let two_id = ids[1]["id"].as_str().unwrap();
    let (st, b) = get(tok(&format!("&client_id={one_client}")), md()).await;
    assert_eq!(st, 200, "{b}");
    for k in [
        "access_token",
        "client_id",
        "expires_in",
        "expires_on",
        "ext_expires_in",
        "not_before",
        "resource",
        "token_type",
    ] {
        assert!(b[k].is_string(), "{k} is a string: {b}");
    }
    let c = claims(b["access_token"].as_str().unwrap());
    assert_eq!(c["xms_mirid"], ids[0]["id"]);
    assert_eq!(c["xms_az_rid"], host["resourceId"]);
    assert_eq!(c["appid"], one_client);
    assert_eq!(c["aud"], "https://management.azure.com/");
    let (_, again) = get(tok(&format!("&client_id={one_client}")), md()).await;
    assert_eq!(
        again["access_token"], b["access_token"],
        "cached per identity and resource"
    );
    let (_, b) = get(tok(&format!("&object_id={two_principal}")), md()).await;
    assert_eq!(
        claims(b["access_token"].as_str().unwrap())["oid"],
        two_principal
    );
    let (_, b) = get(tok(&format!("&msi_res_id={}", two_id.to_lowercase())), md()).await;
    assert_eq!(
        claims(b["access_token"].as_str().unwrap())["xms_mirid"],
        two_id
    );

    // The token works at ARM as the identity (which has no role yet).
    let r = s
        .client
        .get(s.url(&format!("{rg}?api-version=2024-11-01")))
        .bearer_auth(b["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);

    // App Service protocol: the host's header, mi_res_id.
    let app = format!(
        "{imds}/msi/token?api-version=2019-08-01&resource=https://management.azure.com/&mi_res_id={two_id}"
    );
    let (st, _) = get(app.clone(), vec![]).await;
    assert_eq!(st, 401);
    let (st, b) = get(
        app.clone(),
        vec![(
            "X-IDENTITY-HEADER",
            host["secret"].as_str().unwrap().to_string(),
        )],
    )
    .await;
    assert_eq!(st, 200, "{b}");
    assert!(b["expires_on"].as_str().unwrap().parse::<i64>().is_ok());

    // A deleted identity is no longer on the host.
    arm(
        &s,
        &admin,
        reqwest::Method::DELETE,
        &format!("{two_id}?api-version=2025-05-31-preview"),
        None,
    )
    .await;
    let (st, b) = get(tok(&format!("&object_id={two_principal}")), md()).await;
    assert_eq!(
        (st, b["error_description"].as_str()),
        (400, Some("Identity not found"))
    );
    let (st, _) = get(tok(""), md()).await;
    assert_eq!(st, 200, "one identity left: no selector needed");
}
