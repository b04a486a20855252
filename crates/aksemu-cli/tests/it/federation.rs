//! Forged client assertions at the token endpoint: whatever is changed in a
//! cluster's service-account token — its algorithm, key, claims or signature
//! — the federated exchange refuses it with Entra's code, and the real token
//! is accepted.

use aksemu_identity::SigningKey;
use aksemu_testkit::TestStore;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use serde_json::{Value, json};

use crate::aks::{az_create_body, create_cluster, with_group};
use crate::install_crypto;
use crate::kube::Kube;

const AUDIENCE: &str = "api://AzureADTokenExchange";

fn parts(token: &str) -> (Value, Value, String) {
    let p: Vec<&str> = token.split('.').collect();
    let de = |s: &str| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap();
    (de(p[0]), de(p[1]), p[2].to_string())
}

fn join(header: &Value, claims: &Value, sig: &str) -> String {
    let en = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.{sig}", en(header), en(claims))
}

fn hs256(header: &Value, claims: &Value, secret: &[u8]) -> String {
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    h.kid = header["kid"].as_str().map(str::to_string);
    let key = jsonwebtoken::EncodingKey::from_secret(secret).unwrap();
    jsonwebtoken::encode(&h, claims, &key).unwrap()
}

/// A new user-assigned identity in group `rg`: its id and document.
async fn identity(s: &aksemu_testkit::Server, t: &str, rg: &str, name: &str) -> (String, Value) {
    let ident = format!("{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}");
    let body = Some(json!({"location": "westus2"}));
    let (st, doc) = s
        .call(Some(t), Method::PUT, &ident, "2023-01-31", body)
        .await;
    assert_eq!(st, 201, "{doc}");
    (ident, doc)
}

#[tokio::test]
async fn forged_assertions_are_refused() {
    install_crypto();
    let (s, t, rg) = with_group(&TestStore::Sqlite, &[]).await;
    let path = format!("{rg}/providers/Microsoft.ContainerService/managedClusters/k1");
    let mut body = az_create_body("k1");
    body["properties"]["agentPoolProfiles"][0]["count"] = json!(1);
    body["properties"]["oidcIssuerProfile"] = json!({"enabled": true});
    create_cluster(&s, &t, &path, body).await;
    let (_, c) = s
        .call(Some(&t), Method::GET, &path, "2024-05-01", None)
        .await;
    let issuer = c["properties"]["oidcIssuerProfile"]["issuerURL"]
        .as_str()
        .unwrap()
        .to_string();

    let (ident, id) = identity(&s, &t, &rg, "wi").await;
    let client_id = id["properties"]["clientId"].as_str().unwrap().to_string();
    let fic = json!({"properties": {"issuer": issuer, "subject": "system:serviceaccount:default:default", "audiences": [AUDIENCE]}});
    let (st, body) = s
        .call(
            Some(&t),
            Method::PUT,
            &format!("{ident}/federatedIdentityCredentials/fic1"),
            "2023-01-31",
            Some(fic),
        )
        .await;
    assert_eq!(st, 201, "{body}");

    let k = Kube::of(&s, &t, &path).await;
    let req = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"audiences": [AUDIENCE]}});
    let (st, tr) = k
        .json(
            Method::POST,
            "/api/v1/namespaces/default/serviceaccounts/default/token",
            req,
        )
        .await;
    assert_eq!(st, 201, "{tr}");
    let real = tr["status"]["token"].as_str().unwrap().to_string();

    let exchange = |assertion: String| {
        let s = &s;
        let client_id = client_id.clone();
        async move {
            let r = s
                .client
                .post(s.url(&format!("/{}/oauth2/v2.0/token", s.tenant_id)))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", &client_id),
                    ("scope", "https://management.azure.com/.default"),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", &assertion),
                ])
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap();
            (status, body["error_codes"][0].as_u64())
        }
    };
    assert_eq!(exchange(real.clone()).await, (200, None));

    let (header, claims, sig) = parts(&real);
    let mut none = header.clone();
    none["alg"] = json!("none");
    let mut other_sub = claims.clone();
    other_sub["exp"] = json!(claims["exp"].as_i64().unwrap() + 3600);
    let mut unknown_kid = header.clone();
    unknown_kid["kid"] = json!("not-a-key");
    let (stranger, _) = SigningKey::generate("stranger").unwrap();
    let mut strangers_header = header.clone();
    strangers_header["kid"] = json!(stranger.kid());
    let strangers = aksemu_identity::mint(&stranger, &claims);
    let mut same_kid = parts(&strangers).0;
    same_kid["kid"] = header["kid"].clone();
    let (_, _, strangers_sig) = parts(&strangers);
    let (region, rest) = issuer
        .trim_start_matches("https://")
        .split_once(".oic.prod-aks.azure.com/")
        .unwrap();
    let jwks_path = format!("/aksemu/oidc/{region}/{rest}openid/v1/jwks");
    let public = s
        .client
        .get(s.url(&jwks_path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(public.contains(header["kid"].as_str().unwrap()), "{public}");
    let cases: Vec<(&str, String, u64)> = vec![
        (
            "alg none (not a JWT Entra accepts)",
            join(&none, &claims, ""),
            50027,
        ),
        (
            "HS256 keyed with the published JWKS",
            hs256(&header, &claims, public.as_bytes()),
            700027,
        ),
        ("unknown kid", join(&unknown_kid, &claims, &sig), 7000272),
        ("a key not in the issuer's JWKS", strangers, 7000272),
        (
            "that key under the issuer's kid",
            join(&same_kid, &claims, &strangers_sig),
            700027,
        ),
        (
            "altered claims, old signature",
            join(&header, &other_sub, &sig),
            700027,
        ),
        ("garbage", "a.b.c".into(), 50027),
    ];
    for (what, assertion, want) in cases {
        let (status, code) = exchange(assertion).await;
        assert_eq!((status >= 400, code), (true, Some(want)), "{what}");
    }
    // The issuer cannot be turned off again.
    let (_, mut again) = s
        .call(Some(&t), Method::GET, &path, "2024-05-01", None)
        .await;
    again["properties"]["oidcIssuerProfile"] = json!({"enabled": false});
    let (st, refused) = s
        .call(Some(&t), Method::PUT, &path, "2024-05-01", Some(again))
        .await;
    assert_eq!(st, 400, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cannot be disabled"),
        "{refused}"
    );
    // The real token still works; a moved clock expires it (700024).
    assert_eq!(exchange(real.clone()).await, (200, None));
    crate::aks::advance(&s, &t, 7200).await;
    assert_eq!(exchange(real).await.1, Some(700024));
}

#[tokio::test]
async fn workload_identity_needs_the_oidc_issuer() {
    install_crypto();
    let (s, t, rg) = with_group(&TestStore::Sqlite, &[]).await;
    let path = format!("{rg}/providers/Microsoft.ContainerService/managedClusters/wi");
    let mut body = az_create_body("wi");
    body["properties"]["securityProfile"] = json!({"workloadIdentity": {"enabled": true}});
    let (st, answer) = s
        .call(Some(&t), Method::PUT, &path, "2024-05-01", Some(body))
        .await;
    assert_eq!(
        (st, answer["error"]["code"].as_str()),
        (400, Some("InvalidParameter")),
        "{answer}"
    );
    let (st, _) = s
        .call(Some(&t), Method::GET, &path, "2024-05-01", None)
        .await;
    assert_eq!(st, 404, "nothing was created");
}

#[tokio::test]
async fn credentials_are_limited_to_twenty_even_when_written_at_once() {
    install_crypto();
    let (s, t, rg) = with_group(&TestStore::Sqlite, &[]).await;
    let (ident, _) = identity(&s, &t, &rg, "many").await;
    let puts = (0..30).map(|i| {
        let (s, t, ident) = (&s, &t, &ident);
        async move {
            let body = json!({"properties": {"issuer": "https://issuer.example/", "subject": format!("s{i}"), "audiences": [AUDIENCE]}});
            let path = format!("{ident}/federatedIdentityCredentials/fic{i:02}");
            s.call(Some(t), Method::PUT, &path, "2023-01-31", Some(body)).await
        }
    });
    let answers = aksemu_testkit::join_all(puts.collect()).await;
    for (st, body) in &answers {
        let code = body["error"]["code"].as_str().unwrap_or_default();
        assert!(
            *st == 201
                || (*st == 409
                    && code
                        == "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity")
                || (*st == 400 && code == "InvalidParameter"),
            "{st} {body}"
        );
    }
    let (_, list) = s
        .call(
            Some(&t),
            Method::GET,
            &format!("{ident}/federatedIdentityCredentials"),
            "2023-01-31",
            None,
        )
        .await;
    let made = answers.iter().filter(|(st, _)| *st == 201).count();
    assert_eq!(list["value"].as_array().unwrap().len(), made);
    assert!(made <= 20, "{made}");
}
