//! The shared identity capability on a tracked resource (a scale set): a
//! system-assigned principal follows the resource's life; attaching a
//! user-assigned identity needs `assign/action` on it (LinkedAuthorizationFailed);
//! the scale set serves its identities' tokens as an IMDS host.

use std::time::Duration;

use aksemu_testkit::{Server, TestStore, claims, wait_until};
use reqwest::Method;
use serde_json::{Value, json};

use crate::principals::{arm_token, create_sp, graph_token};
use crate::{bin, install_crypto};

async fn call(s: &Server, token: &str, m: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    s.call(Some(token), m, path, "2024-11-01", body).await
}

async fn principal_exists(s: &Server, id: &str) -> bool {
    let g = graph_token(s).await;
    s.client
        .get(s.url(&format!("/v1.0/servicePrincipals/{id}")))
        .bearer_auth(g)
        .send()
        .await
        .unwrap()
        .status()
        .is_success()
}

#[tokio::test]
async fn system_and_user_assigned_identities_on_a_scale_set() {
    install_crypto();
    for store in TestStore::all() {
        let s = Server::start(bin(), &store).await.unwrap();
        let admin = s.admin_token().await.unwrap();
        let sub = s.subscription_id.clone();
        let rg = format!("/subscriptions/{sub}/resourceGroups/nodes");
        call(
            &s,
            &admin,
            Method::PUT,
            &rg,
            Some(json!({"location": "westus2"})),
        )
        .await;
        let (_, uid) = call(
            &s,
            &admin,
            Method::PUT,
            &format!("{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uid"),
            Some(json!({"location": "westus2"})),
        )
        .await;
        let vmss = format!("{rg}/providers/Microsoft.Compute/virtualMachineScaleSets/pool1");

        let (st, v) = call(
            &s,
            &admin,
            Method::PUT,
            &vmss,
            Some(json!({"location": "westus2", "identity": {"type": "SystemAssigned"}})),
        )
        .await;
        assert_eq!(st, 201, "{v}");
        let system = v["identity"]["principalId"].as_str().unwrap().to_string();
        assert_eq!(v["identity"]["tenantId"], s.tenant_id.as_str());
        assert!(principal_exists(&s, &system).await);
        let (st, v) = call(&s, &admin, Method::PATCH, &vmss, Some(json!({"identity": {"type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {uid["id"].as_str().unwrap(): {}}}}))).await;
        assert_eq!(st, 200, "{v}");
        assert_eq!(
            v["identity"]["principalId"],
            system.as_str(),
            "the system principal is kept across updates"
        );
        assert_eq!(
            v["identity"]["userAssignedIdentities"][uid["id"].as_str().unwrap()]["clientId"],
            uid["properties"]["clientId"]
        );
        let (st, v) = call(
            &s,
            &admin,
            Method::PUT,
            &vmss,
            Some(json!({"location": "westus2", "identity": {"type": "Sideways"}})),
        )
        .await;
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (400, Some("InvalidIdentityType"))
        );

        // The scale set as a host.
        let host: Value = s
            .client
            .post(s.url("/aksemu/admin/hosts"))
            .bearer_auth(&admin)
            .json(&json!({"resource": vmss}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let info: Value = serde_json::from_str(
            &std::fs::read_to_string(s.data_dir().join("server.json")).unwrap(),
        )
        .unwrap();
        let imds = format!(
            "{}/hosts/{}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/",
            info["imdsUrl"].as_str().unwrap(),
            host["token"].as_str().unwrap_or_else(|| panic!("{host}"))
        );
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let t: Value = http
            .get(&imds)
            .header("Metadata", "true")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let c = claims(t["access_token"].as_str().unwrap());
        assert_eq!(
            (c["oid"].as_str(), c["xms_mirid"].as_str()),
            (Some(system.as_str()), Some(vmss.as_str()))
        );
        assert!(
            c.get("xms_az_rid").is_none(),
            "system-assigned tokens carry no xms_az_rid"
        );
        let t: Value = http
            .get(format!(
                "{imds}&client_id={}",
                uid["properties"]["clientId"].as_str().unwrap()
            ))
            .header("Metadata", "true")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let c = claims(t["access_token"].as_str().unwrap());
        assert_eq!(c["xms_mirid"], uid["id"]);
        assert_eq!(c["xms_az_rid"].as_str(), Some(vmss.as_str()));

        // Dropping the system-assigned identity deletes its principal.
        let (st, v) = call(&s, &admin, Method::PATCH, &vmss, Some(json!({"identity": {"type": "UserAssigned", "userAssignedIdentities": {uid["id"].as_str().unwrap(): {}}}}))).await;
        assert_eq!(st, 200, "{v}");
        assert!(v["identity"].get("principalId").is_none());
        assert!(!principal_exists(&s, &system).await);

        // Linked authorization: a caller who may write scale sets but not assign the identity.
        let p = create_sp(&s, "vmss-writer").await;
        let defs =
            format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions");
        let role = "88888888-8888-8888-8888-888888888888";
        call(&s, &admin, Method::PUT, &format!("{defs}/{role}"), Some(json!({"properties": {"roleName": "Scale Set Writer",
            "permissions": [{"actions": ["Microsoft.Compute/virtualMachineScaleSets/*", "Microsoft.Resources/subscriptions/resourceGroups/read"]}],
            "assignableScopes": [format!("/subscriptions/{sub}")]}}))).await;
        let assign = |scope: &str, role_id: String, name: &str| {
            (
                format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
                json!({"properties": {"roleDefinitionId": role_id, "principalId": p.object_id}}),
            )
        };
        let (path, body) = assign(
            &rg,
            format!("{defs}/{role}"),
            "99999999-9999-9999-9999-999999999991",
        );
        assert_eq!(
            call(&s, &admin, Method::PUT, &path, Some(body)).await.0,
            201
        );
        let pt = arm_token(&s, &p).await;
        let pool2 = format!("{rg}/providers/Microsoft.Compute/virtualMachineScaleSets/pool2");
        let with_uid = json!({"location": "westus2", "identity": {"type": "UserAssigned", "userAssignedIdentities": {uid["id"].as_str().unwrap(): {}}}});
        let (st, v) = call(&s, &pt, Method::PUT, &pool2, Some(with_uid.clone())).await;
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (403, Some("LinkedAuthorizationFailed")),
            "{v}"
        );
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("userAssignedIdentities/assign/action")
        );
        let mio = format!("{defs}/f1a07417-d97a-45cb-824c-7a7467783830");
        let (path, body) = assign(
            uid["id"].as_str().unwrap(),
            mio,
            "99999999-9999-9999-9999-999999999992",
        );
        assert_eq!(
            call(&s, &admin, Method::PUT, &path, Some(body)).await.0,
            201
        );
        assert_eq!(
            call(&s, &pt, Method::PUT, &pool2, Some(with_uid)).await.0,
            201,
            "Managed Identity Operator on the identity"
        );

        // A system-assigned principal goes with its resource, and with its group.
        let (_, v) = call(
            &s,
            &admin,
            Method::PUT,
            &pool2,
            Some(json!({"location": "westus2", "identity": {"type": "SystemAssigned"}})),
        )
        .await;
        let p2 = v["identity"]["principalId"]
            .as_str()
            .unwrap_or_else(|| panic!("{v}"))
            .to_string();
        assert_eq!(call(&s, &admin, Method::DELETE, &pool2, None).await.0, 200);
        assert!(!principal_exists(&s, &p2).await);
        let (_, v) = call(
            &s,
            &admin,
            Method::PUT,
            &vmss,
            Some(json!({"location": "westus2", "identity": {"type": "SystemAssigned"}})),
        )
        .await;
        let p3 = v["identity"]["principalId"].as_str().unwrap().to_string();
        let uid_principal = uid["properties"]["principalId"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(call(&s, &admin, Method::DELETE, &rg, None).await.0, 202);
        wait_until(Duration::from_secs(5), "the group is deleted", || async {
            (call(&s, &admin, Method::GET, &rg, None).await.0 == 404).then_some(())
        })
        .await;
        assert!(
            !principal_exists(&s, &p3).await,
            "system-assigned principal deleted with the group"
        );
        assert!(
            !principal_exists(&s, &uid_principal).await,
            "identity principal deleted with the group"
        );
    }
}
