//! The clusters' Kubernetes API on the real binary, over HTTPS with a raw
//! client: bad input answered with a `Status` (never a 500) and nothing
//! stored, optimistic concurrency, dry runs, watches from a resourceVersion
//! and the watch-list bookmark, replicas on one PostgreSQL seeing each other's
//! writes in their watches, and a deleted cluster taking its objects along.

use std::time::{Duration, Instant};

use aksemu_testkit::{Server, TestStore};
use reqwest::Method;
use serde_json::{Value, json};

use crate::aks::{az_create_body, create_cluster, kubeconfig, wait, with_group};
use crate::{bin, install_crypto};

/// A cluster's API server URL and the admin kubeconfig's token.
pub(crate) struct Kube {
    pub client: reqwest::Client,
    pub server: String,
    pub token: String,
}

fn field(kubeconfig: &str, key: &str) -> String {
    kubeconfig
        .lines()
        .find_map(|l| l.trim().strip_prefix(&format!("{key}: ")))
        .unwrap()
        .to_string()
}

impl Kube {
    pub(crate) async fn of(s: &Server, t: &str, cluster: &str) -> Kube {
        let kc = kubeconfig(s, t, cluster, "ClusterAdmin").await;
        Kube {
            client: s.client.clone(),
            server: field(&kc, "server"),
            token: field(&kc, "token"),
        }
    }

    pub(crate) async fn send(
        &self,
        m: Method,
        path: &str,
        ct: &str,
        body: Vec<u8>,
    ) -> (u16, Value) {
        let r = self
            .client
            .request(m, format!("{}{path}", self.server))
            .bearer_auth(&self.token)
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub(crate) async fn json(&self, m: Method, path: &str, body: Value) -> (u16, Value) {
        self.send(m, path, "application/json", body.to_string().into_bytes())
            .await
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, Value) {
        self.send(Method::GET, path, "application/json", Vec::new())
            .await
    }
}

/// A server with one cluster (3 nodes) and its API.
pub(crate) async fn cluster_on(store: &TestStore) -> (Server, String, String, Kube) {
    cluster_with(store, &[]).await
}

/// `cluster_on` with extra `serve` arguments.
pub(crate) async fn cluster_with(
    store: &TestStore,
    extra: &[&str],
) -> (Server, String, String, Kube) {
    let (s, t, rg) = with_group(store, extra).await;
    let path = format!("{rg}/providers/Microsoft.ContainerService/managedClusters/k1");
    create_cluster(&s, &t, &path, az_create_body("k1")).await;
    let kube = Kube::of(&s, &t, &path).await;
    (s, t, path, kube)
}

fn cm(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "1"}})
}

const CMS: &str = "/api/v1/namespaces/default/configmaps";

/// Each hostile request gets a Status with the expected code; none is a 500.
async fn hostile(k: &Kube) {
    let bad: Vec<(Method, String, &str, Vec<u8>, u16)> = vec![
        (
            Method::POST,
            CMS.into(),
            "application/json",
            b"{not json".to_vec(),
            400,
        ),
        (
            Method::POST,
            CMS.into(),
            "application/json",
            b"[1,2]".to_vec(),
            400,
        ),
        (
            Method::POST,
            CMS.into(),
            "application/json",
            br#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"x"}}"#.to_vec(),
            400,
        ),
        (
            Method::POST,
            CMS.into(),
            "application/json",
            br#"{"metadata":{"name":"Bad_Name"}}"#.to_vec(),
            422,
        ),
        (
            Method::POST,
            CMS.into(),
            "application/json",
            br#"{"metadata":{"name":"x","namespace":"other"}}"#.to_vec(),
            400,
        ),
        (
            Method::POST,
            CMS.into(),
            "application/json",
            // kube's JSON decoder refuses it before validation: 400.
            br#"{"metadata":{"name":"x"},"data":{"k":1}}"#.to_vec(),
            400,
        ),
        (
            Method::POST,
            CMS.into(),
            "application/json",
            br#"{"metadata":{"name":"x"},"spek":{}}"#.to_vec(),
            201,
        ),
        (Method::POST, CMS.into(), "text/csv", b"a,b".to_vec(), 415),
        (
            Method::POST,
            CMS.into(),
            "application/vnd.kubernetes.protobuf",
            b"k8s\0\x0a\xff".to_vec(),
            400,
        ),
        (
            Method::POST,
            "/api/v1/namespaces/nope/configmaps".into(),
            "application/json",
            cm("y").to_string().into_bytes(),
            404,
        ),
        (
            Method::GET,
            format!("{CMS}?labelSelector=a%20in%20b"),
            "application/json",
            Vec::new(),
            400,
        ),
        (
            Method::GET,
            format!("{CMS}?continue=%%%"),
            "application/json",
            Vec::new(),
            400,
        ),
        (
            Method::GET,
            format!("{CMS}?watch=true&resourceVersion=abc"),
            "application/json",
            Vec::new(),
            400,
        ),
        (
            Method::PATCH,
            format!("{CMS}/none"),
            "application/merge-patch+json",
            b"{}".to_vec(),
            404,
        ),
        (
            Method::PATCH,
            format!("{CMS}/x?fieldManager=m"),
            "application/apply-patch+yaml",
            br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":"x"}"#.to_vec(),
            400,
        ),
        (
            Method::PATCH,
            format!("{CMS}/x?fieldManager=m"),
            "application/apply-patch+yaml",
            br#"{"apiVersion":"v1","kind":"ConfigMap","data":{"a":"1","a":"2"}}"#.to_vec(),
            200,
        ),
        (
            Method::PATCH,
            format!("{CMS}/x"),
            "application/json-patch+json",
            br#"[{"op":"remove","path":"/nope/deeper"}]"#.to_vec(),
            422,
        ),
        (
            Method::PATCH,
            format!("{CMS}/x"),
            "application/json-patch+json",
            br#"{"op":"bad"}"#.to_vec(),
            400,
        ),
        (
            Method::PATCH,
            format!("{CMS}/x"),
            "application/strategic-merge-patch+json",
            br#"{"data":{"$patch":"bogus"}}"#.to_vec(),
            400,
        ),
        (
            Method::PATCH,
            format!("{CMS}/x"),
            "application/xml",
            b"<a/>".to_vec(),
            415,
        ),
        (
            Method::POST,
            CMS.into(),
            "application/json",
            vec![b' '; 4 * 1024 * 1024],
            413,
        ),
        (
            Method::GET,
            "/api/v1/namespaces/default/foos".into(),
            "application/json",
            Vec::new(),
            404,
        ),
        (
            Method::GET,
            "/apis/apps/v1/pods".into(),
            "application/json",
            Vec::new(),
            404,
        ),
        (
            Method::PUT,
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews".into(),
            "application/json",
            b"{}".to_vec(),
            405,
        ),
        (
            Method::DELETE,
            "/api/v1/namespaces/default".into(),
            "application/json",
            Vec::new(),
            403,
        ),
    ];
    for (m, path, ct, body, want) in bad {
        let (status, v) = k.send(m.clone(), &path, ct, body).await;
        assert_eq!(status, want, "{m} {path} ({ct}): {v}");
        if status >= 400 {
            assert_eq!(v["kind"], "Status", "{m} {path}: {v}");
            assert_eq!(v["code"], want);
        }
    }
    // Only the one valid create (with an unknown field, warned) stored anything.
    let (_, list) = k.get(CMS).await;
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["metadata"]["name"].as_str())
        .filter(|n| *n != "kube-root-ca.crt")
        .collect();
    assert_eq!(names, vec!["x"]);
}

/// A stale resourceVersion conflicts; a dry run stores nothing.
async fn concurrency_and_dry_run(k: &Kube) {
    let (st, created) = k.json(Method::POST, CMS, cm("occ")).await;
    assert_eq!(st, 201);
    let mut first = created.clone();
    first["data"]["a"] = json!("2");
    assert_eq!(
        k.json(Method::PUT, &format!("{CMS}/occ"), first.clone())
            .await
            .0,
        200
    );
    first["data"]["a"] = json!("3");
    let (st, v) = k.json(Method::PUT, &format!("{CMS}/occ"), first).await;
    assert_eq!(st, 409, "{v}");
    assert_eq!(v["reason"], "Conflict");
    let (st, _) = k
        .json(Method::POST, &format!("{CMS}?dryRun=All"), cm("dry"))
        .await;
    assert_eq!(st, 201);
    assert_eq!(k.get(&format!("{CMS}/dry")).await.0, 404);
}

#[tokio::test]
async fn bad_input_gets_a_status_and_changes_nothing() {
    install_crypto();
    for store in TestStore::all() {
        let (_s, _t, _path, k) = cluster_on(&store).await;
        hostile(&k).await;
        concurrency_and_dry_run(&k).await;
    }
}

/// Reads a watch stream until `n` events arrived (or 10 s passed).
async fn events(resp: reqwest::Response, n: usize) -> Vec<Value> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    let mut stream = resp;
    let deadline = Instant::now() + Duration::from_secs(10);
    while out.len() < n && Instant::now() < deadline {
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.chunk()).await;
        let Ok(Ok(Some(c))) = chunk else { break };
        buf.extend_from_slice(&c);
        while let Some(i) = buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buf.drain(..=i).collect();
            out.push(serde_json::from_slice(&line).unwrap());
        }
    }
    out
}

async fn watch(k: &Kube, query: &str) -> reqwest::Response {
    let r = k
        .client
        .get(format!("{}{CMS}?watch=true&{query}", k.server))
        .bearer_auth(&k.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r
}

#[tokio::test]
async fn watches_resume_from_a_version_and_end_the_initial_list_with_a_bookmark() {
    install_crypto();
    let (_s, _t, _path, k) = cluster_on(&TestStore::Sqlite).await;
    let (_, a) = k.json(Method::POST, CMS, cm("a")).await;
    let rv = a["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    k.json(Method::POST, CMS, cm("b")).await;
    k.send(
        Method::PATCH,
        &format!("{CMS}/a"),
        "application/merge-patch+json",
        br#"{"data":{"a":"9"}}"#.to_vec(),
    )
    .await;
    k.send(
        Method::DELETE,
        &format!("{CMS}/b"),
        "application/json",
        Vec::new(),
    )
    .await;
    let got = events(watch(&k, &format!("resourceVersion={rv}")).await, 3).await;
    let kinds: Vec<(String, String)> = got
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().into(),
                e["object"]["metadata"]["name"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want = [("ADDED", "b"), ("MODIFIED", "a"), ("DELETED", "b")];
    assert_eq!(kinds, want.map(|(t, n)| (t.to_string(), n.to_string())));

    let list = events(
        watch(
            &k,
            "sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan",
        )
        .await,
        3,
    )
    .await;
    // Every namespace also holds kube-root-ca.crt: leave it out.
    let list: Vec<Value> = list
        .into_iter()
        .filter(|e| e["object"]["metadata"]["name"] != "kube-root-ca.crt")
        .collect();
    let types: Vec<&str> = list.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["ADDED", "BOOKMARK"], "{list:?}");
    assert_eq!(list[0]["object"]["data"]["a"], "9");
    assert_eq!(list[1]["object"]["kind"], "ConfigMap");
    assert_eq!(
        list[1]["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );

    // A live event after the bookmark, through a field selector.
    let live = watch(&k, "fieldSelector=metadata.name%3Dc").await;
    k.json(Method::POST, CMS, cm("c")).await;
    k.json(Method::POST, CMS, cm("d")).await;
    let got = events(live, 1).await;
    assert_eq!(got[0]["object"]["metadata"]["name"], "c");
}

#[tokio::test]
async fn replicas_on_one_postgres_see_each_others_writes_in_watches() {
    install_crypto();
    if !TestStore::all().contains(&TestStore::Postgres) {
        return;
    }
    let (a, _t, path, ka) = cluster_on(&TestStore::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let b = Server::start_in(bin(), &dir.path().join("data"), Some(&a.store_spec))
        .await
        .unwrap();
    let tb = b.admin_token().await.unwrap();
    let kb = Kube::of(&b, &tb, &path).await;
    let (_, now) = kb.get(CMS).await;
    let rv = now["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    let stream = watch(&kb, &format!("resourceVersion={rv}")).await;
    // Let the watch settle, then write on A.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let (st, _) = ka.json(Method::POST, CMS, cm("from-a")).await;
    assert_eq!(st, 201);
    let got = events(stream, 1).await;
    assert_eq!(
        got.first().map(|e| e["object"]["metadata"]["name"].clone()),
        Some(json!("from-a"))
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_deleted_cluster_takes_its_kubernetes_objects_along() {
    install_crypto();
    let (s, t, path, k) = cluster_on(&TestStore::Sqlite).await;
    assert_eq!(k.json(Method::POST, CMS, cm("keep")).await.0, 201);
    let (_, nodes) = k.get("/api/v1/nodes").await;
    assert_eq!(nodes["items"].as_array().unwrap().len(), 3);
    let r = s
        .call_with(Some(&t), Method::DELETE, &path, "2024-05-01", None)
        .await;
    assert_eq!(r.status().as_u16(), 202);
    wait(&s, &t, &r).await;
    let (st, v) = k.get(CMS).await;
    assert_eq!(st, 404, "{v}");
    let spec = s.store_spec.clone();
    let _kept = s.stop().await.unwrap();
    let store = aksemu_store::open(&spec).await.unwrap();
    assert_eq!(store.count("kubeObjects", "").await.unwrap(), 0);
}

#[tokio::test]
async fn a_version_older_than_the_watch_history_is_gone_and_collections_delete_by_selector() {
    install_crypto();
    let (_s, _t, _path, k) = cluster_with(&TestStore::Sqlite, &["--watch-history", "10"]).await;
    let (_, first) = k.json(Method::POST, CMS, cm("old")).await;
    let rv = first["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    for i in 0..30 {
        let mut c = cm(&format!("n{i}"));
        c["metadata"]["labels"] = json!({"batch": if i % 2 == 0 { "even" } else { "odd" }});
        assert_eq!(k.json(Method::POST, CMS, c).await.0, 201);
    }
    let (st, v) = k
        .get(&format!("{CMS}?watch=true&resourceVersion={rv}"))
        .await;
    assert_eq!(st, 410, "{v}");
    assert_eq!(v["reason"], "Expired");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("too old resource version: {rv} ("))
    );
    // The list's own version still works: the client lists again, then watches.
    let (_, list) = k.get(CMS).await;
    let now = list["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        watch(&k, &format!("resourceVersion={now}"))
            .await
            .status()
            .as_u16(),
        200
    );

    let (st, gone) = k
        .send(
            Method::DELETE,
            &format!("{CMS}?labelSelector=batch%3Deven"),
            "application/json",
            Vec::new(),
        )
        .await;
    assert_eq!(st, 200, "{gone}");
    assert_eq!(gone["items"].as_array().unwrap().len(), 15);
    let (_, left) = k.get(&format!("{CMS}?labelSelector=batch")).await;
    let left: Vec<&Value> = left["items"].as_array().unwrap().iter().collect();
    assert_eq!(left.len(), 15);
    assert!(
        left.iter()
            .all(|o| o["metadata"]["labels"]["batch"] == "odd")
    );
}

/// A configmap owned by `owner` (another configmap).
fn owned(name: &str, owner: &Value) -> Value {
    let mut c = cm(name);
    c["metadata"]["ownerReferences"] = json!([{"apiVersion": "v1", "kind": "ConfigMap",
        "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"]}]);
    c
}

async fn create(k: &Kube, body: Value) -> Value {
    k.json(Method::POST, CMS, body).await.1
}

async fn delete_with(k: &Kube, name: &str, policy: &str) -> u16 {
    let body = json!({"propagationPolicy": policy})
        .to_string()
        .into_bytes();
    k.send(
        Method::DELETE,
        &format!("{CMS}/{name}"),
        "application/json",
        body,
    )
    .await
    .0
}

async fn exists(k: &Kube, name: &str) -> bool {
    k.get(&format!("{CMS}/{name}")).await.0 == 200
}

#[tokio::test]
async fn deletes_propagate_to_dependents_as_the_policy_says() {
    install_crypto();
    let (_s, _t, _path, k) = cluster_on(&TestStore::Sqlite).await;
    // Background: the dependents, and theirs, go just after the owner.
    let owner = create(&k, cm("bg-owner")).await;
    let child = create(&k, owned("bg-child", &owner)).await;
    create(&k, owned("bg-grandchild", &child)).await;
    assert_eq!(delete_with(&k, "bg-owner", "Background").await, 200);
    aksemu_testkit::wait_until(Duration::from_secs(5), "dependents collected", || async {
        (!exists(&k, "bg-child").await && !exists(&k, "bg-grandchild").await).then_some(())
    })
    .await;
    // Foreground: gone with the owner.
    let owner = create(&k, cm("fg-owner")).await;
    create(&k, owned("fg-child", &owner)).await;
    assert_eq!(delete_with(&k, "fg-owner", "Foreground").await, 200);
    assert!(!exists(&k, "fg-child").await);
    // Orphan: the dependent stays, without the reference.
    let owner = create(&k, cm("or-owner")).await;
    create(&k, owned("or-child", &owner)).await;
    assert_eq!(delete_with(&k, "or-owner", "Orphan").await, 200);
    let (_, kept) = k.get(&format!("{CMS}/or-child")).await;
    assert_eq!(kept["metadata"]["ownerReferences"], json!([]));
    assert_eq!(delete_with(&k, "or-child", "Sideways").await, 400);
}

#[tokio::test]
async fn concurrent_patches_without_a_version_all_land() {
    install_crypto();
    let (_s, _t, _path, k) = cluster_on(&TestStore::Sqlite).await;
    assert_eq!(k.json(Method::POST, CMS, cm("busy")).await.0, 201);
    let patches = (0..20).map(|i| {
        let k = &k;
        async move {
            let body = json!({"metadata": {"labels": {format!("l{i}"): "x"}}})
                .to_string()
                .into_bytes();
            k.send(
                Method::PATCH,
                &format!("{CMS}/busy"),
                "application/merge-patch+json",
                body,
            )
            .await
            .0
        }
    });
    let statuses = aksemu_testkit::join_all(patches.collect()).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let (_, obj) = k.get(&format!("{CMS}/busy")).await;
    assert_eq!(obj["metadata"]["labels"].as_object().unwrap().len(), 20);
}
