//! Every forged or invalid token gets 401 with the ARM error body and a
//! `WWW-Authenticate` challenge; only a genuine token gets through.

use aksemu_identity::SigningKey;
use aksemu_identity::keys::KeyPem;
use aksemu_testkit::{Server, TestStore};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::{bin, install_crypto};

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

fn sign_with(key: &SigningKey, header: &Value, claims: &Value) -> String {
    let signing_input = format!("{}.{}", b64(header), b64(claims));
    let sig = key.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn server_key(s: &Server) -> SigningKey {
    let read = |f: &str| std::fs::read_to_string(s.data_dir().join(f)).unwrap();
    SigningKey::from_pem(&KeyPem {
        key_pem: read("signing-key.pem"),
        cert_pem: read("signing-cert.pem"),
    })
    .unwrap()
}

/// A valid claim set for the administrator, to be tampered with.
fn claim_set(s: &Server, now: i64) -> Value {
    json!({
        "aud": "https://management.core.windows.net/",
        "iss": format!("https://sts.windows.net/{}/", s.tenant_id),
        "iat": now, "nbf": now, "exp": now + 3600,
        "aio": "x", "appid": s.client_id, "appidacr": "1",
        "idp": format!("https://sts.windows.net/{}/", s.tenant_id), "idtyp": "app",
        "oid": "00000000-0000-0000-0000-000000000001", "rh": "x",
        "sub": "00000000-0000-0000-0000-000000000001", "tid": s.tenant_id,
        "uti": "x", "ver": "1.0"
    })
}

async fn status_of(s: &Server, token: Option<&str>) -> (u16, Value, bool) {
    let mut req = s.client.get(s.url("/subscriptions?api-version=2022-12-01"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let challenge = resp.headers().contains_key("www-authenticate");
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    (status, body, challenge)
}

#[tokio::test]
async fn forged_tokens_are_rejected() {
    install_crypto();
    let s = Server::start(bin(), &TestStore::Sqlite).await.unwrap();
    let other = Server::start(bin(), &TestStore::Sqlite).await.unwrap();
    let key = server_key(&s);
    let kid = key.kid().to_string();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let header = json!({"typ": "JWT", "alg": "RS256", "kid": kid, "x5t": kid});
    let good = sign_with(&key, &header, &claim_set(&s, now));

    // The genuine article passes, which makes every 401 below meaningful.
    let (st, body, _) = status_of(&s, Some(&good)).await;
    assert_eq!(st, 200, "{body}");
    let issued = s.admin_token().await.unwrap();
    assert_eq!(status_of(&s, Some(&issued)).await.0, 200);

    let mut cases: Vec<(&str, Option<String>)> = vec![("no token", None)];
    cases.push((
        "alg none",
        Some(format!(
            "{}.{}.",
            b64(&json!({"typ":"JWT","alg":"none","kid":kid})),
            b64(&claim_set(&s, now))
        )),
    ));
    let public_pem = std::fs::read(s.data_dir().join("signing-cert.pem")).unwrap();
    let hs = jsonwebtoken::encode(
        &jsonwebtoken::Header {
            kid: Some(kid.clone()),
            ..jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256)
        },
        &claim_set(&s, now),
        &jsonwebtoken::EncodingKey::from_secret(&public_pem).unwrap(),
    )
    .unwrap();
    cases.push(("HS256 with the public key", Some(hs)));
    cases.push((
        "unknown kid",
        Some(sign_with(
            &key,
            &json!({"typ":"JWT","alg":"RS256","kid":"nope"}),
            &claim_set(&s, now),
        )),
    ));
    let mut expired = claim_set(&s, now - 7200);
    expired["exp"] = json!(now - 3600);
    cases.push(("expired", Some(sign_with(&key, &header, &expired))));
    let mut future = claim_set(&s, now);
    future["nbf"] = json!(now + 3600);
    future["exp"] = json!(now + 7200);
    cases.push(("nbf in the future", Some(sign_with(&key, &header, &future))));
    let mut aud = claim_set(&s, now);
    aud["aud"] = json!("https://vault.azure.net");
    cases.push(("wrong aud", Some(sign_with(&key, &header, &aud))));
    let mut iss = claim_set(&s, now);
    iss["iss"] = json!("https://sts.windows.net/11111111-1111-1111-1111-111111111111/");
    cases.push(("wrong iss", Some(sign_with(&key, &header, &iss))));
    let mut parts: Vec<String> = good.split('.').map(str::to_string).collect();
    let mut altered = claim_set(&s, now);
    altered["oid"] = json!("00000000-0000-0000-0000-000000000002");
    parts[1] = b64(&altered);
    cases.push(("payload altered after signing", Some(parts.join("."))));
    let (stranger, _) = SigningKey::generate("stranger").unwrap();
    cases.push((
        "signed by a different RSA key",
        Some(sign_with(&stranger, &header, &claim_set(&s, now))),
    ));
    cases.push((
        "token from another aksemu data dir",
        Some(other.admin_token().await.unwrap()),
    ));
    cases.push(("garbage", Some("not.a.jwt".to_string())));
    let mut tid = claim_set(&s, now);
    tid["tid"] = json!("11111111-1111-1111-1111-111111111111");
    cases.push((
        "our issuer, another tenant's tid",
        Some(sign_with(&key, &header, &tid)),
    ));

    for (name, token) in cases {
        let (st, body, challenge) = status_of(&s, token.as_deref()).await;
        assert_eq!(st, 401, "{name}: {body}");
        assert!(
            body["error"]["code"].is_string(),
            "{name}: ARM error body, got {body}"
        );
        assert!(challenge, "{name}: WWW-Authenticate");
    }
    let (_, body, _) = status_of(&s, None).await;
    assert_eq!(body["error"]["code"], "AuthenticationFailed");
}

/// Graph accepts tokens for its own audiences only: an ARM token sent with a
/// `Host` naming ARM's public endpoint is still an ARM token.
#[tokio::test]
async fn an_arm_token_is_not_a_graph_token_whatever_the_host_header_says() {
    install_crypto();
    let s = Server::start(bin(), &TestStore::Sqlite).await.unwrap();
    let arm = s.admin_token().await.unwrap();
    for host in ["management.core.windows.net", "management.azure.com"] {
        let st = s
            .client
            .get(s.url("/v1.0/applications"))
            .header("Host", host)
            .bearer_auth(&arm)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert_eq!(st, 401, "Host: {host}");
        let st = s
            .client
            .post(s.url("/v1.0/applications"))
            .header("Host", host)
            .bearer_auth(&arm)
            .json(&json!({"displayName": "escalated"}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert_eq!(st, 401, "Host: {host}");
    }
    s.stop().await.unwrap();
}
