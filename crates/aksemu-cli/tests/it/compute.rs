//! The resources a cluster's components act on: managed disks, scale-set
//! instances (attaching disks), public IPs, load balancers joining them, and
//! registry imports; bad input gets a clear error and changes nothing, and
//! linked resources need their own rights.

use aksemu_testkit::{Server, TestStore};
use reqwest::Method;
use serde_json::{Value, json};

use crate::principals::{arm_token, assign, create_sp};
use crate::{bin, install_crypto};

const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const COMPUTE: &str = "2024-07-01";
const NETWORK: &str = "2024-05-01";

struct Ctx {
    s: Server,
    admin: String,
    rg: String,
    other: String,
}

async fn setup() -> Ctx {
    install_crypto();
    let s = Server::start(bin(), &TestStore::Sqlite).await.unwrap();
    let admin = s.admin_token().await.unwrap();
    let mut made = Vec::new();
    for name in ["nodes", "elsewhere"] {
        let path = format!("/subscriptions/{}/resourceGroups/{name}", s.subscription_id);
        let (st, _) = s
            .call(
                Some(&admin),
                Method::PUT,
                &path,
                "2024-11-01",
                Some(json!({"location": "westus2"})),
            )
            .await;
        assert_eq!(st, 201);
        made.push(path);
    }
    Ctx {
        s,
        admin,
        rg: made[0].clone(),
        other: made[1].clone(),
    }
}

impl Ctx {
    async fn call(
        &self,
        token: Option<&str>,
        m: Method,
        path: &str,
        api: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.s
            .call(Some(token.unwrap_or(&self.admin)), m, path, api, body)
            .await
    }
}

fn disk(rg: &str, name: &str) -> String {
    format!("{rg}/providers/Microsoft.Compute/disks/{name}")
}

fn attach_body(disks: &[&str]) -> Value {
    let list: Vec<Value> = disks
        .iter()
        .enumerate()
        .map(|(i, d)| json!({"lun": i, "createOption": "Attach", "managedDisk": {"id": d}}))
        .collect();
    json!({"properties": {"storageProfile": {"dataDisks": list}}})
}

#[tokio::test]
async fn disks_attach_to_one_instance_at_a_time_and_bad_input_changes_nothing() {
    let c = setup().await;
    let d = disk(&c.rg, "d1");
    let (st, body) = c
        .call(
            None,
            Method::PUT,
            &d,
            COMPUTE,
            Some(json!({"location": "westus2", "properties": {}})),
        )
        .await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (400, Some("InvalidParameter")),
        "{body}"
    );
    let sized = json!({"location": "westus2", "properties": {"diskSizeGB": 4}});
    let (st, body) = c.call(None, Method::PUT, &d, COMPUTE, Some(sized)).await;
    assert_eq!(
        (st, body["properties"]["diskState"].as_str()),
        (200, Some("Unattached")),
        "{body}"
    );

    let vmss = format!(
        "{}/providers/Microsoft.Compute/virtualMachineScaleSets/pool",
        c.rg
    );
    let scale_set = json!({"location": "westus2", "sku": {"name": "Standard_DS2_v2", "capacity": 2}, "properties": {}});
    assert_eq!(
        c.call(None, Method::PUT, &vmss, COMPUTE, Some(scale_set))
            .await
            .0,
        201
    );
    let (st, list) = c
        .call(
            None,
            Method::GET,
            &format!("{vmss}/virtualMachines"),
            COMPUTE,
            None,
        )
        .await;
    assert_eq!(
        (st, list["value"].as_array().map(Vec::len)),
        (200, Some(2)),
        "{list}"
    );
    for missing in ["2", "x", "-1"] {
        let (st, _) = c
            .call(
                None,
                Method::GET,
                &format!("{vmss}/virtualMachines/{missing}"),
                COMPUTE,
                None,
            )
            .await;
        assert_eq!(st, 404, "{missing}");
    }
    let vm0 = format!("{vmss}/virtualMachines/0");
    let (st, body) = c
        .call(
            None,
            Method::PUT,
            &vm0,
            COMPUTE,
            Some(attach_body(&["not-an-id"])),
        )
        .await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (400, Some("LinkedInvalidPropertyId")),
        "{body}"
    );
    let (st, _) = c
        .call(
            None,
            Method::PUT,
            &vm0,
            COMPUTE,
            Some(attach_body(&[&disk(&c.rg, "nope")])),
        )
        .await;
    assert_eq!(st, 404);
    let (st, body) = c
        .call(None, Method::PUT, &vm0, COMPUTE, Some(json!([1, 2])))
        .await;
    assert_eq!(st, 400, "{body}");

    let (st, _) = c
        .call(None, Method::PUT, &vm0, COMPUTE, Some(attach_body(&[&d])))
        .await;
    assert_eq!(st, 200);
    let (_, held) = c.call(None, Method::GET, &d, COMPUTE, None).await;
    assert_eq!(held["properties"]["diskState"], "Attached");
    assert!(
        held["managedBy"]
            .as_str()
            .unwrap()
            .ends_with("/virtualMachines/0")
    );
    let (st, body) = c
        .call(
            None,
            Method::PUT,
            &format!("{vmss}/virtualMachines/1"),
            COMPUTE,
            Some(attach_body(&[&d])),
        )
        .await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (409, Some("OperationNotAllowed")),
        "{body}"
    );
    let (st, _) = c.call(None, Method::DELETE, &d, COMPUTE, None).await;
    assert_eq!(st, 409, "an attached disk is not deleted");
    let resized = json!({"location": "westus2", "properties": {"diskSizeGB": 8}});
    let (st, _) = c.call(None, Method::PUT, &d, COMPUTE, Some(resized)).await;
    assert_eq!(st, 409, "nor rewritten (its attachment would be lost)");
    let (st, _) = c
        .call(
            None,
            Method::GET,
            &format!("{vmss}/virtualMachines/00"),
            COMPUTE,
            None,
        )
        .await;
    assert_eq!(st, 404, "one spelling per instance");

    let (st, _) = c
        .call(None, Method::PUT, &vm0, COMPUTE, Some(attach_body(&[])))
        .await;
    assert_eq!(st, 200);
    let (_, freed) = c.call(None, Method::GET, &d, COMPUTE, None).await;
    assert_eq!(freed["properties"]["diskState"], "Unattached");
    assert!(freed["managedBy"].is_null());
    assert!(matches!(
        c.call(None, Method::DELETE, &d, COMPUTE, None).await.0,
        200 | 202 | 204
    ));
}

#[tokio::test]
async fn linked_disks_and_public_ips_need_their_own_rights() {
    let c = setup().await;
    let sp = create_sp(&c.s, "component").await;
    assert_eq!(
        assign(&c.s, &c.admin, &c.rg, CONTRIBUTOR, &sp.object_id).await,
        201
    );
    let t = arm_token(&c.s, &sp).await;

    let foreign = disk(&c.other, "theirs");
    let sized = json!({"location": "westus2", "properties": {"diskSizeGB": 4}});
    assert_eq!(
        c.call(None, Method::PUT, &foreign, COMPUTE, Some(sized))
            .await
            .0,
        200
    );
    let vmss = format!(
        "{}/providers/Microsoft.Compute/virtualMachineScaleSets/pool",
        c.rg
    );
    let scale_set = json!({"location": "westus2", "sku": {"name": "Standard_DS2_v2", "capacity": 1}, "properties": {}});
    assert_eq!(
        c.call(Some(&t), Method::PUT, &vmss, COMPUTE, Some(scale_set))
            .await
            .0,
        201
    );
    let (st, body) = c
        .call(
            Some(&t),
            Method::PUT,
            &format!("{vmss}/virtualMachines/0"),
            COMPUTE,
            Some(attach_body(&[&foreign])),
        )
        .await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (403, Some("LinkedAuthorizationFailed")),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Microsoft.Compute/disks/write")
    );
    let (_, untouched) = c.call(None, Method::GET, &foreign, COMPUTE, None).await;
    assert_eq!(untouched["properties"]["diskState"], "Unattached");

    let pip = format!(
        "{}/providers/Microsoft.Network/publicIPAddresses/ip1",
        c.other
    );
    let dynamic = json!({"location": "westus2", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Dynamic"}});
    assert_eq!(
        c.call(None, Method::PUT, &pip, NETWORK, Some(dynamic))
            .await
            .0,
        400
    );
    let (st, made) = c
        .call(
            None,
            Method::PUT,
            &pip,
            NETWORK,
            Some(json!({"location": "westus2"})),
        )
        .await;
    assert_eq!(st, 201, "{made}");
    let address = made["properties"]["ipAddress"].as_str().unwrap();
    assert!(
        address.starts_with("198.18.") || address.starts_with("198.19."),
        "{address}"
    );
    let lb = format!(
        "{}/providers/Microsoft.Network/loadBalancers/kubernetes",
        c.rg
    );
    let body = json!({"location": "westus2", "properties": {"frontendIPConfigurations": [
        {"name": "fe", "properties": {"publicIPAddress": {"id": pip}}}]}});
    let (st, refused) = c
        .call(Some(&t), Method::PUT, &lb, NETWORK, Some(body.clone()))
        .await;
    assert_eq!(
        (st, refused["error"]["code"].as_str()),
        (403, Some("LinkedAuthorizationFailed")),
        "{refused}"
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("publicIPAddresses/join/action")
    );
    assert_eq!(
        c.call(Some(&t), Method::GET, &lb, NETWORK, None).await.0,
        404,
        "nothing written"
    );
    assert_eq!(
        c.call(None, Method::PUT, &lb, NETWORK, Some(body)).await.0,
        201
    );
}

#[tokio::test]
async fn registry_imports_check_their_input() {
    let c = setup().await;
    let reg = format!(
        "{}/providers/Microsoft.ContainerRegistry/registries/myacr1",
        c.rg
    );
    let (st, _) = c
        .call(
            None,
            Method::PUT,
            &reg,
            "2023-07-01",
            Some(json!({"location": "westus2", "sku": {"name": "Basic"}})),
        )
        .await;
    assert!(matches!(st, 200 | 201));
    let twin = format!(
        "{}/providers/Microsoft.ContainerRegistry/registries/MyAcr1",
        c.other
    );
    let (st, body) = c
        .call(
            None,
            Method::PUT,
            &twin,
            "2023-07-01",
            Some(json!({"location": "westus2", "sku": {"name": "Basic"}})),
        )
        .await;
    assert_eq!(st, 409, "registry names are global: {body}");
    let import = format!("{reg}/importImage");
    for bad in [
        json!({}),
        json!({"source": {"sourceImage": ""}}),
        json!({"source": {"sourceImage": "a:b"}, "targetTags": [":x"]}),
    ] {
        let (st, body) = c
            .call(None, Method::POST, &import, "2023-07-01", Some(bad.clone()))
            .await;
        assert_eq!(st, 400, "{bad} → {body}");
    }
    let ok = json!({"source": {"registryUri": "docker.io", "sourceImage": "library/nginx:1.27"}, "targetTags": ["app:v1"]});
    assert_eq!(
        c.call(None, Method::POST, &import, "2023-07-01", Some(ok.clone()))
            .await
            .0,
        200
    );
    let missing = format!(
        "{}/providers/Microsoft.ContainerRegistry/registries/ghost1/importImage",
        c.rg
    );
    assert_eq!(
        c.call(None, Method::POST, &missing, "2023-07-01", Some(ok))
            .await
            .0,
        404
    );
}
