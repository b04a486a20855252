//! Creating extra service principals through Graph, as the administrator.

use aksemu_testkit::Server;
use serde_json::{Value, json};

pub struct Sp {
    pub app_id: String,
    pub object_id: String,
    pub secret: String,
}

pub async fn graph_token(s: &Server) -> String {
    let r: Value = s
        .client
        .post(s.url(&format!("/{}/oauth2/v2.0/token", s.tenant_id)))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &s.client_id),
            ("client_secret", &s.client_secret),
            ("scope", &format!("{}//.default", s.base)),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["access_token"].as_str().unwrap().to_string()
}

pub async fn create_sp(s: &Server, name: &str) -> Sp {
    let g = graph_token(s).await;
    let app: Value = s
        .client
        .post(s.url("/v1.0/applications"))
        .bearer_auth(&g)
        .json(&json!({"displayName": name}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pw: Value = s
        .client
        .post(s.url(&format!(
            "/v1.0/applications/{}/addPassword",
            app["id"].as_str().unwrap()
        )))
        .bearer_auth(&g)
        .json(&json!({"passwordCredential": {"displayName": "test"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sp: Value = s
        .client
        .post(s.url("/v1.0/servicePrincipals"))
        .bearer_auth(&g)
        .json(&json!({"appId": app["appId"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Sp {
        app_id: app["appId"].as_str().unwrap().to_string(),
        object_id: sp["id"].as_str().unwrap().to_string(),
        secret: pw["secretText"].as_str().unwrap().to_string(),
    }
}

pub async fn arm_token(s: &Server, sp: &Sp) -> String {
    let r: Value = s
        .client
        .post(s.url(&format!("/{}/oauth2/v2.0/token", s.tenant_id)))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &sp.app_id),
            ("client_secret", &sp.secret),
            ("scope", "https://management.core.windows.net//.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["access_token"].as_str().unwrap().to_string()
}

/// Assigns built-in role `role` (GUID) at `scope` to `principal` (as a
/// ServicePrincipal) through the ARM API; returns the HTTP status.
pub async fn assign(s: &Server, token: &str, scope: &str, role: &str, principal: &str) -> u16 {
    let sub = &s.subscription_id;
    s.client
        .put(s.url(&format!(
            "{scope}/providers/Microsoft.Authorization/roleAssignments/{}?api-version=2022-04-01",
            uuid::Uuid::new_v4()
        )))
        .bearer_auth(token)
        .json(&json!({"properties": {
            "roleDefinitionId": format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role}"),
            "principalId": principal, "principalType": "ServicePrincipal"}}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}
