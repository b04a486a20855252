use serde_json::json;

use super::*;

fn keys(path: &[&str]) -> Option<Vec<String>> {
    merge_key("Deployment", path).map(|k| vec![k.to_string()])
}

fn w(manager: &str) -> Writer<'_> {
    Writer {
        manager,
        keys: Box::new(keys),
        now: "t".into(),
        subresource: None,
        status: false,
    }
}

fn deployment(replicas: i64, image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "web", "image": image}]}}}})
}

fn managers(obj: &Value) -> Vec<String> {
    obj["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}/{}",
                e["manager"].as_str().unwrap(),
                e["operation"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn fields_of_a_deployment() {
    let mut d = deployment(2, "nginx");
    d["status"] = json!({"replicas": 2});
    let f = fields_of("Deployment", &d);
    assert_eq!(f["f:metadata"], json!({"f:labels": {"f:app": {}}}));
    let c = &f["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"web\"}"];
    assert_eq!(c["f:image"], json!({}));
    assert_eq!(c["."], json!({}));
    assert!(f.get("f:status").is_none());
}

#[test]
fn two_appliers_conflict_until_forced() {
    let cfg_a = deployment(2, "nginx");
    let mut live = cfg_a.clone();
    created(&mut live, &w("alice"), "Apply", &cfg_a);
    // Bob applies the same values: shared ownership, no conflict.
    let mut merged = live.clone();
    applied(&live, &mut merged, &cfg_a, &w("bob"), false).unwrap();
    assert_eq!(managers(&merged), ["alice/Apply", "bob/Apply"]);
    // Bob changes replicas: alice owns it.
    let cfg_b = deployment(3, "nginx");
    let live = merged;
    let mut merged = live.clone();
    merged["spec"]["replicas"] = json!(3);
    let KubeError::ApplyConflict { message, causes } =
        applied(&live, &mut merged, &cfg_b, &w("bob"), false).unwrap_err()
    else {
        panic!()
    };
    assert_eq!(
        message,
        "Apply failed with 1 conflict: conflict with \"alice\": .spec.replicas"
    );
    assert_eq!(causes[0].field, ".spec.replicas");
    applied(&live, &mut merged, &cfg_b, &w("bob"), true).unwrap();
    let alice = FieldSet::from_v1(&merged["metadata"]["managedFields"][0]["fieldsV1"]);
    assert!(!alice.contains(&vec![
        Step::Field("spec".into()),
        Step::Field("replicas".into())
    ]));
}

#[test]
fn updaters_are_named_with_their_api_version_and_lose_what_others_change() {
    let d = deployment(2, "nginx");
    let mut live = d.clone();
    created(&mut live, &w("kubectl-client-side-apply"), "Update", &d);
    let mut merged = live.clone();
    merged["spec"]["template"]["spec"]["containers"][0]["image"] = json!("httpd");
    let err = applied(
        &live,
        &mut merged,
        &deployment(2, "httpd"),
        &w("kubectl"),
        false,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.template.spec.containers[name=\"web\"].image"
    );
    // An update by another manager takes the field without a conflict.
    let mut new = live.clone();
    new["spec"]["replicas"] = json!(5);
    updated(&live, &mut new, &w("hpa"));
    assert_eq!(
        managers(&new),
        ["kubectl-client-side-apply/Update", "hpa/Update"]
    );
    assert_eq!(
        new["metadata"]["managedFields"][1]["fieldsV1"],
        json!({"f:spec": {"f:replicas": {}}})
    );
}

#[test]
fn fields_an_applier_drops_are_removed_unless_others_own_them() {
    let mut cfg = deployment(2, "nginx");
    cfg["metadata"]["labels"]["tier"] = json!("front");
    let mut live = cfg.clone();
    created(&mut live, &w("alice"), "Apply", &cfg);
    let smaller = deployment(2, "nginx");
    let mut merged = live.clone();
    applied(&live, &mut merged, &smaller, &w("alice"), false).unwrap();
    assert!(merged["metadata"]["labels"].get("tier").is_none());
    assert_eq!(merged["metadata"]["labels"]["app"], "web");
}

#[test]
fn a_request_may_replace_or_reset_managed_fields() {
    let d = deployment(2, "nginx");
    let mut live = d.clone();
    created(&mut live, &w("a"), "Update", &d);
    let mut new = live.clone();
    new["metadata"]["managedFields"] = json!([{}]);
    updated(&live, &mut new, &w("b"));
    assert!(new["metadata"].get("managedFields").is_none());
    let mut new = live.clone();
    new["metadata"]["managedFields"][0]["manager"] = json!("kubectl");
    new["metadata"]["managedFields"][0]["operation"] = json!("Apply");
    updated(&live, &mut new, &w("kubectl-patch"));
    assert_eq!(managers(&new), ["kubectl/Apply"]);
}

#[test]
fn set_items_are_owned_one_by_one() {
    let keys = |p: &[&str]| (p == ["metadata", "finalizers"]).then(Vec::new);
    let w = Writer {
        manager: "a",
        keys: Box::new(keys),
        now: "t".into(),
        subresource: None,
        status: false,
    };
    let cfg = json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "o", "finalizers": ["f1", "f2"]}});
    let mut live = cfg.clone();
    created(&mut live, &w, "Apply", &cfg);
    let f = &live["metadata"]["managedFields"][0]["fieldsV1"]["f:metadata"]["f:finalizers"];
    assert_eq!(f["v:\"f1\""], json!({}));
    let smaller =
        json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "o", "finalizers": ["f1"]}});
    let mut merged = live.clone();
    applied(&live, &mut merged, &smaller, &w, false).unwrap();
    assert_eq!(merged["metadata"]["finalizers"], json!(["f1"]));
}

#[test]
fn emptying_a_set_list_is_a_change() {
    let keys = |p: &[&str]| (p == ["metadata", "finalizers"]).then(Vec::new);
    let w = Writer {
        manager: "p",
        keys: Box::new(keys),
        now: "t".into(),
        subresource: None,
        status: false,
    };
    let old =
        json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "o", "finalizers": ["f"]}});
    let mut new = old.clone();
    new["metadata"]["finalizers"] = json!([]);
    updated(&old, &mut new, &w);
    assert_eq!(
        new["metadata"]["managedFields"][0]["fieldsV1"],
        json!({"f:metadata": {"f:finalizers": {}}})
    );
}
