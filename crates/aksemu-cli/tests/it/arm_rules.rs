//! ARM conventions over the wire: api-version, envelope, ids and casing, request
//! ids, conditional requests, LRO headers, metadata shapes.

use std::time::Duration;

use aksemu_testkit::{Server, TestStore, wait_until};
use reqwest::Method;
use serde_json::{Value, json};

use crate::{bin, install_crypto};

struct Arm {
    s: Server,
    token: String,
}

impl Arm {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> reqwest::Response {
        let mut r = self
            .s
            .client
            .request(method, self.s.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send().await.unwrap()
    }

    async fn json(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let r = self.call(method, path, body).await;
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    fn rg(&self, name: &str) -> String {
        format!(
            "/subscriptions/{}/resourcegroups/{name}?api-version=2024-11-01",
            self.s.subscription_id
        )
    }
}

#[tokio::test]
async fn arm_conventions_on_every_store() {
    install_crypto();
    for store in TestStore::all() {
        let s = Server::start(bin(), &store).await.unwrap();
        let token = s.admin_token().await.unwrap();
        let arm = Arm { s, token };
        envelope_and_versions(&arm).await;
        resource_groups(&arm).await;
        conditional_requests(&arm).await;
        group_delete_is_long_running(&arm).await;
        providers_and_metadata(&arm).await;
    }
}

async fn envelope_and_versions(a: &Arm) {
    let sub = a.s.subscription_id.clone();
    let (st, b) = a.json(Method::GET, "/subscriptions", None).await;
    assert_eq!(
        (st, b["error"]["code"].as_str()),
        (400, Some("MissingApiVersionParameter"))
    );
    let (st, b) = a
        .json(Method::GET, "/subscriptions?api-version=latest", None)
        .await;
    assert_eq!(
        (st, b["error"]["code"].as_str()),
        (400, Some("InvalidApiVersionParameter"))
    );
    let (st, b) = a
        .json(Method::GET, "//subscriptions?api-version=2022-12-01", None)
        .await;
    assert_eq!(st, 200, "leading // collapsed: {b}");
    assert_eq!(b["value"][0]["subscriptionId"], sub.as_str());
    assert_eq!(b["value"][0]["tenantId"], a.s.tenant_id.as_str());
    assert_eq!(b["value"][0]["state"], "Enabled");
    let (st, b) = a
        .json(
            Method::GET,
            &format!("/subscriptions/{sub}?api-version=2022-12-01"),
            None,
        )
        .await;
    assert_eq!(
        (st, b["id"].as_str()),
        (200, Some(format!("/subscriptions/{sub}").as_str()))
    );
    let (st, b) = a.json(Method::GET, "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups?api-version=2024-11-01", None).await;
    assert_eq!(
        (st, b["error"]["code"].as_str()),
        (404, Some("SubscriptionNotFound"))
    );
    let (st, b) = a
        .json(Method::GET, "/tenants?api-version=2022-12-01", None)
        .await;
    assert_eq!(
        (st, b["value"][0]["tenantId"].as_str()),
        (200, Some(a.s.tenant_id.as_str()))
    );

    let r =
        a.s.client
            .get(a.s.url("/subscriptions?api-version=2022-12-01"))
            .bearer_auth(&a.token)
            .header("x-ms-correlation-request-id", "corr-123")
            .header("x-ms-client-request-id", "client-456")
            .send()
            .await
            .unwrap();
    assert_eq!(r.headers()["x-ms-correlation-request-id"], "corr-123");
    assert_eq!(r.headers()["x-ms-client-request-id"], "client-456");
    assert!(r.headers().contains_key("x-ms-request-id"));

    let (st, b) = a.json(Method::POST, &a.rg("x"), None).await;
    assert_eq!(
        (st, b["error"]["code"].as_str()),
        (405, Some("UnsupportedHttpMethod"))
    );
    let (st, b) = a
        .json(
            Method::GET,
            &format!("/subscriptions/{sub}/providers/Foo.Bar/things?api-version=2024-11-01"),
            None,
        )
        .await;
    assert_eq!(
        (st, b["error"]["code"].as_str()),
        (400, Some("InvalidResourceNamespace"))
    );
}

async fn resource_groups(a: &Arm) {
    let sub = a.s.subscription_id.clone();
    let (st, b) = a
        .json(
            Method::PUT,
            &a.rg("MyResourceGroup"),
            Some(json!({"location": "westus2", "tags": {"env": "test"}})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    assert_eq!(
        b["id"],
        format!("/subscriptions/{sub}/resourceGroups/MyResourceGroup")
    );
    assert_eq!(b["type"], "Microsoft.Resources/resourceGroups");
    assert_eq!(b["properties"]["provisioningState"], "Succeeded");
    assert_eq!(b["systemData"]["createdBy"], a.s.client_id.as_str());
    assert_eq!(b["systemData"]["createdByType"], "Application");

    // Another casing names the same group; the original casing stays.
    let (st, b) = a
        .json(
            Method::PUT,
            &a.rg("myresourcegroup"),
            Some(json!({"location": "West US 2"})),
        )
        .await;
    assert_eq!((st, b["name"].as_str()), (200, Some("MyResourceGroup")));
    let (st, b) = a
        .json(
            Method::GET,
            &format!("/SUBSCRIPTIONS/{sub}/RESOURCEGROUPS/MYRESOURCEGROUP?api-version=2024-11-01"),
            None,
        )
        .await;
    assert_eq!(
        (st, b["id"].as_str()),
        (
            200,
            Some(format!("/subscriptions/{sub}/resourceGroups/MyResourceGroup").as_str())
        )
    );
    assert_eq!(
        a.call(Method::HEAD, &a.rg("MYRESOURCEGROUP"), None)
            .await
            .status()
            .as_u16(),
        204
    );
    assert_eq!(
        a.call(Method::HEAD, &a.rg("absent"), None)
            .await
            .status()
            .as_u16(),
        404
    );

    let (st, b) = a
        .json(
            Method::PATCH,
            &a.rg("myResourceGroup"),
            Some(json!({"tags": {"team": "a"}})),
        )
        .await;
    assert_eq!((st, b["tags"].clone()), (200, json!({"team": "a"})));
    let (st, b) = a
        .json(
            Method::PUT,
            &a.rg("myResourceGroup"),
            Some(json!({"location": "eastus"})),
        )
        .await;
    assert_eq!(
        (st, b["error"]["code"].as_str()),
        (409, Some("InvalidResourceGroupLocation"))
    );

    // Client mistakes are 400s and create nothing.
    let r =
        a.s.client
            .put(a.s.url(&a.rg("broken")))
            .bearer_auth(&a.token)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let (st, b) = a
        .json(Method::PUT, &a.rg("broken"), Some(json!({"tags": {}})))
        .await;
    assert_eq!(
        (st, b["error"]["code"].as_str()),
        (400, Some("LocationRequired"))
    );
    let (st, b) = a
        .json(
            Method::PUT,
            &a.rg("broken"),
            Some(json!({"location": "mars"})),
        )
        .await;
    assert_eq!(
        (st, b["error"]["code"].as_str()),
        (400, Some("LocationNotAvailableForResourceGroup"))
    );
    let (st, _) = a
        .json(
            Method::PUT,
            &a.rg("bad."),
            Some(json!({"location": "westus2"})),
        )
        .await;
    assert_eq!(st, 400);
    let (st, b) = a.json(Method::GET, &a.rg("broken"), None).await;
    assert_eq!(
        (st, b["error"]["code"].as_str()),
        (404, Some("ResourceGroupNotFound"))
    );

    let (st, b) = a
        .json(
            Method::GET,
            &format!("/subscriptions/{sub}/resourcegroups?api-version=2024-11-01"),
            None,
        )
        .await;
    assert_eq!(st, 200);
    let names: Vec<&str> = b["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert_eq!(names, vec!["MyResourceGroup"]);
}

async fn conditional_requests(a: &Arm) {
    let r = a
        .call(
            Method::PUT,
            &a.rg("etagged"),
            Some(json!({"location": "westus2"})),
        )
        .await;
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let put_if = |if_match: Option<&str>, if_none: Option<&str>| {
        let mut r =
            a.s.client
                .put(a.s.url(&a.rg("etagged")))
                .bearer_auth(&a.token)
                .json(&json!({"location": "westus2"}));
        if let Some(v) = if_match {
            r = r.header("if-match", v);
        }
        if let Some(v) = if_none {
            r = r.header("if-none-match", v);
        }
        r.send()
    };
    assert_eq!(
        put_if(Some("\"stale\""), None)
            .await
            .unwrap()
            .status()
            .as_u16(),
        412
    );
    assert_eq!(
        put_if(None, Some("*")).await.unwrap().status().as_u16(),
        412
    );
    assert_eq!(
        put_if(Some(&etag), None).await.unwrap().status().as_u16(),
        200
    );
    let r =
        a.s.client
            .put(a.s.url(&a.rg("fresh")))
            .bearer_auth(&a.token)
            .header("if-match", "*")
            .json(&json!({"location": "westus2"}))
            .send()
            .await
            .unwrap();
    assert_eq!(
        r.status().as_u16(),
        412,
        "If-Match: * on a missing resource"
    );
}

async fn group_delete_is_long_running(a: &Arm) {
    a.call(
        Method::PUT,
        &a.rg("doomed"),
        Some(json!({"location": "westus2"})),
    )
    .await;
    let r = a.call(Method::DELETE, &a.rg("DOOMED"), None).await;
    assert_eq!(r.status().as_u16(), 202);
    assert_eq!(r.headers()["retry-after"], "1");
    let status_url = r.headers()["azure-asyncoperation"]
        .to_str()
        .unwrap()
        .to_string();
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        status_url.starts_with(&a.s.base),
        "absolute URL on the caller's host: {status_url}"
    );
    let status = wait_until(Duration::from_secs(5), "the operation ends", || async {
        let b: Value =
            a.s.client
                .get(&status_url)
                .bearer_auth(&a.token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        let status = b["status"].as_str().unwrap_or_default().to_string();
        (status != "InProgress").then_some(status)
    })
    .await;
    assert_eq!(status, "Succeeded");
    assert_eq!(
        a.s.client
            .get(&location)
            .bearer_auth(&a.token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    let (st, b) = a.json(Method::GET, &a.rg("doomed"), None).await;
    assert_eq!(
        (st, b["error"]["code"].as_str()),
        (404, Some("ResourceGroupNotFound"))
    );
    let (st, _) = a.json(Method::DELETE, &a.rg("doomed"), None).await;
    assert_eq!(st, 404);
}

async fn providers_and_metadata(a: &Arm) {
    let sub = a.s.subscription_id.clone();
    let (st, b) = a
        .json(
            Method::GET,
            &format!("/subscriptions/{sub}/providers?api-version=2024-11-01"),
            None,
        )
        .await;
    assert_eq!(st, 200);
    assert!(
        b["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["namespace"] == "Microsoft.ContainerService")
    );
    let p = format!("/subscriptions/{sub}/providers/microsoft.containerservice");
    let (st, b) = a
        .json(
            Method::POST,
            &format!("{p}/unregister?api-version=2024-11-01"),
            None,
        )
        .await;
    assert_eq!(
        (st, b["registrationState"].as_str()),
        (200, Some("Unregistered"))
    );
    let (_, b) = a
        .json(
            Method::POST,
            &format!("{p}/register?api-version=2024-11-01"),
            None,
        )
        .await;
    assert_eq!(b["registrationState"], "Registered");
    let (_, b) = a
        .json(Method::GET, &format!("{p}?api-version=2024-11-01"), None)
        .await;
    assert_eq!(
        (b["namespace"].as_str(), b["registrationState"].as_str()),
        (Some("Microsoft.ContainerService"), Some("Registered"))
    );

    // Cloud metadata needs no token; both shapes.
    let one: Value =
        a.s.client
            .get(a.s.url("//metadata/endpoints?api-version=2022-09-01"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(one["name"], "aksemu");
    assert_eq!(one["authentication"]["loginEndpoint"], a.s.base.as_str());
    assert!(one["suffixes"].is_object());
    let list: Value =
        a.s.client
            .get(a.s.url("/metadata/endpoints?api-version=2019-05-01"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(list[0]["name"], "aksemu");
}
