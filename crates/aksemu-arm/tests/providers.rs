//! ARM's providers through the in-process app: each call passes the endpoint
//! parser, the gate and dispatch, as over HTTPS, and the store is read back.

#![allow(clippy::unwrap_used)]

use aksemu_arm::Method;
use aksemu_testkit::TestApp;
use serde_json::{Value, json};

const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const MI_API: &str = "api-version=2023-01-31";

async fn app_with_group(rg: &str) -> (TestApp, String) {
    let app = TestApp::new().await;
    let group = app.group(rg).await;
    (app, group)
}

#[tokio::test]
async fn user_assigned_identity_has_a_principal_for_its_life() {
    let (app, group) = app_with_group("ids").await;
    let id = format!(
        "{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-id?{MI_API}"
    );
    let (st, created) = app
        .call(
            &app.admin,
            Method::Put,
            &id,
            json!({"location": "westus2", "tags": {"a": "b"}}),
        )
        .await;
    assert_eq!(st, 201, "{created}");
    let principal = created["properties"]["principalId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(created["properties"]["clientId"].is_string());
    assert_eq!(
        created["properties"]["tenantId"],
        app.boot.tenant_id.as_str()
    );
    assert!(
        app.cloud
            .entra
            .service_principal(&principal)
            .await
            .unwrap()
            .is_some()
    );
    // A second PUT keeps the principal.
    let (st, again) = app
        .call(&app.admin, Method::Put, &id, json!({"location": "westus2"}))
        .await;
    assert_eq!(
        (st, &again["properties"]["principalId"]),
        (200, &json!(principal))
    );
    let list =
        format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?{MI_API}");
    let (_, listed) = app.call(&app.admin, Method::Get, &list, Value::Null).await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 1);
    let (st, _) = app.call(&app.admin, Method::Delete, &id, Value::Null).await;
    assert_eq!(st, 200);
    assert!(
        app.cloud
            .entra
            .service_principal(&principal)
            .await
            .unwrap()
            .is_none()
    );
    let (st, gone) = app.call(&app.admin, Method::Get, &id, Value::Null).await;
    assert_eq!(
        (st, gone["error"]["code"].as_str()),
        (404, Some("ResourceNotFound"))
    );
}

#[tokio::test]
async fn a_reader_reads_but_does_not_write() {
    let (app, group) = app_with_group("readers").await;
    let reader = app.principal("reader").await;
    app.grant(&reader, READER, &group).await;
    let id =
        format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x?{MI_API}");
    let (st, denied) = app
        .call(&reader, Method::Put, &id, json!({"location": "westus2"}))
        .await;
    assert_eq!(
        (st, denied["error"]["code"].as_str()),
        (403, Some("AuthorizationFailed"))
    );
    let (st, _) = app.call(&reader, Method::Get, &group, Value::Null).await;
    assert_eq!(st, 200);
    // Nothing was written by the refused PUT.
    let (st, _) = app.call(&app.admin, Method::Get, &id, Value::Null).await;
    assert_eq!(st, 404);
}

#[tokio::test]
async fn virtual_network_subnets_are_children() {
    let (app, group) = app_with_group("net").await;
    let vnet = format!("{group}/providers/Microsoft.Network/virtualNetworks/v1");
    let body = json!({"location": "westus2", "properties": {
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [{"name": "s1", "properties": {"addressPrefix": "10.0.1.0/24"}}],
    }});
    let (st, created) = app.call(&app.admin, Method::Put, &vnet, body).await;
    assert_eq!(st, 201, "{created}");
    let (st, subnet) = app
        .call(
            &app.admin,
            Method::Get,
            &format!("{vnet}/subnets/s1"),
            Value::Null,
        )
        .await;
    assert_eq!(st, 200, "{subnet}");
    assert_eq!(subnet["id"], format!("{vnet}/subnets/s1").as_str());
    assert_eq!(subnet["properties"]["addressPrefix"], "10.0.1.0/24");
    let (_, subnets) = app
        .call(
            &app.admin,
            Method::Get,
            &format!("{vnet}/subnets"),
            Value::Null,
        )
        .await;
    assert_eq!(subnets["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn registry_names_are_checked_and_taken() {
    let (app, group) = app_with_group("acr").await;
    let sub = app.subscription().to_string();
    let check = format!(
        "/subscriptions/{sub}/providers/Microsoft.ContainerRegistry/checkNameAvailability?api-version=2023-07-01"
    );
    let ask = |name: &str| json!({"name": name, "type": "Microsoft.ContainerRegistry/registries"});
    let (_, free) = app
        .call(&app.admin, Method::Post, &check, ask("myregistry1"))
        .await;
    assert_eq!(free["nameAvailable"], true, "{free}");
    let (_, invalid) = app.call(&app.admin, Method::Post, &check, ask("a-b")).await;
    assert_eq!(invalid["reason"], "Invalid");
    let reg = format!(
        "{group}/providers/Microsoft.ContainerRegistry/registries/myRegistry1?api-version=2023-07-01"
    );
    let body = json!({"location": "westus2", "sku": {"name": "Basic"}});
    let (st, created) = app.call(&app.admin, Method::Put, &reg, body).await;
    assert_eq!(st, 201, "{created}");
    assert_eq!(
        created["properties"]["loginServer"],
        "myregistry1.azurecr.io"
    );
    let (_, taken) = app
        .call(&app.admin, Method::Post, &check, ask("myregistry1"))
        .await;
    assert_eq!(taken["reason"], "AlreadyExists");
}

#[tokio::test]
async fn role_assignments_follow_azures_rules() {
    let (app, group) = app_with_group("ra").await;
    let who = app.principal("someone").await;
    let name = "11111111-1111-1111-1111-111111111111";
    let path = format!("{group}/providers/Microsoft.Authorization/roleAssignments/{name}");
    let body = |role: &str| {
        json!({"properties": {
            "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{role}"),
            "principalId": who.object_id,
            "principalType": "ServicePrincipal",
        }})
    };
    let (st, created) = app.call(&app.admin, Method::Put, &path, body(READER)).await;
    assert_eq!(st, 201, "{created}");
    // The same assignment again is answered unchanged; another role under the name is refused.
    let (st, _) = app.call(&app.admin, Method::Put, &path, body(READER)).await;
    assert_eq!(st, 200);
    let (st, changed) = app
        .call(&app.admin, Method::Put, &path, body(CONTRIBUTOR))
        .await;
    assert_eq!(
        (st, changed["error"]["code"].as_str()),
        (400, Some("RoleAssignmentUpdateNotPermitted"))
    );
    // The same (scope, role, principal) under another name exists already.
    let other = format!(
        "{group}/providers/Microsoft.Authorization/roleAssignments/22222222-2222-2222-2222-222222222222"
    );
    let (st, dup) = app
        .call(&app.admin, Method::Put, &other, body(READER))
        .await;
    assert_eq!(
        (st, dup["error"]["code"].as_str()),
        (409, Some("RoleAssignmentExists"))
    );
    // The assignment grants at once (no propagation delay configured).
    let (st, _) = app.call(&who, Method::Get, &group, Value::Null).await;
    assert_eq!(st, 200);
    let (st, _) = app
        .call(&app.admin, Method::Delete, &path, Value::Null)
        .await;
    assert_eq!(st, 200);
    let (st, _) = app.call(&who, Method::Get, &group, Value::Null).await;
    assert_eq!(st, 403);
}

#[tokio::test]
async fn custom_roles_grant_what_they_list() {
    let (app, group) = app_with_group("custom").await;
    let sub = format!("/subscriptions/{}", app.subscription());
    let guid = "33333333-3333-3333-3333-333333333333";
    let def = format!(
        "{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}?api-version=2022-04-01"
    );
    let body = json!({"properties": {
        "roleName": "Group reader",
        "permissions": [{"actions": ["Microsoft.Resources/subscriptions/resourceGroups/read"]}],
        "assignableScopes": [sub],
    }});
    let (st, created) = app.call(&app.admin, Method::Put, &def, body.clone()).await;
    assert_eq!(st, 201, "{created}");
    let mut clash = body;
    clash["properties"]["roleName"] = json!("Reader");
    let other = def.replace(guid, "44444444-4444-4444-4444-444444444444");
    let (st, refused) = app.call(&app.admin, Method::Put, &other, clash).await;
    assert_eq!(
        (st, refused["error"]["code"].as_str()),
        (409, Some("RoleDefinitionWithSameNameExists"))
    );
    let who = app.principal("custom").await;
    app.grant(&who, guid, &group).await;
    let (st, _) = app.call(&who, Method::Get, &group, Value::Null).await;
    assert_eq!(st, 200);
    let (st, _) = app
        .call(&who, Method::Patch, &group, json!({"tags": {"x": "y"}}))
        .await;
    assert_eq!(st, 403);
}

#[tokio::test]
async fn a_scale_set_gets_its_own_identity_and_loses_it() {
    let (app, group) = app_with_group("vmss").await;
    let vmss = format!(
        "{group}/providers/Microsoft.Compute/virtualMachineScaleSets/ss1?api-version=2024-07-01"
    );
    let body = |t: &str| json!({"location": "westus2", "identity": {"type": t}});
    let (st, created) = app
        .call(&app.admin, Method::Put, &vmss, body("SystemAssigned"))
        .await;
    assert_eq!(st, 201, "{created}");
    let principal = created["identity"]["principalId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(created["properties"]["uniqueId"].is_string());
    assert!(
        app.cloud
            .entra
            .service_principal(&principal)
            .await
            .unwrap()
            .is_some()
    );
    let (st, updated) = app.call(&app.admin, Method::Put, &vmss, body("None")).await;
    assert_eq!(st, 200);
    assert!(updated.get("identity").is_none(), "{updated}");
    assert!(
        app.cloud
            .entra
            .service_principal(&principal)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn resource_groups_keep_their_location_and_casing() {
    let (app, group) = app_with_group("MyGroup").await;
    let lower = group.to_lowercase();
    let (st, moved) = app
        .call(
            &app.admin,
            Method::Put,
            &lower,
            json!({"location": "eastus"}),
        )
        .await;
    assert_eq!(
        (st, moved["error"]["code"].as_str()),
        (409, Some("InvalidResourceGroupLocation"))
    );
    let (st, got) = app.call(&app.admin, Method::Get, &lower, Value::Null).await;
    assert_eq!((st, got["name"].as_str()), (200, Some("MyGroup")));
    let bad = format!("/subscriptions/{}/resourceGroups/bad.", app.subscription());
    let (st, refused) = app
        .call(
            &app.admin,
            Method::Put,
            &bad,
            json!({"location": "westus2"}),
        )
        .await;
    assert_eq!(
        (st, refused["error"]["code"].as_str()),
        (400, Some("InvalidResourceGroup"))
    );
}

/// Whoever writes assignment rows, `Cloud::commit` brings the index in step:
/// no caller reloads the RBAC index by hand.
#[tokio::test]
async fn committing_assignment_rows_grants_without_a_manual_reload() {
    use aksemu_arm::providers::role_assignments::writes_for;
    use aksemu_arm::rbac::document::{AssignmentProperties, StoredAssignment};
    use aksemu_core::ResourceId;
    use aksemu_store::Cond;
    let (app, group) = app_with_group("commit").await;
    let who = app.principal("direct").await;
    let (st, _) = app.call(&who, Method::Get, &group, Value::Null).await;
    assert_eq!(st, 403);
    let scope = ResourceId::parse(&group).unwrap();
    let properties = AssignmentProperties {
        role_definition_id: format!("/providers/Microsoft.Authorization/roleDefinitions/{READER}"),
        principal_id: who.object_id.clone(),
        scope: group.clone(),
        ..AssignmentProperties::default()
    };
    let assignment =
        StoredAssignment::new(&scope, "55555555-5555-5555-5555-555555555555", properties);
    app.cloud
        .commit(writes_for(&assignment, Cond::Absent).unwrap())
        .await
        .unwrap();
    let (st, _) = app.call(&who, Method::Get, &group, Value::Null).await;
    assert_eq!(st, 200);
}

/// A scope with `.` or `..` segments names another scope than it seems to:
/// refused before anything is stored.
#[tokio::test]
async fn dot_segments_in_a_scope_are_refused() {
    let (app, group) = app_with_group("dots").await;
    let who = app.principal("dots").await;
    let path = format!(
        "{group}/../other/providers/Microsoft.Authorization/roleAssignments/66666666-6666-6666-6666-666666666666"
    );
    let body = json!({"properties": {
        "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{READER}"),
        "principalId": who.object_id,
        "principalType": "ServicePrincipal",
    }});
    let (st, answer) = app.call(&app.admin, Method::Put, &path, body).await;
    assert!((400..500).contains(&st) && st != 403, "{st} {answer}");
    let (st, _) = app.call(&who, Method::Get, &group, Value::Null).await;
    assert_eq!(st, 403);
}

/// Follows `nextLink` from `first` to the end; every item and the pages read.
async fn all_pages(
    app: &TestApp,
    who: &aksemu_core::Principal,
    first: &str,
) -> (Vec<Value>, usize) {
    let (mut items, mut pages, mut next) = (Vec::new(), 0, Some(first.to_string()));
    while let Some(path) = next.take() {
        let (st, page) = app.call(who, Method::Get, &path, Value::Null).await;
        assert_eq!(st, 200, "{page}");
        pages += 1;
        items.extend(page["value"].as_array().cloned().unwrap_or_default());
        next = page["nextLink"]
            .as_str()
            .map(|l| l.trim_start_matches("https://localhost:1").to_string());
        assert!(pages < 100, "paging does not end");
    }
    (items, pages)
}

/// Lists are paged (`$top`, `nextLink`), and a caller who can see a little of
/// a large subscription does not make the server read all of it at once.
#[tokio::test]
async fn lists_are_paged_and_filtered_per_page() {
    let app = TestApp::new().await;
    let sub = app.subscription().to_string();
    for i in 0..30 {
        app.group(&format!("g{i:02}")).await;
    }
    let list = format!("/subscriptions/{sub}/resourcegroups?api-version=2024-11-01&$top=10");
    let (items, pages) = all_pages(&app, &app.admin, &list).await;
    let mut names: Vec<&str> = items.iter().filter_map(|g| g["name"].as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!((names.len(), pages), (30, 4));
    // No role anywhere around the subscription: nothing, in one answer.
    let nobody = app.principal("nobody").await;
    let (st, none) = app.call(&nobody, Method::Get, &list, Value::Null).await;
    assert_eq!((st, none["value"].as_array().map(Vec::len)), (200, Some(0)));
    assert!(none.get("nextLink").is_none());
    // A reader of one group finds it, whatever page it is on.
    let reader = app.principal("one-group").await;
    app.grant(
        &reader,
        READER,
        &format!("/subscriptions/{sub}/resourceGroups/g27"),
    )
    .await;
    let (items, _) = all_pages(&app, &reader, &list).await;
    let seen: Vec<&str> = items.iter().filter_map(|g| g["name"].as_str()).collect();
    assert_eq!(seen, ["g27"]);
    let bad = format!("/subscriptions/{sub}/resourcegroups?api-version=2024-11-01&$top=100000");
    let (st, _) = app.call(&app.admin, Method::Get, &bad, Value::Null).await;
    assert_eq!(st, 400);
}

/// Role assignments are answered a page at a time too.
#[tokio::test]
async fn role_assignment_lists_are_paged() {
    let (app, group) = app_with_group("ra-pages").await;
    for i in 0..5 {
        let who = app.principal(&format!("p{i}")).await;
        app.grant(&who, READER, &group).await;
    }
    let list = format!(
        "{group}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=atScope()&$top=2"
    );
    let (items, pages) = all_pages(&app, &app.admin, &list).await;
    let mut ids: Vec<&str> = items.iter().filter_map(|a| a["id"].as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert!(ids.len() >= 5, "{ids:?}");
    assert!(pages >= 3, "{pages} pages");
}
