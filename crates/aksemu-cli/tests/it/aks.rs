//! AKS clusters over the ARM API as az drives it: the create operation and what
//! it builds, add-ons, agent pools, kubeconfigs, node hosts, the identity rules,
//! and a delete that leaves no orphan in the store (inspected directly).

use std::time::Duration;

use aksemu_testkit::{Server, TestStore, wait_until};
use reqwest::Method;
use serde_json::{Value, json};

use crate::principals::{arm_token, assign, create_sp};
use crate::{bin, install_crypto};

const API: &str = "2026-06-01";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const NETWORK_CONTRIBUTOR: &str = "4d97b98b-1d4f-4787-a291-c67834d212e7";
const MI_OPERATOR: &str = "f1a07417-d97a-45cb-824c-7a7467783830";
const AKS_CONTRIBUTOR: &str = "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8";

pub(crate) async fn call_raw(
    s: &Server,
    token: &str,
    m: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    s.call_with(Some(token), m, path, API, body).await
}

pub(crate) async fn call(
    s: &Server,
    token: &str,
    m: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    s.call(Some(token), m, path, API, body).await
}

/// Follows `Azure-AsyncOperation` to a terminal status.
pub(crate) async fn wait(s: &Server, token: &str, resp: &reqwest::Response) -> Value {
    let url = resp
        .headers()
        .get("azure-asyncoperation")
        .expect("Azure-AsyncOperation")
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(resp.headers().get("retry-after").unwrap(), "1");
    wait_until(Duration::from_secs(20), "the operation ends", || async {
        let v: Value = s
            .client
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (v["status"] != "InProgress").then_some(v)
    })
    .await
}

/// The body `az aks create` sends (azure-cli 2.91.0).
pub(crate) fn az_create_body(dns: &str) -> Value {
    json!({"location":"westus2",
     "properties":{"agentPoolProfiles":[{"name":"nodepool1","orchestratorVersion":"","vmSize":"","osType":"Linux",
       "enableNodePublicIP":false,"count":3,"enableAutoScaling":false,"scaleSetPriority":"Regular","nodeTaints":[],
       "upgradeSettings":{},"type":"VirtualMachineScaleSets","enableEncryptionAtHost":false,"enableUltraSSD":false,
       "enableFIPS":false,"mode":"System"}],
      "kubernetesVersion":"","dnsPrefix":dns,"disableLocalAccounts":false,"enableRBAC":true,
      "networkProfile":{"loadBalancerSku":"standard","outboundType":"loadBalancer"},
      "addonProfiles":{},"storageProfile":{},"bootstrapProfile":{"artifactSource":"Direct"}},
     "identity":{"type":"SystemAssigned"},
     "sku":{"name":"Base","tier":"Free"}})
}

/// The body az sends for `--service-principal <app> --client-secret <secret>`.
fn sp_cluster_body(app: &str, secret: &str) -> Value {
    let mut body = az_create_body("spc");
    if let Some(o) = body.as_object_mut() {
        o.remove("identity");
    }
    body["properties"]["servicePrincipalProfile"] = json!({"clientId": app, "secret": secret});
    body
}

/// A server with a group `rg` in westus2: the server, an administrator token and
/// the group's id.
pub(crate) async fn with_group(store: &TestStore, extra: &[&str]) -> (Server, String, String) {
    let s = Server::start_with(bin(), store, extra).await.unwrap();
    let t = s.admin_token().await.unwrap();
    let rg = format!("/subscriptions/{}/resourceGroups/rg", s.subscription_id);
    let (st, _) = call(
        &s,
        &t,
        Method::PUT,
        &rg,
        Some(json!({"location": "westus2"})),
    )
    .await;
    assert_eq!(st, 201);
    (s, t, rg)
}

pub(crate) async fn create_cluster(s: &Server, token: &str, path: &str, body: Value) -> Value {
    let resp = call_raw(s, token, Method::PUT, path, Some(body)).await;
    assert_eq!(resp.status().as_u16(), 201, "create");
    let op = wait(s, token, &resp).await;
    assert_eq!(op["status"], "Succeeded", "{op}");
    call(s, token, Method::GET, path, None).await.1
}

pub(crate) async fn kubeconfig(s: &Server, token: &str, cluster: &str, kind: &str) -> String {
    let (st, v) = call(
        s,
        token,
        Method::POST,
        &format!("{cluster}/list{kind}Credential"),
        None,
    )
    .await;
    assert_eq!(st, 200, "{v}");
    use base64::Engine as _;
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(v["kubeconfigs"][0]["value"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap()
}

/// Every row that names something must name something that exists.
async fn assert_no_orphans(spec: &str, gone_prefixes: &[String]) {
    let store = aksemu_store::open(spec).await.unwrap();
    let all = |c: &'static str| {
        let store = store.clone();
        async move { store.list(c, "").await.unwrap() }
    };
    let resources = all("resources").await;
    let keys: std::collections::HashSet<String> = resources.iter().map(|d| d.key.clone()).collect();
    for p in gone_prefixes {
        assert!(
            !keys.iter().any(|k| k.starts_with(p.as_str())),
            "left under {p}: {keys:?}"
        );
    }
    let key_of = |id: &str| {
        aksemu_core::ResourceId::parse(id)
            .unwrap()
            .key()
            .to_string()
    };
    let sps = all("servicePrincipals").await;
    let sp_ids: std::collections::HashSet<String> = sps.iter().map(|d| d.key.clone()).collect();
    for sp in &sps {
        if sp.body["servicePrincipalType"] == "ManagedIdentity" {
            let owner = sp.body["servicePrincipalNames"][1].as_str().unwrap();
            assert!(keys.contains(&key_of(owner)), "orphan principal of {owner}");
        }
    }
    for ix in all("servicePrincipalAppIds").await {
        let oid = ix.body["objectId"].as_str().unwrap().to_lowercase();
        assert!(
            sp_ids.contains(&oid),
            "appId index names a deleted principal"
        );
    }
    let assignments = all("roleAssignments").await;
    let assignment_keys: std::collections::HashSet<String> =
        assignments.iter().map(|d| d.key.clone()).collect();
    for a in &assignments {
        let scope = aksemu_core::ResourceId::parse(a.body["properties"]["scope"].as_str().unwrap())
            .unwrap();
        if let (Some(sub), Some(rg)) = (scope.subscription_id(), scope.resource_group_name()) {
            let g = aksemu_core::ResourceId::resource_group(sub, rg);
            assert!(
                keys.contains(g.key()),
                "assignment in a deleted group: {scope}"
            );
        }
    }
    for b in all("roleAssignmentsByPrincipal").await {
        let k = b.key.split_once('|').unwrap().1.to_string();
        assert!(assignment_keys.contains(&k), "stale by-principal row {k}");
    }
    assert_eq!(
        all("roleAssignmentTriples").await.len(),
        assignments.len(),
        "uniqueness rows match assignments"
    );
    assert!(all("clusterSecrets").await.is_empty());
    for h in all("hosts").await {
        if h.body["fromResource"] == true {
            let id = h.body["resourceId"].as_str().unwrap();
            assert!(keys.contains(&key_of(id)), "host of deleted {id}");
        }
    }
}

#[tokio::test]
async fn seed_cluster_lifecycle_leaves_no_orphans() {
    install_crypto();
    for store in TestStore::all() {
        let s = Server::start(bin(), &store).await.unwrap();
        let t = s.admin_token().await.unwrap();
        let sub = s.subscription_id.clone();
        let rg = format!("/subscriptions/{sub}/resourceGroups/myResourceGroup");
        call(
            &s,
            &t,
            Method::PUT,
            &rg,
            Some(json!({"location": "westus2"})),
        )
        .await;
        // az looks before it creates; the id keeps the group's stored casing.
        let path = format!(
            "/subscriptions/{sub}/resourceGroups/MyResourceGroup/providers/Microsoft.ContainerService/managedClusters/MyManagedCluster"
        );
        assert_eq!(call(&s, &t, Method::GET, &path, None).await.0, 404);
        let resp = call_raw(
            &s,
            &t,
            Method::PUT,
            &path,
            Some(az_create_body("MyManagedC-MyResourceGroup-222222")),
        )
        .await;
        assert_eq!(resp.status().as_u16(), 201);
        let op = wait(&s, &t, &resp).await;
        assert_eq!(op["status"], "Succeeded");
        let (_, c) = call(&s, &t, Method::GET, &path, None).await;
        let p = &c["properties"];
        assert_eq!(p["provisioningState"], "Succeeded");
        assert_eq!(p["servicePrincipalProfile"], json!({"clientId": "msi"}));
        assert_eq!(c["identity"]["type"], "SystemAssigned");
        let principal = c["identity"]["principalId"].as_str().unwrap().to_string();
        let nrg = "MC_MyResourceGroup_MyManagedCluster_westus2".to_string();
        assert_eq!(p["nodeResourceGroup"], nrg);
        let kubelet = p["identityProfile"]["kubeletidentity"]["resourceId"]
            .as_str()
            .unwrap();
        assert!(
            kubelet.ends_with(&format!(
                "/resourceGroups/{nrg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/MyManagedCluster-agentpool"
            )),
            "{kubelet}"
        );
        assert!(
            p["fqdn"]
                .as_str()
                .unwrap()
                .ends_with(".hcp.westus2.azmk8s.io")
        );
        assert_eq!(p["agentPoolProfiles"][0]["vmSize"], "Standard_DS2_v2");
        assert!(!c.to_string().contains("\"secret\""));

        // The node group: managed by the cluster, Contributor for its identity.
        let nrg_path = format!("/subscriptions/{sub}/resourceGroups/{nrg}");
        let (_, g) = call(&s, &t, Method::GET, &nrg_path, None).await;
        assert_eq!(g["managedBy"], c["id"]);
        let (_, list) = call(&s, &t, Method::GET, &format!("{nrg_path}/resources"), None).await;
        let types: Vec<&str> = list["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["type"].as_str().unwrap())
            .collect();
        for t in [
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            "Microsoft.Compute/virtualMachineScaleSets",
            "Microsoft.Network/loadBalancers",
            "Microsoft.Network/publicIPAddresses",
            "Microsoft.Network/networkSecurityGroups",
            "Microsoft.Network/virtualNetworks",
        ] {
            assert!(types.contains(&t), "{t} missing from {types:?}");
        }
        let (_, ra) = call(
            &s,
            &t,
            Method::GET,
            &format!(
                "/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments?$filter=principalId eq '{principal}'"
            ),
            None,
        )
        .await;
        let ra = ra["value"].as_array().unwrap().clone();
        assert!(ra.iter().any(|a| {
            a["properties"]["roleDefinitionId"]
                .as_str()
                .unwrap()
                .ends_with("b24988ac-6180-42a0-ab88-20f7382dd24c")
                && a["properties"]["scope"].as_str().unwrap()
                    == format!("/subscriptions/{sub}/resourceGroups/{nrg}")
        }));

        // Kubeconfigs: the same bytes every time, per-role user names.
        let user = kubeconfig(&s, &t, &path, "ClusterUser").await;
        assert_eq!(user, kubeconfig(&s, &t, &path, "ClusterUser").await);
        assert!(user.contains("user: clusterUser_myResourceGroup_MyManagedCluster"));
        assert!(user.contains(&format!("server: {}/aksemu/clusters/", s.base)));
        let server = user
            .lines()
            .find_map(|l| l.trim().strip_prefix("server: "))
            .unwrap()
            .to_string();
        let v: Value = s
            .client
            .get(format!("{server}/version"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["gitVersion"], "v1.32.6");
        let admin = kubeconfig(&s, &t, &path, "ClusterAdmin").await;
        assert!(admin.contains("clusterAdmin_myResourceGroup_MyManagedCluster"));
        let monitoring = kubeconfig(&s, &t, &path, "ClusterMonitoringUser").await;
        assert!(
            monitoring.contains("user: clusterMonitoringUser_myResourceGroup_MyManagedCluster")
        );
        assert_ne!(user, admin);

        // An add-on with an identity, then a second pool.
        let mut update = c.clone();
        update["properties"]["addonProfiles"] = json!({"azurepolicy": {"enabled": true}});
        let resp = call_raw(&s, &t, Method::PUT, &path, Some(update)).await;
        assert_eq!(resp.status().as_u16(), 200);
        assert_eq!(wait(&s, &t, &resp).await["status"], "Succeeded");
        let (_, c) = call(&s, &t, Method::GET, &path, None).await;
        let addon = &c["properties"]["addonProfiles"]["azurepolicy"]["identity"];
        assert!(
            addon["resourceId"]
                .as_str()
                .unwrap()
                .ends_with("/userAssignedIdentities/azurepolicy-mymanagedcluster")
        );
        let pool = format!("{path}/agentPools/pool2");
        let resp = call_raw(
            &s,
            &t,
            Method::PUT,
            &pool,
            Some(json!({"properties": {"count": 1, "mode": "User", "vmSize": ""}})),
        )
        .await;
        assert_eq!(resp.status().as_u16(), 201);
        assert_eq!(wait(&s, &t, &resp).await["status"], "Succeeded");
        let (_, pools) = call(&s, &t, Method::GET, &format!("{path}/agentPools"), None).await;
        assert_eq!(pools["value"].as_array().unwrap().len(), 2);

        // A node host, and an assignment made outside the node group.
        let (st, _) = call(
            &s,
            &t,
            Method::POST,
            "/aksemu/admin/hosts",
            Some(json!({"node": {"cluster": "MyManagedCluster", "pool": "pool2"}})),
        )
        .await;
        assert!(st < 300, "{st}");
        assert_eq!(assign(&s, &t, &rg, READER, &principal).await, 201);
        let outside = format!(
            "{rg}/providers/Microsoft.Authorization/roleAssignments?$filter=principalId eq '{principal}'"
        );

        // Delete: 202, then nothing of the cluster remains but that assignment.
        let resp = call_raw(&s, &t, Method::DELETE, &path, None).await;
        assert_eq!(resp.status().as_u16(), 202);
        assert_eq!(wait(&s, &t, &resp).await["status"], "Succeeded");
        assert_eq!(call(&s, &t, Method::GET, &path, None).await.0, 404);
        assert_eq!(call(&s, &t, Method::GET, &nrg_path, None).await.0, 404);
        assert_eq!(call(&s, &t, Method::DELETE, &path, None).await.0, 204);
        let (st, left) = call(&s, &t, Method::GET, &outside, None).await;
        assert_eq!(st, 200);
        assert_eq!(
            left["value"].as_array().map(Vec::len),
            Some(1),
            "assignments outside the node group stay: {left}"
        );
        let nrg_key = aksemu_core::ResourceId::parse(&nrg_path)
            .unwrap()
            .key()
            .to_string();
        // A SQLite store is one process's: inspect it once the server is gone.
        let spec = s.store_spec.clone();
        let _data = s.stop().await.unwrap();
        assert_no_orphans(&spec, &[format!("{nrg_key}/"), nrg_key]).await;
    }
}

#[tokio::test]
async fn identity_rules() {
    install_crypto();
    let (s, t, rg) = with_group(&TestStore::Sqlite, &[]).await;
    let sub = s.subscription_id.clone();
    let cluster =
        |n: &str| format!("{rg}/providers/Microsoft.ContainerService/managedClusters/{n}");
    let identity =
        |n: &str| format!("{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{n}");

    // A service principal cluster: the secret is checked by signing in.
    let sp = create_sp(&s, "aks-sp").await;
    let mut body = sp_cluster_body(&sp.app_id, "not-the-secret");
    let (st, e) = call(&s, &t, Method::PUT, &cluster("spc"), Some(body.clone())).await;
    assert_eq!(st, 400);
    assert_eq!(e["error"]["code"], "BadRequest");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("AADSTS7000215")
    );
    body["properties"]["servicePrincipalProfile"]["secret"] = json!(sp.secret);
    let c = create_cluster(&s, &t, &cluster("spc"), body).await;
    assert_eq!(
        c["properties"]["servicePrincipalProfile"],
        json!({"clientId": sp.app_id})
    );
    assert!(c["identity"].is_null());
    // Managed identity can only be chosen at creation.
    let mut to_msi = c.clone();
    to_msi["identity"] = json!({"type": "SystemAssigned"});
    let (st, e) = call(&s, &t, Method::PUT, &cluster("spc"), Some(to_msi)).await;
    assert_eq!((st, e["error"]["code"].as_str()), (400, Some("BadRequest")));

    let msi = create_cluster(&s, &t, &cluster("msi"), az_create_body("msi")).await;
    let mut to_sp = msi.clone();
    to_sp.as_object_mut().unwrap().remove("identity");
    to_sp["properties"]["servicePrincipalProfile"] =
        json!({"clientId": sp.app_id, "secret": sp.secret});
    let (st, e) = call(&s, &t, Method::PUT, &cluster("msi"), Some(to_sp)).await;
    assert_eq!((st, e["error"]["code"].as_str()), (400, Some("BadRequest")));
    let mut other_kubelet = msi.clone();
    other_kubelet["properties"]["identityProfile"]["kubeletidentity"]["resourceId"] =
        json!(identity("someone-else"));
    let (st, e) = call(&s, &t, Method::PUT, &cluster("msi"), Some(other_kubelet)).await;
    assert_eq!(st, 400);
    assert_eq!(e["error"]["code"], "ChangeKubeletIdentityNotAllowed");

    // Bring-your-own kubelet identity: the control plane needs Managed Identity
    // Operator on it.
    let (_, cp) = call(
        &s,
        &t,
        Method::PUT,
        &identity("cp"),
        Some(json!({"location": "westus2"})),
    )
    .await;
    let (_, kl) = call(
        &s,
        &t,
        Method::PUT,
        &identity("kl"),
        Some(json!({"location": "westus2"})),
    )
    .await;
    let mut byo = az_create_body("byo");
    byo["identity"] =
        json!({"type": "UserAssigned", "userAssignedIdentities": {cp["id"].as_str().unwrap(): {}}});
    byo["properties"]["identityProfile"] = json!({"kubeletidentity": {"resourceId": kl["id"]}});
    let (st, e) = call(&s, &t, Method::PUT, &cluster("byo"), Some(byo.clone())).await;
    assert_eq!(st, 400);
    assert_eq!(
        e["error"]["code"],
        "CustomKubeletIdentityMissingPermissionError"
    );
    let cp_principal = cp["properties"]["principalId"].as_str().unwrap();
    let kl_id = kl["id"].as_str().unwrap();
    assert_eq!(assign(&s, &t, kl_id, MI_OPERATOR, cp_principal).await, 201);
    let c = create_cluster(&s, &t, &cluster("byo"), byo.clone()).await;
    assert_eq!(c["identity"]["type"], "UserAssigned");
    assert!(c["identity"]["principalId"].is_null());
    assert_eq!(
        c["properties"]["identityProfile"]["kubeletidentity"]["objectId"],
        kl["properties"]["principalId"]
    );

    // A caller who may write clusters but not assign the identity.
    let dev = create_sp(&s, "aks-dev").await;
    assert_eq!(
        assign(&s, &t, &rg, AKS_CONTRIBUTOR, &dev.object_id).await,
        201
    );
    let dt = arm_token(&s, &dev).await;
    let mut ua = az_create_body("ua");
    ua["identity"] =
        json!({"type": "UserAssigned", "userAssignedIdentities": {cp["id"].as_str().unwrap(): {}}});
    let (st, e) = call(&s, &dt, Method::PUT, &cluster("ua"), Some(ua)).await;
    assert_eq!(st, 403);
    assert_eq!(e["error"]["code"], "LinkedAuthorizationFailed");

    // Names and versions.
    let long_rg = format!("/subscriptions/{sub}/resourceGroups/a-rather-long-resource-group-name");
    call(
        &s,
        &t,
        Method::PUT,
        &long_rg,
        Some(json!({"location": "westus2"})),
    )
    .await;
    let long = format!(
        "{long_rg}/providers/Microsoft.ContainerService/managedClusters/{}",
        "a".repeat(63)
    );
    let (st, e) = call(&s, &t, Method::PUT, &long, Some(az_create_body("x"))).await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (400, Some("InvalidParameter"))
    );
    let mut old = az_create_body("old");
    old["properties"]["kubernetesVersion"] = json!("1.10");
    let (st, e) = call(&s, &t, Method::PUT, &cluster("old"), Some(old)).await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (400, Some("K8sVersionNotSupported"))
    );
    let (st, v) = call(
        &s,
        &t,
        Method::GET,
        &format!("/subscriptions/{sub}/providers/Microsoft.ContainerService/locations/westus2/kubernetesVersions"),
        None,
    )
    .await;
    assert_eq!(st, 200);
    assert!(
        v["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["isDefault"] == true)
    );
    // The last System pool cannot go.
    let (st, e) = call(
        &s,
        &t,
        Method::DELETE,
        &format!("{}/agentPools/nodepool1", cluster("msi")),
        None,
    )
    .await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (409, Some("OperationNotAllowed"))
    );
    s.stop().await.unwrap();
}

pub(crate) async fn advance(s: &Server, t: &str, secs: i64) {
    let (st, _) = call(
        s,
        t,
        Method::POST,
        "/aksemu/admin/clock",
        Some(json!({ "advanceSeconds": secs })),
    )
    .await;
    assert_eq!(st, 200);
}

/// Adds a node pool in `subnet` and returns the operation's final status.
async fn add_pool_in(s: &Server, t: &str, cluster: &str, pool: &str, subnet: &str) -> Value {
    let resp = call_raw(
        s,
        t,
        Method::PUT,
        &format!("{cluster}/agentPools/{pool}"),
        Some(json!({"properties": {"count": 1, "mode": "User", "vnetSubnetID": subnet}})),
    )
    .await;
    assert_eq!(resp.status().as_u16(), 201);
    wait(s, t, &resp).await
}

#[tokio::test]
async fn node_pool_operations_wait_for_the_cluster_identity_grant_to_propagate() {
    install_crypto();
    for store in TestStore::all() {
        let (s, t, rg) = with_group(&store, &["--rbac-propagation", "60m"]).await;
        let vnet = format!("{rg}/providers/Microsoft.Network/virtualNetworks/vnet");
        let (st, _) = call(
            &s,
            &t,
            Method::PUT,
            &vnet,
            Some(json!({"location": "westus2", "properties": {
                "addressSpace": {"addressPrefixes": ["10.0.0.0/8"]},
                "subnets": [{"name": "pods", "properties": {"addressPrefix": "10.240.0.0/16"}}]}})),
        )
        .await;
        assert_eq!(st, 201);
        let subnet = format!("{vnet}/subnets/pods");
        let cluster = format!("{rg}/providers/Microsoft.ContainerService/managedClusters/c");
        let c = create_cluster(&s, &t, &cluster, az_create_body("c")).await;
        let principal = c["identity"]["principalId"].as_str().unwrap().to_string();

        // Without a grant on the subnet, the cluster identity cannot join it.
        let op = add_pool_in(&s, &t, &cluster, "pool2", &subnet).await;
        assert_eq!(op["status"], "Failed");
        assert_eq!(op["error"]["code"], "AuthorizationFailed");
        let (_, c) = call(&s, &t, Method::GET, &cluster, None).await;
        assert_eq!(c["properties"]["provisioningState"], "Failed");
        assert_eq!(
            c["properties"]["agentPoolProfiles"]
                .as_array()
                .unwrap()
                .len(),
            1
        );

        // Granted just before: not in effect for 60 minutes of cloud time.
        assert_eq!(
            assign(&s, &t, &subnet, NETWORK_CONTRIBUTOR, &principal).await,
            201
        );
        let op = add_pool_in(&s, &t, &cluster, "pool2", &subnet).await;
        assert_eq!(op["status"], "Failed");
        assert!(op.to_string().contains("not yet effective until"), "{op}");
        advance(&s, &t, 59 * 60).await;
        let op = add_pool_in(&s, &t, &cluster, "pool2", &subnet).await;
        assert_eq!(op["status"], "Failed", "59 minutes is not enough");
        advance(&s, &t, 2 * 60).await;
        let op = add_pool_in(&s, &t, &cluster, "pool2", &subnet).await;
        assert_eq!(op["status"], "Succeeded", "{op}");
        let (_, c) = call(&s, &t, Method::GET, &cluster, None).await;
        assert_eq!(c["properties"]["provisioningState"], "Succeeded");
        assert_eq!(
            c["properties"]["agentPoolProfiles"][1]["vnetSubnetID"],
            subnet
        );
        s.stop().await.unwrap();
    }
}

#[tokio::test]
async fn secret_expiring_while_a_scale_is_in_flight_fails_it() {
    install_crypto();
    for store in TestStore::all() {
        let (s, t, rg) = with_group(&store, &["--aks-operation-time", "10m"]).await;
        let sp = create_sp(&s, "aks-sp").await;
        let body = sp_cluster_body(&sp.app_id, &sp.secret);
        let cluster = format!("{rg}/providers/Microsoft.ContainerService/managedClusters/spc");
        let resp = call_raw(&s, &t, Method::PUT, &cluster, Some(body)).await;
        assert_eq!(resp.status().as_u16(), 201);
        // The create takes ten minutes of cloud time. Something that must not
        // happen has no event to wait for: the engine checks the clock every
        // 200 ms, so after 500 ms it has looked (and not finished) at least twice.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (_, c) = call(&s, &t, Method::GET, &cluster, None).await;
        assert_eq!(c["properties"]["provisioningState"], "Creating");
        advance(&s, &t, 10 * 60).await;
        assert_eq!(wait(&s, &t, &resp).await["status"], "Succeeded");

        // A scale starts; while it runs, the secret (two years) expires.
        let (_, mut c) = call(&s, &t, Method::GET, &cluster, None).await;
        c["properties"]["agentPoolProfiles"][0]["count"] = json!(5);
        let resp = call_raw(&s, &t, Method::PUT, &cluster, Some(c)).await;
        assert_eq!(resp.status().as_u16(), 200);
        advance(&s, &t, 731 * 86_400).await;
        let op = wait(&s, &t, &resp).await;
        assert_eq!(op["status"], "Failed");
        assert!(op.to_string().contains("AADSTS7000222"), "{op}");
        let (_, c) = call(&s, &t, Method::GET, &cluster, None).await;
        assert_eq!(c["properties"]["provisioningState"], "Failed");
        assert_eq!(c["properties"]["agentPoolProfiles"][0]["count"], 3);
        s.stop().await.unwrap();
    }
}
