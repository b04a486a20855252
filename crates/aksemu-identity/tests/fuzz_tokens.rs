//! Property-based fuzzing of what a client hands the token machinery: bearer
//! tokens of any shape (well-formed JWT segments with hostile headers and
//! claims included) and token-request forms. No panic; nothing but a token
//! signed by the key verifies.

use std::collections::HashMap;

use aksemu_identity::grant::{EndpointVersion, parse_request};
use aksemu_identity::{SigningKey, TokenExpectations, verify};
use base64::Engine as _;
use proptest::prelude::*;
use serde_json::Value;

/// One key for every case (generating RSA keys is slow).
fn key() -> &'static SigningKey {
    static KEY: std::sync::OnceLock<SigningKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate("fuzz").expect("key").0)
}

fn b64(v: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v)
}

/// JWT-shaped strings: each part is base64url of arbitrary or JSON-ish text.
fn jwt_like() -> impl Strategy<Value = String> {
    let json_ish = prop_oneof![
        "\\PC{0,40}",
        Just(r#"{"alg":"none","typ":"JWT"}"#.to_string()),
        Just(r#"{"alg":"HS256","kid":"x"}"#.to_string()),
        Just(
            r#"{"alg":"RS256","jku":"http://127.0.0.1/keys","x5u":"http://127.0.0.1/c"}"#
                .to_string()
        ),
        "\\{\"(aud|iss|tid|exp|nbf|oid)\":(\"\\PC{0,10}\"|-?[0-9]{1,12})\\}",
    ];
    (json_ish.clone(), json_ish, "[A-Za-z0-9_\\-]{0,40}")
        .prop_map(|(h, c, s)| format!("{}.{}.{s}", b64(&h), b64(&c)))
}

proptest! {
    #[test]
    fn arbitrary_tokens_never_verify_nor_panic(token in prop_oneof![jwt_like(), "\\PC{0,120}"]) {
        let key = key();
        let issuers = ["https://sts.windows.net/t/".to_string()];
        let expect = TokenExpectations {
            issuers: &issuers,
            audiences: &["https://management.azure.com/"],
            leeway: 60,
        };
        prop_assert!(verify::<Value>(&token, &[key], &expect).is_err());
    }

    #[test]
    fn token_request_forms_parse_without_panic(
        pairs in prop::collection::vec(
            ("(grant_type|client_id|client_secret|scope|resource|\\PC{0,6})", "\\PC{0,40}"),
            0..8,
        ),
        v1 in any::<bool>(),
    ) {
        let form: HashMap<String, String> = pairs.into_iter().collect();
        let version = if v1 { EndpointVersion::V1 } else { EndpointVersion::V2 };
        let _ = parse_request(&form, None, version);
    }
}
