//! A restart on the same data dir keeps the CA, the signing key, the tenant and
//! the data, so tokens issued before it stay valid.

use std::os::unix::fs::PermissionsExt;

use aksemu_testkit::Server;
use serde_json::Value;

use crate::{bin, install_crypto};

#[tokio::test]
async fn restart_keeps_keys_tokens_and_data() {
    install_crypto();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let s = Server::start_in(bin(), &dir, None).await.unwrap();
    let token = s.admin_token().await.unwrap();
    let sub = s.subscription_id.clone();
    let r = s
        .client
        .put(s.url(&format!(
            "/subscriptions/{sub}/resourcegroups/Keep?api-version=2024-11-01"
        )))
        .bearer_auth(&token)
        .json(&serde_json::json!({"location": "westus2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    for f in [
        "ca-key.pem",
        "tls-key.pem",
        "signing-key.pem",
        "credentials.json",
        "ca.pem",
        "aksemu.db",
    ] {
        let mode = std::fs::metadata(dir.join(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{f}");
    }
    let ca_before = s.ca_pem.clone();
    s.stop().await.unwrap();

    let s = Server::start_in(bin(), &dir, None).await.unwrap();
    assert_eq!(s.ca_pem, ca_before);
    assert_eq!(s.subscription_id, sub);
    let r = s
        .client
        .get(s.url(&format!(
            "/subscriptions/{sub}/resourcegroups/keep?api-version=2024-11-01"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        200,
        "a token from before the restart still works"
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["name"], "Keep");
}
