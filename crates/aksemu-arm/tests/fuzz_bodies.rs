//! Property-based fuzzing of the JSON bodies of every writable type, through
//! the in-process app (parser, gate, providers, store): any body is answered
//! without a panic and without a server error, and a refused write leaves
//! nothing behind.

#![allow(clippy::unwrap_used)]

use aksemu_arm::Method;
use aksemu_testkit::TestApp;
use proptest::prelude::*;
use serde_json::{Value, json};

/// JSON values shaped like ARM bodies: known keys with values of any type.
fn body() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,16}".prop_map(Value::from),
        Just(json!("westus2")),
        Just(json!("SystemAssigned")),
        Just(json!("/subscriptions/x/resourceGroups/y")),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("location".to_string()),
                    Just("tags".to_string()),
                    Just("properties".to_string()),
                    Just("identity".to_string()),
                    Just("type".to_string()),
                    Just("userAssignedIdentities".to_string()),
                    Just("agentPoolProfiles".to_string()),
                    Just("subnets".to_string()),
                    Just("permissions".to_string()),
                    Just("assignableScopes".to_string()),
                    Just("roleDefinitionId".to_string()),
                    Just("principalId".to_string()),
                    "[a-zA-Z]{1,8}",
                ],
                inner,
                0..5,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop_oneof![
        value.clone(),
        value.prop_map(|v| json!({"location": "westus2", "properties": v})),
    ]
}

/// One path per writable type.
fn targets(sub: &str) -> Vec<String> {
    let g = format!("/subscriptions/{sub}/resourceGroups/fuzz");
    vec![
        format!("/subscriptions/{sub}/resourceGroups/fuzz2"),
        format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"),
        format!("{g}/providers/Microsoft.Network/virtualNetworks/v1"),
        format!("{g}/providers/Microsoft.ContainerRegistry/registries/fuzzregistry"),
        format!("{g}/providers/Microsoft.Compute/virtualMachineScaleSets/ss1"),
        format!("{g}/providers/Microsoft.ContainerService/managedClusters/c1"),
        format!(
            "{g}/providers/Microsoft.Authorization/roleAssignments/77777777-7777-7777-7777-777777777777"
        ),
        format!(
            "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/88888888-8888-8888-8888-888888888888"
        ),
    ]
}

/// Body sets per run: 24 in the test command, `PROPTEST_CASES` in long runs.
fn body_cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(24)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(body_cases()))]
    #[test]
    fn any_body_gets_a_client_answer(bodies in prop::collection::vec(body(), 8)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let app = TestApp::new().await;
            app.group("fuzz").await;
            for (path, body) in targets(app.subscription()).into_iter().zip(bodies) {
                for method in [Method::Put, Method::Patch] {
                    let (st, answer) = app.call(&app.admin, method, &path, body.clone()).await;
                    assert!(st < 500, "{method:?} {path} {body}: {st} {answer}");
                }
            }
        });
    }
}

fn path() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("subscriptions".to_string()),
        Just("00000000-0000-0000-0000-000000000001".to_string()),
        Just("resourceGroups".to_string()),
        Just("providers".to_string()),
        Just("Microsoft.Network".to_string()),
        Just("virtualNetworks".to_string()),
        Just("subnets".to_string()),
        Just("Microsoft.Authorization".to_string()),
        Just("roleAssignments".to_string()),
        Just("roleDefinitions".to_string()),
        Just("locations".to_string()),
        Just("operationStatuses".to_string()),
        Just("..".to_string()),
        Just("%2F".to_string()),
        "[a-zA-Z0-9_.\\-]{0,10}",
        "\\PC{0,6}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|p| format!("/{}", p.join("/")))
}

proptest! {
    #[test]
    fn any_path_parses_without_panic(
        p in path(),
        m in prop::sample::select(vec![Method::Get, Method::Put, Method::Patch, Method::Post, Method::Delete, Method::Head]),
        v in prop_oneof![Just(None), Just(Some("2024-11-01".to_string())), "\\PC{0,12}".prop_map(Some)],
    ) {
        let registry = aksemu_arm::providers::builtin_registry();
        let _ = aksemu_arm::endpoint::parse(registry.catalogue(), m, &p, v.as_deref());
    }
}
