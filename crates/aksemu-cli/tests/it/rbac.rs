//! Enforcement on every endpoint, and role assignments with Azure's rules.

use std::collections::{HashMap, HashSet};

use aksemu_arm::endpoint::{self, Access};
use aksemu_core::request::Method as ArmMethod;
use aksemu_testkit::{Server, TestStore, join_all};
use reqwest::Method;
use serde_json::{Value, json};

use crate::principals::{arm_token, create_sp};
use crate::{bin, install_crypto};

fn method(m: ArmMethod) -> Method {
    Method::from_bytes(m.as_str().as_bytes()).unwrap()
}

async fn call(
    s: &Server,
    token: Option<&str>,
    m: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    s.call(token, m, path, "2022-04-01", body).await
}

/// The registry `aksemu serve` builds: ARM's providers and AKS.
fn full_registry() -> aksemu_arm::Registry {
    let mut r = aksemu_arm::providers::builtin_registry();
    aksemu_aks::register(&mut r, 0);
    r
}

/// Azure's published operation names (data/azure_operations.txt).
fn published_operations() -> HashSet<&'static str> {
    include_str!("data/azure_operations.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// The action each sampled endpoint must demand, by (method, path), with the
/// subscription and group filled in (data/expected_actions.txt).
fn expected_actions(sub: &str, rg: &str) -> HashMap<(String, String), String> {
    include_str!("data/expected_actions.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let path = f[1].replace("{sub}", sub).replace("{rg}", rg);
            ((f[0].to_string(), path), f[2].to_string())
        })
        .collect()
}

/// The action an AuthorizationFailed message names.
fn demanded_action(body: &Value) -> Option<&str> {
    let message = body["error"]["message"].as_str()?;
    let rest = message.split("perform action '").nth(1)?;
    rest.split('\'').next()
}

#[test]
fn expected_actions_are_azures_published_names() {
    let published = published_operations();
    let unpublished: Vec<String> = expected_actions("s", "rg")
        .into_values()
        .filter(|a| !published.contains(a.as_str()))
        .collect();
    assert!(
        unpublished.is_empty(),
        "not published by Azure: {unpublished:?}"
    );
}

#[test]
fn samples_cover_every_endpoint_kind() {
    use aksemu_arm::endpoint::samples::{VARIANTS, variant_index};
    let registry = full_registry();
    let mut seen = [false; VARIANTS];
    for (m, p) in registry.samples("s", "rg") {
        let ep = endpoint::parse(registry.catalogue(), m, &p, Some("2024-11-01"))
            .unwrap_or_else(|e| panic!("{p}: {e}"));
        seen[variant_index(&ep)] = true;
    }
    assert!(seen.iter().all(|s| *s), "{seen:?}");
}

#[tokio::test]
async fn every_endpoint_needs_a_token_and_a_role() {
    install_crypto();
    let s = Server::start(bin(), &TestStore::Sqlite).await.unwrap();
    let admin = s.admin_token().await.unwrap();
    let sub = s.subscription_id.clone();
    call(
        &s,
        Some(&admin),
        Method::PUT,
        &format!("/subscriptions/{sub}/resourceGroups/walk"),
        Some(json!({"location": "westus2"})),
    )
    .await;
    let nobody = create_sp(&s, "nobody").await;
    let nobody_token = arm_token(&s, &nobody).await;
    let registry = full_registry();
    let expected = expected_actions(&sub, "walk");
    let mut wrong = Vec::new();
    for (m, path) in registry.samples(&sub, "walk") {
        let ep = endpoint::parse(registry.catalogue(), m, &path, Some("2022-04-01")).unwrap();
        let (st, body) = call(&s, None, method(m), &path, Some(json!({}))).await;
        assert_eq!(st, 401, "anonymous {} {path}: {body}", m.as_str());
        let (st, body) = call(&s, Some(&nobody_token), method(m), &path, Some(json!({}))).await;
        match ep.access() {
            Access::TenantMember(_) => assert!(
                st == 200 || st == 404,
                "no role {} {path}: {st} {body}",
                m.as_str()
            ),
            // Operation status is authorised against the operation's target, so an
            // unknown operation is a 404 before any role is considered.
            Access::OperationTarget => assert_eq!(st, 404, "{path}: {body}"),
            Access::Scope { .. } => {
                assert_eq!(st, 403, "no role {} {path}: {body}", m.as_str());
                if m != ArmMethod::Head {
                    assert_eq!(body["error"]["code"], "AuthorizationFailed");
                    assert!(
                        body["error"]["additionalInfo"][0]["info"].is_object(),
                        "explanation: {body}"
                    );
                    let key = (m.as_str().to_string(), path.clone());
                    match expected.get(&key) {
                        Some(want) if Some(want.as_str()) != demanded_action(&body) => wrong.push(
                            format!("{} {path}: demands {body}, Azure's is {want}", key.0),
                        ),
                        Some(_) => {}
                        None => {
                            wrong.push(format!("{} {path}: not in expected_actions.txt", key.0))
                        }
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // A real operation: only readers of its target may follow it.
    let r = s
        .client
        .delete(s.url(&format!(
            "/subscriptions/{sub}/resourceGroups/walk?api-version=2024-11-01"
        )))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let op = r.headers()["azure-asyncoperation"]
        .to_str()
        .unwrap()
        .to_string();
    let st = s
        .client
        .get(&op)
        .bearer_auth(&nobody_token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(st, 403);
    let st = s
        .client
        .get(&op)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(st, 200);
}

#[tokio::test]
async fn role_assignment_rules() {
    install_crypto();
    for store in TestStore::all() {
        let s = Server::start(bin(), &store).await.unwrap();
        let admin = s.admin_token().await.unwrap();
        let a = Some(admin.as_str());
        let sub = s.subscription_id.clone();
        let rg = format!("/subscriptions/{sub}/resourceGroups/Rules");
        call(
            &s,
            a,
            Method::PUT,
            &rg,
            Some(json!({"location": "westus2"})),
        )
        .await;
        let p = create_sp(&s, "reader-bot").await;
        let pt = arm_token(&s, &p).await;
        let reader = format!(
            "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
        );
        let contributor = format!(
            "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"
        );
        let ra =
            |name: &str| format!("{rg}/providers/Microsoft.Authorization/roleAssignments/{name}");
        let body = |role: &str, principal: &str, ptype: Option<&str>| {
            let mut b = json!({"properties": {"roleDefinitionId": role, "principalId": principal}});
            if let Some(t) = ptype {
                b["properties"]["principalType"] = json!(t);
            }
            b
        };
        let n1 = "11111111-1111-1111-1111-111111111111";

        assert_eq!(call(&s, Some(&pt), Method::GET, &rg, None).await.0, 403);
        let (st, b) = call(
            &s,
            a,
            Method::PUT,
            &ra(n1),
            Some(body(&reader, &p.object_id, None)),
        )
        .await;
        assert_eq!(st, 201, "{b}");
        assert_eq!(b["properties"]["principalType"], "ServicePrincipal");
        assert_eq!(b["properties"]["scope"], rg.as_str());
        assert_eq!(b["properties"]["roleDefinitionId"], reader.as_str());
        // Granted at once, and only what Reader grants.
        assert_eq!(call(&s, Some(&pt), Method::GET, &rg, None).await.0, 200);
        assert_eq!(
            call(&s, Some(&pt), Method::PATCH, &rg, Some(json!({"tags": {}})))
                .await
                .0,
            403
        );

        let (st, _) = call(
            &s,
            a,
            Method::PUT,
            &ra(n1),
            Some(body(&reader, &p.object_id, None)),
        )
        .await;
        assert_eq!(st, 200, "identical PUT is accepted again");
        let (st, b) = call(
            &s,
            a,
            Method::PUT,
            &ra(n1),
            Some(body(&contributor, &p.object_id, None)),
        )
        .await;
        assert_eq!(
            (st, b["error"]["code"].as_str()),
            (400, Some("RoleAssignmentUpdateNotPermitted"))
        );
        let n2 = "22222222-2222-2222-2222-222222222222";
        let (st, b) = call(
            &s,
            a,
            Method::PUT,
            &ra(n2),
            Some(body(&reader, &p.object_id, None)),
        )
        .await;
        assert_eq!(
            (st, b["error"]["code"].as_str()),
            (409, Some("RoleAssignmentExists"))
        );
        let ghost = "33333333-3333-3333-3333-333333333333";
        let (st, b) = call(
            &s,
            a,
            Method::PUT,
            &ra(n2),
            Some(body(&reader, ghost, None)),
        )
        .await;
        assert_eq!(
            (st, b["error"]["code"].as_str()),
            (400, Some("PrincipalNotFound"))
        );
        let (st, _) = call(
            &s,
            a,
            Method::PUT,
            &ra(n2),
            Some(body(&reader, ghost, Some("ServicePrincipal"))),
        )
        .await;
        assert_eq!(st, 201, "with principalType the principal is not looked up");
        let (st, b) = call(
            &s,
            a,
            Method::PUT,
            &ra("not-a-guid"),
            Some(body(&reader, ghost, Some("User"))),
        )
        .await;
        assert_eq!(
            (st, b["error"]["code"].as_str()),
            (400, Some("InvalidRoleAssignmentId"))
        );
        let bogus_role = format!(
            "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/44444444-4444-4444-4444-444444444444"
        );
        let (st, b) = call(
            &s,
            a,
            Method::PUT,
            &ra("55555555-5555-5555-5555-555555555555"),
            Some(body(&bogus_role, ghost, Some("User"))),
        )
        .await;
        assert_eq!(
            (st, b["error"]["code"].as_str()),
            (404, Some("RoleDefinitionDoesNotExist"))
        );

        // Listing: atScope() is at and above; no filter adds below; principal filters.
        let list = |scope: &str, filter: &str| {
            let f = if filter.is_empty() {
                String::new()
            } else {
                format!("?$filter={filter}")
            };
            format!("{scope}/providers/Microsoft.Authorization/roleAssignments{f}")
        };
        let names = |b: &Value| -> Vec<String> {
            b["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["properties"]["scope"].as_str().unwrap().to_string())
                .collect()
        };
        let (_, b) = call(&s, a, Method::GET, &list(&rg, "atScope()"), None).await;
        assert_eq!(
            b["value"].as_array().unwrap().len(),
            3,
            "Owner at the subscription + two at the group: {b}"
        );
        let (_, b) = call(
            &s,
            a,
            Method::GET,
            &list(&format!("/subscriptions/{sub}"), "atScope()"),
            None,
        )
        .await;
        assert_eq!(names(&b), vec![format!("/subscriptions/{sub}")]);
        let (_, b) = call(
            &s,
            a,
            Method::GET,
            &list(&format!("/subscriptions/{sub}"), ""),
            None,
        )
        .await;
        assert_eq!(b["value"].as_array().unwrap().len(), 3);
        let (_, b) = call(
            &s,
            a,
            Method::GET,
            &list(
                &format!("/subscriptions/{sub}"),
                &format!("principalId eq '{}'", p.object_id),
            ),
            None,
        )
        .await;
        assert_eq!(b["value"].as_array().unwrap().len(), 1);
        let (_, b) = call(
            &s,
            a,
            Method::GET,
            &list(&rg, &format!("atScope() and assignedTo('{}')", p.object_id)),
            None,
        )
        .await;
        assert_eq!(b["value"].as_array().unwrap().len(), 1);

        // Deleting revokes at once; deleting again is a 204.
        let (st, _) = call(&s, a, Method::DELETE, &ra(n1), None).await;
        assert_eq!(st, 200);
        assert_eq!(call(&s, Some(&pt), Method::GET, &rg, None).await.0, 403);
        assert_eq!(call(&s, a, Method::DELETE, &ra(n1), None).await.0, 204);
        let (st, b) = call(&s, a, Method::GET, &ra(n1), None).await;
        assert_eq!(
            (st, b["error"]["code"].as_str()),
            (404, Some("RoleAssignmentNotFound"))
        );

        // Definitions: filters, and a custom role that the evaluator honours.
        let defs =
            format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions");
        let (_, b) = call(
            &s,
            a,
            Method::GET,
            &format!("{defs}?$filter=roleName eq 'acrpull'"),
            None,
        )
        .await;
        assert_eq!(b["value"].as_array().unwrap().len(), 1);
        assert_eq!(
            b["value"][0]["id"],
            format!("{defs}/7f951dda-4ed3-4680-a7ca-43fe172d538d")
        );
        let custom = "66666666-6666-6666-6666-666666666666";
        let (st, b) = call(&s, a, Method::PUT, &format!("{defs}/{custom}"), Some(json!({"properties": {
            "roleName": "Group Tagger", "description": "reads and tags groups",
            "permissions": [{"actions": ["Microsoft.Resources/subscriptions/resourceGroups/*"], "notActions": ["Microsoft.Resources/subscriptions/resourceGroups/delete"]}],
            "assignableScopes": [format!("/subscriptions/{sub}")]
        }}))).await;
        assert_eq!(st, 201, "{b}");
        let (_, b) = call(
            &s,
            a,
            Method::GET,
            &format!("{defs}?$filter=type eq 'CustomRole'"),
            None,
        )
        .await;
        assert_eq!(b["value"][0]["properties"]["roleName"], "Group Tagger");
        let n3 = "77777777-7777-7777-7777-777777777777";
        let (st, _) = call(
            &s,
            a,
            Method::PUT,
            &ra(n3),
            Some(body(&format!("{defs}/{custom}"), &p.object_id, None)),
        )
        .await;
        assert_eq!(st, 201);
        assert_eq!(
            call(
                &s,
                Some(&pt),
                Method::PATCH,
                &rg,
                Some(json!({"tags": {"x": "y"}}))
            )
            .await
            .0,
            200
        );
        assert_eq!(
            call(&s, Some(&pt), Method::DELETE, &rg, None).await.0,
            403,
            "notActions subtract"
        );
        let (st, b) = call(&s, a, Method::DELETE, &format!("{defs}/{custom}"), None).await;
        assert_eq!(
            (st, b["error"]["code"].as_str()),
            (409, Some("RoleDefinitionHasAssignments"))
        );
        call(&s, a, Method::DELETE, &ra(n3), None).await;
        assert_eq!(
            call(&s, a, Method::DELETE, &format!("{defs}/{custom}"), None)
                .await
                .0,
            200
        );
    }
}

#[tokio::test]
async fn four_thousand_assignments_per_subscription() {
    install_crypto();
    let s = Server::start(bin(), &TestStore::Sqlite).await.unwrap();
    let admin = s.admin_token().await.unwrap();
    let sub = s.subscription_id.clone();
    let reader = format!(
        "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
    );
    // The bootstrap Owner assignment is the first; add 3,999 more, 16 at a time.
    let mut next = 1u32;
    while next < 4000 {
        let batch: Vec<u32> = (next..(next + 16).min(4000)).collect();
        next += batch.len() as u32;
        let futs = batch.iter().map(|i| {
            let principal = format!("00000000-0000-0000-0000-{i:012}");
            let name = format!("10000000-0000-0000-0000-{i:012}");
            let path = format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments/{name}");
            let body = json!({"properties": {"roleDefinitionId": reader, "principalId": principal, "principalType": "User"}});
            let (s, admin) = (&s, admin.clone());
            async move { call(s, Some(&admin), Method::PUT, &path, Some(body)).await.0 }
        });
        for st in join_all(futs.collect()).await {
            assert_eq!(st, 201);
        }
    }
    let path = format!(
        "/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments/20000000-0000-0000-0000-000000000001"
    );
    let body = json!({"properties": {"roleDefinitionId": reader, "principalId": "00000000-0000-0000-0000-999999999999", "principalType": "User"}});
    let (st, b) = call(&s, Some(&admin), Method::PUT, &path, Some(body)).await;
    assert_eq!(
        (st, b["error"]["code"].as_str()),
        (400, Some("RoleAssignmentLimitExceeded"))
    );
}
