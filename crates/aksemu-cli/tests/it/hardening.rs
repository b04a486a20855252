//! Regression tests for the defects a hostile tester found (issue 10), each
//! written as the attack.

use aksemu_testkit::{Server, TestStore, join_all};
use reqwest::Method;
use serde_json::{Value, json};

use crate::principals::{arm_token, assign, create_sp};
use crate::{bin, install_crypto};

const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const API: &str = "2022-04-01";

fn role_body(name: &str, actions: &[&str], scopes: &[&str]) -> Value {
    json!({"properties": {
        "roleName": name,
        "permissions": [{"actions": actions}],
        "assignableScopes": scopes,
    }})
}

/// Creates the groups named (westus2) and returns their paths.
async fn groups(s: &Server, admin: &str, names: &[&str]) -> Vec<String> {
    let mut paths = Vec::new();
    for name in names {
        let path = format!("/subscriptions/{}/resourceGroups/{name}", s.subscription_id);
        let body = Some(json!({"location": "westus2"}));
        let (st, _) = s
            .call(Some(admin), Method::PUT, &path, "2024-11-01", body)
            .await;
        assert_eq!(st, 201, "{path}");
        paths.push(path);
    }
    paths
}

fn definition(scope: &str, guid: &str) -> String {
    format!("{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}")
}

/// An Owner of one group tries to widen a subscription-level custom role, to
/// delete it, and to create roles assignable above its group.
#[tokio::test]
async fn an_owner_of_a_group_cannot_escalate_through_custom_roles() {
    install_crypto();
    for store in TestStore::all() {
        let s = Server::start(bin(), &store).await.unwrap();
        let admin = s.admin_token().await.unwrap();
        let sub = format!("/subscriptions/{}", s.subscription_id);
        let made = groups(&s, &admin, &["a", "b"]).await;
        let (group_a, group_b) = (made[0].clone(), made[1].clone());
        // A subscription-level custom role made by the administrator.
        let sub_role = "10000000-0000-0000-0000-000000000001";
        let read = ["Microsoft.Resources/subscriptions/resourceGroups/read"];
        let (st, body) = s
            .call(
                Some(&admin),
                Method::PUT,
                &definition(&sub, sub_role),
                API,
                Some(role_body("Sub readers", &read, &[&sub])),
            )
            .await;
        assert_eq!(st, 201, "{body}");
        let attacker = create_sp(&s, "attacker").await;
        assert_eq!(
            assign(&s, &admin, &group_a, OWNER, &attacker.object_id).await,
            201
        );
        let t = arm_token(&s, &attacker).await;

        // Rewrite the subscription role through the group's URL: refused.
        let widened = role_body("Sub readers", &["*"], &[&sub]);
        let (st, body) = s
            .call(
                Some(&t),
                Method::PUT,
                &definition(&group_a, sub_role),
                API,
                Some(widened),
            )
            .await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (403, Some("LinkedAuthorizationFailed")),
            "{body}"
        );
        // Narrowing it to the group still changes what it grants at the subscription.
        let narrowed = role_body("Sub readers", &["*"], &[&group_a]);
        let (st, _) = s
            .call(
                Some(&t),
                Method::PUT,
                &definition(&group_a, sub_role),
                API,
                Some(narrowed),
            )
            .await;
        assert_eq!(st, 403);
        // Delete it through the group: refused.
        let (st, _) = s
            .call(
                Some(&t),
                Method::DELETE,
                &definition(&group_a, sub_role),
                API,
                None,
            )
            .await;
        assert_eq!(st, 403);
        // New roles assignable at the subscription or the root: refused.
        let new_role = "10000000-0000-0000-0000-000000000002";
        let (st, _) = s
            .call(
                Some(&t),
                Method::PUT,
                &definition(&group_a, new_role),
                API,
                Some(role_body("Mine", &["*"], &[&sub])),
            )
            .await;
        assert_eq!(st, 403);
        let (st, body) = s
            .call(
                Some(&t),
                Method::PUT,
                &definition(&group_a, new_role),
                API,
                Some(role_body("Mine", &["*"], &["/"])),
            )
            .await;
        assert!(st == 400 || st == 403, "{st} {body}");
        // A role assignable at its own group is the owner's to make.
        let (st, body) = s
            .call(
                Some(&t),
                Method::PUT,
                &definition(&group_a, new_role),
                API,
                Some(role_body("Mine", &["*"], &[&group_a])),
            )
            .await;
        assert_eq!(st, 201, "{body}");
        // The role still reads only, and nothing escalated: B and the subscription are out of reach.
        let (st, _) = s
            .call(Some(&t), Method::DELETE, &group_b, "2024-11-01", None)
            .await;
        assert_eq!(st, 403);
        s.stop().await.unwrap();
    }
}

/// An assignment outside the role's assignable scopes is refused, even to the administrator.
#[tokio::test]
async fn assignments_stay_within_a_roles_assignable_scopes() {
    install_crypto();
    for store in TestStore::all() {
        let s = Server::start(bin(), &store).await.unwrap();
        let admin = s.admin_token().await.unwrap();
        let sub = format!("/subscriptions/{}", s.subscription_id);
        let made = groups(&s, &admin, &["a", "b"]).await;
        let (group_a, group_b) = (made[0].clone(), made[1].clone());
        let role = "10000000-0000-0000-0000-000000000003";
        let (st, _) = s
            .call(
                Some(&admin),
                Method::PUT,
                &definition(&sub, role),
                API,
                Some(role_body("A only", &["*/read"], &[&group_a])),
            )
            .await;
        assert_eq!(st, 201);
        let who = create_sp(&s, "someone").await;
        assert_eq!(
            assign(&s, &admin, &group_a, role, &who.object_id).await,
            201
        );
        for outside in [&group_b, &sub] {
            assert_eq!(
                assign(&s, &admin, outside, role, &who.object_id).await,
                400,
                "{outside}"
            );
        }
        s.stop().await.unwrap();
    }
}

/// Twenty clients create a role under one name at once: one wins.
#[tokio::test]
async fn custom_role_names_are_unique_under_concurrency() {
    install_crypto();
    for store in TestStore::all() {
        let s = Server::start(bin(), &store).await.unwrap();
        let admin = s.admin_token().await.unwrap();
        let sub = format!("/subscriptions/{}", s.subscription_id);
        let puts = (0..20).map(|i| {
            let path = definition(&sub, &format!("20000000-0000-0000-0000-{i:012}"));
            let body = role_body("Racing role", &["*/read"], &[&sub]);
            let (s, admin) = (&s, &admin);
            async move {
                s.call(Some(admin), Method::PUT, &path, API, Some(body))
                    .await
            }
        });
        let results = join_all(puts.collect()).await;
        let created = results.iter().filter(|(st, _)| *st == 201).count();
        assert_eq!(created, 1, "{results:?}");
        assert!(
            results
                .iter()
                .filter(|(st, _)| *st != 201)
                .all(|(st, b)| *st == 409
                    && b["error"]["code"] == "RoleDefinitionWithSameNameExists"),
            "{results:?}"
        );
        s.stop().await.unwrap();
    }
}

/// Moving the clock past the calendar's end is refused, and a stored offset
/// out of range (an older version's, a hand edit) does not stop a start.
#[tokio::test]
async fn the_clock_cannot_be_moved_off_the_calendar() {
    install_crypto();
    let s = Server::start(bin(), &TestStore::Sqlite).await.unwrap();
    let admin = s.admin_token().await.unwrap();
    let clock = |body: Value| {
        let (s, admin) = (&s, &admin);
        async move {
            let r = s
                .client
                .post(s.url("/aksemu/admin/clock"))
                .bearer_auth(admin)
                .json(&body)
                .send()
                .await
                .unwrap();
            r.status().as_u16()
        }
    };
    assert_eq!(
        clock(json!({"advanceSeconds": 1_000_000_000_000_i64})).await,
        400
    );
    assert_eq!(
        clock(json!({"advanceSeconds": 3_000_000_i64 * 86_400})).await,
        400
    );
    assert_eq!(clock(json!({"set": "9999-12-31T23:59:59Z"})).await, 400);
    assert_eq!(clock(json!({"advanceSeconds": 86_400})).await, 200);
    let sub = format!("/subscriptions/{}", s.subscription_id);
    let (st, _) = s
        .call(Some(&admin), Method::GET, &sub, "2022-12-01", None)
        .await;
    assert_eq!(st, 200);

    // Write an impossible offset into the stopped server's store, then start it.
    let data = s.data_dir().to_path_buf();
    let spec = s.store_spec.clone();
    let tmp = s.stop().await.unwrap();
    {
        let store = aksemu_store::open(&spec).await.unwrap();
        let w = aksemu_store::Write::Put {
            coll: "meta",
            key: "clock".into(),
            id: "clock".into(),
            body: json!({"offsetMs": i64::MAX}),
            cond: aksemu_store::Cond::Any,
        };
        store.apply(vec![w]).await.unwrap();
    }
    let s = Server::start_in(bin(), &data, None).await.unwrap();
    let admin = s.admin_token().await.unwrap();
    let (st, _) = s
        .call(Some(&admin), Method::GET, &sub, "2022-12-01", None)
        .await;
    assert_eq!(st, 200);
    s.stop().await.unwrap();
    drop(tmp);
}

/// 2,000 idle and 300 slowloris connections (a request head that never ends)
/// on the managed-identity port, from a local process, with the server started
/// under the common 1,024 open-file soft limit: a new client is still served
/// on both ports.
#[tokio::test]
async fn connection_floods_do_not_block_a_new_client() {
    use tokio::io::AsyncWriteExt;
    install_crypto();
    let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();
    // The child inherits the lowered limit (it raises its own at start).
    rlimit::setrlimit(rlimit::Resource::NOFILE, 1024.min(hard), hard).unwrap();
    let started = Server::start(bin(), &TestStore::Sqlite).await;
    rlimit::setrlimit(rlimit::Resource::NOFILE, soft.max(4096).min(hard), hard).unwrap();
    let s = started.unwrap();
    let admin = s.admin_token().await.unwrap();
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(s.data_dir().join("server.json")).unwrap())
            .unwrap();
    let imds = info["imdsUrl"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://")
        .to_string();
    let mut held = Vec::new();
    for _ in 0..2000 {
        held.push(tokio::net::TcpStream::connect(&imds).await.unwrap());
    }
    for _ in 0..300 {
        let mut c = tokio::net::TcpStream::connect(&imds).await.unwrap();
        c.write_all(b"GET /metadata/identity/oauth2/token HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .unwrap();
        held.push(c);
    }
    let sub = format!("/subscriptions/{}", s.subscription_id);
    let fresh = aksemu_testkit::trusting_client(&s.ca_pem).unwrap();
    let answer = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        fresh
            .get(s.url(&format!("{sub}?api-version=2022-12-01")))
            .bearer_auth(&admin)
            .send(),
    )
    .await;
    assert_eq!(
        answer.expect("served in time").unwrap().status().as_u16(),
        200
    );
    let imds_answer = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        reqwest::Client::new()
            .get(format!("http://{imds}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/"))
            .header("Metadata", "true")
            .send(),
    )
    .await;
    assert_eq!(
        imds_answer
            .expect("served in time")
            .unwrap()
            .status()
            .as_u16(),
        400
    );
    drop(held);
    s.stop().await.unwrap();
}

/// Every listener is loopback-only, the managed-identity one included.
#[tokio::test]
async fn listeners_refuse_non_loopback_addresses() {
    for args in [
        ["--listen", "0.0.0.0:0", "--imds-listen", "127.0.0.1:0"],
        ["--listen", "127.0.0.1:0", "--imds-listen", "0.0.0.0:0"],
        ["--listen", "127.0.0.1:0", "--imds-listen", "[::]:0"],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = tokio::process::Command::new(bin())
            .arg("serve")
            .args(args)
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .output()
            .await
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} started");
        assert!(err.contains("loopback only"), "{args:?}: {err}");
    }
}

/// The smaller hostile inputs: look-alike letters, wrong media types,
/// impossible api-versions, a secret with a trailing space.
#[tokio::test]
async fn small_hostile_inputs_are_refused() {
    install_crypto();
    for store in TestStore::all() {
        let s = Server::start(bin(), &store).await.unwrap();
        let admin = s.admin_token().await.unwrap();
        let sub = format!("/subscriptions/{}", s.subscription_id);
        let body = Some(json!({"location": "westus2"}));
        let (st, _) = s
            .call(
                Some(&admin),
                Method::PUT,
                &format!("{sub}/resourceGroups/k"),
                "2024-11-01",
                body.clone(),
            )
            .await;
        assert_eq!(st, 201);
        // The Kelvin sign is not a `k` to ARM's ordinal comparison.
        let (st, _) = s
            .call(
                Some(&admin),
                Method::GET,
                &format!("{sub}/resourceGroups/%E2%84%AA"),
                "2024-11-01",
                None,
            )
            .await;
        assert_eq!(st, 404);
        // A body that is not JSON by its type.
        let r = s
            .client
            .put(s.url(&format!(
                "{sub}/resourceGroups/typed?api-version=2024-11-01"
            )))
            .bearer_auth(&admin)
            .header("Content-Type", "text/plain")
            .body(r#"{"location": "westus2"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 415);
        let b: Value = r.json().await.unwrap();
        assert_eq!(b["error"]["code"], "UnsupportedMediaType");
        // A POST without a body needs no type (az's listClusterUserCredential).
        let cluster = format!(
            "{sub}/resourceGroups/k/providers/Microsoft.ContainerService/managedClusters/none/listClusterUserCredential"
        );
        let r = s
            .client
            .post(s.url(&format!("{cluster}?api-version=2026-06-01")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_ne!(r.status().as_u16(), 415);
        // No such day.
        let (st, b) = s
            .call(Some(&admin), Method::GET, &sub, "2022-13-45", None)
            .await;
        assert_eq!(
            (st, b["error"]["code"].as_str()),
            (400, Some("InvalidApiVersionParameter"))
        );
        // A secret is compared as sent.
        let token = |secret: String| {
            let s = &s;
            async move {
                s.client
                    .post(s.url(&format!("/{}/oauth2/v2.0/token", s.tenant_id)))
                    .form(&[
                        ("grant_type", "client_credentials"),
                        ("client_id", s.client_id.as_str()),
                        ("client_secret", secret.as_str()),
                        ("scope", "https://management.core.windows.net//.default"),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        assert_eq!(token(s.client_secret.clone()).await, 200);
        assert_eq!(token(format!("{} ", s.client_secret)).await, 401);
        s.stop().await.unwrap();
    }
}

/// Twenty clients PUT one group (and one identity) at once, without
/// preconditions: every one is answered as a success, as on Azure, and what
/// stays is one of the bodies sent.
#[tokio::test]
async fn unconditional_concurrent_puts_are_last_writer_wins() {
    install_crypto();
    for store in TestStore::all() {
        let s = Server::start(bin(), &store).await.unwrap();
        let admin = s.admin_token().await.unwrap();
        let group = format!("/subscriptions/{}/resourceGroups/race", s.subscription_id);
        let identity =
            format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/racer");
        for (path, api) in [(&group, "2024-11-01"), (&identity, "2023-01-31")] {
            let puts = (0..20).map(|i| {
                let body = json!({"location": "westus2", "tags": {"writer": i.to_string()}});
                let (s, admin) = (&s, &admin);
                async move {
                    s.call(Some(admin), Method::PUT, path, api, Some(body))
                        .await
                }
            });
            let results = join_all(puts.collect()).await;
            assert!(
                results.iter().all(|(st, _)| *st == 200 || *st == 201),
                "{path}: {results:?}"
            );
            let (_, stored) = s.call(Some(&admin), Method::GET, path, api, None).await;
            assert!(stored["tags"]["writer"].is_string(), "{stored}");
        }
        s.stop().await.unwrap();
    }
}

/// The RBAC-bypass matrix: a Reader of group `a` tries to read `b`, to write
/// `a`, and to grant itself more, through every spelling of a path and method
/// an attacker would try. Nothing must succeed.
#[tokio::test]
async fn rbac_bypass_matrix_finds_no_way_around() {
    install_crypto();
    for store in TestStore::all() {
        let s = Server::start(bin(), &store).await.unwrap();
        let admin = s.admin_token().await.unwrap();
        let sub = format!("/subscriptions/{}", s.subscription_id);
        groups(&s, &admin, &["a", "b"]).await;
        let reader = create_sp(&s, "reader").await;
        assert_eq!(
            assign(
                &s,
                &admin,
                &format!("{sub}/resourceGroups/a"),
                READER,
                &reader.object_id
            )
            .await,
            201
        );
        let t = arm_token(&s, &reader).await;
        let (st, _) = s
            .call(
                Some(&t),
                Method::GET,
                &format!("{sub}/resourceGroups/a"),
                "2024-11-01",
                None,
            )
            .await;
        assert_eq!(st, 200, "the reader reads its group");
        let upper_sub = sub.to_uppercase().replace("SUBSCRIPTIONS", "subscriptions");
        let reads_of_b = [
            format!("{sub}/resourceGroups/b"),
            format!("{sub}/RESOURCEGROUPS/B"),
            format!("{upper_sub}/resourceGroups/b"),
            format!("{sub}/resourceGroups/%62"),
            format!("{sub}/resourceGroups/a%2F..%2Fb"),
            format!("{sub}/resourceGroups/a/%2E%2E/b"),
            format!("{sub}//resourceGroups//b"),
            format!("{sub}/resourceGroups/b/"),
            format!("{sub}/resourceGroups/b."),
            format!("{sub}/resourceGroups/\u{432}"),
            format!("{sub}/resourceGroups/a/providers/../../b"),
            format!("{sub}/resourceGroups/b/providers/Microsoft.Authorization/roleAssignments"),
            format!("{sub}/resourceGroups/b/resources"),
            format!("{sub}/providers/Microsoft.Authorization/roleAssignments"),
        ];
        let mut bypasses = Vec::new();
        let mut tried = 0;
        for path in &reads_of_b {
            tried += 1;
            let (st, body) = s
                .call(Some(&t), Method::GET, path, "2024-11-01", None)
                .await;
            let leaked = st == 200 && body.to_string().contains("resourceGroups/b");
            if leaked {
                bypasses.push(format!("GET {path}: {body}"));
            }
        }
        // Writes to its own group, whatever the method spelling.
        let a = format!("{sub}/resourceGroups/a");
        for (method, override_header) in [
            (Method::PUT, None),
            (Method::PATCH, None),
            (Method::DELETE, None),
            (Method::PUT, Some("GET")),
            (Method::POST, Some("PUT")),
            (Method::POST, Some("DELETE")),
        ] {
            tried += 1;
            let mut r = s
                .client
                .request(
                    method.clone(),
                    s.url(&format!("{a}?api-version=2024-11-01")),
                )
                .bearer_auth(&t)
                .json(&json!({"location": "westus2", "tags": {"owned": "yes"}}));
            if let Some(h) = override_header {
                r = r
                    .header("X-HTTP-Method-Override", h)
                    .header("X-HTTP-Method", h);
            }
            let st = r.send().await.unwrap().status().as_u16();
            if (200..300).contains(&st) {
                bypasses.push(format!("{method} {a} override {override_header:?}: {st}"));
            }
        }
        // Granting itself more, at its group and above, by assignment or by role.
        for scope in [a.clone(), sub.clone(), format!("{a}/../b")] {
            tried += 1;
            if (200..300).contains(&assign(&s, &t, &scope, OWNER, &reader.object_id).await) {
                bypasses.push(format!("Owner at {scope}"));
            }
            tried += 1;
            let role = definition(&scope, "30000000-0000-0000-0000-000000000001");
            let (st, _) = s
                .call(
                    Some(&t),
                    Method::PUT,
                    &role,
                    API,
                    Some(role_body("Mine", &["*"], &[&scope])),
                )
                .await;
            if (200..300).contains(&st) {
                bypasses.push(format!("custom role at {scope}: {st}"));
            }
        }
        eprintln!(
            "RELIABILITY RBAC bypass: {tried} attempts, {} bypasses",
            bypasses.len()
        );
        assert!(bypasses.is_empty(), "{bypasses:#?}");
        s.stop().await.unwrap();
    }
}
