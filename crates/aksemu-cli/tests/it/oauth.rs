//! The token service: discovery, JWKS, client credentials (form and Basic, v1 and
//! v2) and Entra's AADSTS errors.

use aksemu_testkit::{Server, TestStore};
use base64::Engine as _;
use serde_json::Value;

use crate::{bin, install_crypto};

async fn token_req(s: &Server, tenant: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let r = s
        .client
        .post(s.url(&format!("/{tenant}/oauth2/v2.0/token")))
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn client_credentials_and_errors() {
    install_crypto();
    for store in TestStore::all() {
        let s = Server::start(bin(), &store).await.unwrap();
        let (t, id, secret) = (
            s.tenant_id.clone(),
            s.client_id.clone(),
            s.client_secret.clone(),
        );
        let arm = "https://management.core.windows.net//.default";
        let ok = [
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("scope", arm),
        ];
        let (st, body) = token_req(&s, &t, &ok).await;
        assert_eq!(st, 200, "{body}");
        assert_eq!(body["token_type"], "Bearer");
        assert!(body["expires_in"].as_i64().unwrap() > 3000);

        let code = |b: &Value| b["error_codes"][0].as_i64().unwrap_or_default();
        let wrong = [
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", "nope"),
            ("scope", arm),
        ];
        let (st, b) = token_req(&s, &t, &wrong).await;
        assert_eq!(
            (st, code(&b), b["error"].as_str()),
            (401, 7000215, Some("invalid_client"))
        );
        assert!(
            b["error_description"]
                .as_str()
                .unwrap()
                .starts_with("AADSTS7000215:")
        );

        let unknown = "11111111-2222-3333-4444-555555555555";
        let unknown_app = [
            ("grant_type", "client_credentials"),
            ("client_id", unknown),
            ("client_secret", "x"),
            ("scope", arm),
        ];
        assert_eq!(code(&token_req(&s, &t, &unknown_app).await.1), 700016);
        assert_eq!(code(&token_req(&s, unknown, &ok).await.1), 90002);
        let missing = [
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
        ];
        assert_eq!(code(&token_req(&s, &t, &missing).await.1), 900144);
        let bad_scope = [
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("scope", "https://management.core.windows.net/read"),
        ];
        let (st, b) = token_req(&s, &t, &bad_scope).await;
        assert_eq!((st, code(&b)), (400, 70011));
        let bad_resource = [
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("scope", "https://example.invalid/.default"),
        ];
        assert_eq!(code(&token_req(&s, &t, &bad_resource).await.1), 500011);

        // Domain tenant, HTTP Basic client authentication.
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        let r = s
            .client
            .post(s.url("/aksemu.onmicrosoft.com/oauth2/v2.0/token"))
            .header("authorization", format!("Basic {basic}"))
            .form(&[("grant_type", "client_credentials"), ("scope", arm)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);

        // v1 endpoint with resource=.
        let r: Value = s
            .client
            .post(s.url(&format!("/{t}/oauth2/token")))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("resource", "https://management.azure.com/"),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(r["resource"], "https://management.azure.com/");
        assert!(r["expires_on"].is_string());
    }
}

#[tokio::test]
async fn discovery_and_jwks_verify_issued_tokens() {
    install_crypto();
    let s = Server::start(bin(), &TestStore::Sqlite).await.unwrap();
    for tenant in [s.tenant_id.as_str(), "aksemu.onmicrosoft.com"] {
        let v2: Value = s
            .client
            .get(s.url(&format!("/{tenant}/v2.0/.well-known/openid-configuration")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v2["issuer"], format!("{}/{}/v2.0", s.base, s.tenant_id));
        assert_eq!(
            v2["token_endpoint"],
            format!("{}/{}/oauth2/v2.0/token", s.base, s.tenant_id)
        );
    }
    let v1: Value = s
        .client
        .get(s.url(&format!(
            "/{}/.well-known/openid-configuration",
            s.tenant_id
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let issuer = v1["issuer"].as_str().unwrap().to_string();
    let jwks: Value = s
        .client
        .get(v1["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwks: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks).unwrap();
    let token = s.admin_token().await.unwrap();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
    // Verify independently of aksemu's own verifier: JWKS key, v1 issuer, ARM audience.
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.set_issuer(&[issuer.as_str()]);
    v.set_audience(&["https://management.core.windows.net/"]);
    let data = jsonwebtoken::decode::<Value>(
        &token,
        &jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap(),
        &v,
    )
    .unwrap();
    for claim in [
        "aud", "iss", "iat", "nbf", "exp", "appid", "appidacr", "idp", "idtyp", "oid", "sub",
        "tid", "uti", "ver",
    ] {
        assert!(!data.claims[claim].is_null(), "claim {claim}");
    }
    assert_eq!(data.claims["appid"], s.client_id.as_str());
    assert_eq!(data.claims["tid"], s.tenant_id.as_str());
    assert_eq!(data.claims["ver"], "1.0");

    let unknown: Value = s
        .client
        .get(s.url("/no-such-tenant.example/v2.0/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unknown["error_codes"][0], 90002);
}
