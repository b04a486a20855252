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

/// A change to a claim set.
type ClaimChange<'a> = Box<dyn Fn(&mut Value) + 'a>;

/// Tokens a forger would try, for a surface whose genuine audience is `aud`:
/// header games (algorithms, key ids, key URLs) and claim games (time, issuer,
/// tenant, audience), each signed with the server's own key where that is the
/// point, and a stranger's where it is not.
fn forgeries(s: &Server, key: &SigningKey, aud: &str, other_aud: &str) -> Vec<(String, String)> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let kid = key.kid().to_string();
    let good_header = json!({"typ": "JWT", "alg": "RS256", "kid": kid, "x5t": kid});
    let mut base = claim_set(s, now);
    base["aud"] = json!(aud);
    let mut out = Vec::new();
    let mut header_case = |name: &str, header: Value| {
        out.push((format!("header: {name}"), sign_with(key, &header, &base)));
    };
    for (name, alg) in [
        ("alg RS384", "RS384"),
        ("alg RS512", "RS512"),
        ("alg PS256", "PS256"),
        ("alg ES256", "ES256"),
        ("alg HS256", "HS256"),
        ("alg none", "none"),
        ("alg lower-case", "rs256"),
        ("alg empty", ""),
    ] {
        header_case(name, json!({"typ": "JWT", "alg": alg, "kid": kid}));
    }
    header_case(
        "kid path traversal",
        json!({"alg": "RS256", "kid": "../../signing-key"}),
    );
    header_case("kid empty", json!({"alg": "RS256", "kid": ""}));
    header_case(
        "kid missing, x5t wrong",
        json!({"alg": "RS256", "x5t": "AAAA"}),
    );
    header_case(
        "jku to loopback",
        json!({"alg": "RS256", "kid": "evil", "jku": "https://127.0.0.1:1/keys"}),
    );
    header_case(
        "x5u to loopback",
        json!({"alg": "RS256", "kid": "evil", "x5u": "https://127.0.0.1:1/cert"}),
    );
    header_case(
        "embedded jwk",
        json!({"alg": "RS256", "kid": "evil", "jwk": {"kty": "RSA", "n": "AQAB", "e": "AQAB"}}),
    );
    header_case(
        "crit extension",
        json!({"alg": "RS256", "kid": kid, "crit": ["exp"], "exp": 1}),
    );
    let claim_case = |name: &str, change: &dyn Fn(&mut Value)| {
        let mut c = base.clone();
        change(&mut c);
        (format!("claims: {name}"), sign_with(key, &good_header, &c))
    };
    let tenant_iss = |t: &str| format!("https://sts.windows.net/{t}/");
    let other = "11111111-1111-1111-1111-111111111111";
    let cases: Vec<(&str, ClaimChange<'_>)> = vec![
        (
            "expired an hour ago",
            Box::new(move |c| {
                c["exp"] = json!(now - 3600);
                c["nbf"] = json!(now - 7200);
            }),
        ),
        (
            "not valid for an hour",
            Box::new(move |c| {
                c["nbf"] = json!(now + 3600);
                c["exp"] = json!(now + 7200);
            }),
        ),
        (
            "exp as a string",
            Box::new(move |c| c["exp"] = json!((now + 3600).to_string())),
        ),
        (
            "exp missing",
            Box::new(|c| {
                c.as_object_mut().map(|o| o.remove("exp"));
            }),
        ),
        (
            "nbf missing",
            Box::new(|c| {
                c.as_object_mut().map(|o| o.remove("nbf"));
            }),
        ),
        (
            "the other surface's audience",
            Box::new(move |c| c["aud"] = json!(other_aud)),
        ),
        (
            "audience list",
            Box::new(move |c| c["aud"] = json!([other_aud, "x"])),
        ),
        (
            "audience of another service",
            Box::new(|c| c["aud"] = json!("https://vault.azure.net")),
        ),
        (
            "audience with a trailing space",
            Box::new(move |c| c["aud"] = json!(format!("{other_aud} "))),
        ),
        (
            "issuer of another tenant",
            Box::new(move |c| c["iss"] = json!(tenant_iss(other))),
        ),
        (
            "v2 issuer of another tenant",
            Box::new(move |c| {
                c["iss"] = json!(format!("https://login.microsoftonline.com/{other}/v2.0"))
            }),
        ),
        (
            "issuer missing",
            Box::new(|c| {
                c.as_object_mut().map(|o| o.remove("iss"));
            }),
        ),
        (
            "tid of another tenant",
            Box::new(move |c| c["tid"] = json!(other)),
        ),
        (
            "issuer with a different case",
            Box::new(|c| {
                let i = c["iss"].as_str().unwrap_or_default().to_uppercase();
                c["iss"] = json!(i);
            }),
        ),
        (
            "oid missing",
            Box::new(|c| {
                c.as_object_mut().map(|o| o.remove("oid"));
            }),
        ),
        ("claims not an object", Box::new(|c| *c = json!("x"))),
    ];
    for (name, change) in &cases {
        out.push(claim_case(name, change.as_ref()));
    }
    let (stranger, _) = SigningKey::generate("stranger").unwrap();
    out.push((
        "signed by a stranger".into(),
        sign_with(&stranger, &good_header, &base),
    ));
    let good = sign_with(key, &good_header, &base);
    let mut parts: Vec<&str> = good.split('.').collect();
    let tampered = {
        let mut c = base.clone();
        c["oid"] = json!(s.client_id);
        b64(&c)
    };
    parts[1] = &tampered;
    out.push(("payload swapped after signing".into(), parts.join(".")));
    out.push((
        "signature stripped".into(),
        format!("{}.{}.", b64(&good_header), b64(&base)),
    ));
    out.push(("four segments".into(), format!("{good}.x")));
    out
}

/// The forgery matrix on both surfaces that take bearer tokens: none is
/// accepted, while the genuine token built the same way is.
#[tokio::test]
async fn forgery_matrix_on_arm_and_graph_accepts_none() {
    install_crypto();
    let s = Server::start(bin(), &TestStore::Sqlite).await.unwrap();
    let key = server_key(&s);
    let arm_aud = "https://management.core.windows.net/";
    let graph_aud = "https://graph.microsoft.com/";
    let surfaces = [
        (
            "ARM",
            arm_aud,
            graph_aud,
            s.url("/subscriptions?api-version=2022-12-01"),
        ),
        ("Graph", graph_aud, arm_aud, s.url("/v1.0/applications")),
    ];
    let (mut tried, mut accepted) = (0, Vec::new());
    for (surface, aud, other, url) in &surfaces {
        // The genuine article passes on this surface, which makes the refusals meaningful.
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut genuine = claim_set(&s, now);
        genuine["aud"] = json!(aud);
        let kid = key.kid().to_string();
        let header = json!({"typ": "JWT", "alg": "RS256", "kid": kid, "x5t": kid});
        let st = s
            .client
            .get(url)
            .bearer_auth(sign_with(&key, &header, &genuine))
            .send()
            .await
            .unwrap()
            .status();
        assert!(st.is_success(), "{surface}: the genuine token got {st}");
        for (name, token) in forgeries(&s, &key, aud, other) {
            tried += 1;
            let st = s
                .client
                .get(url)
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            if st != 401 {
                accepted.push(format!("{surface} {name}: {st}"));
            }
        }
    }
    eprintln!(
        "RELIABILITY forged tokens: {tried} variants over ARM and Graph, {} accepted",
        accepted.len()
    );
    assert!(tried >= 40);
    assert!(accepted.is_empty(), "{accepted:#?}");
    s.stop().await.unwrap();
}
