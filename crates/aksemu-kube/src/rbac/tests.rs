use serde_json::{Value, json};

use super::*;

fn user(name: &str, groups: &[&str]) -> UserInfo {
    UserInfo {
        username: name.to_string(),
        uid: String::new(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
    }
}

fn req(verb: &str, group: &str, resource: &str, namespace: &str) -> Attributes {
    let (resource, subresource) = resource.split_once('/').unwrap_or((resource, ""));
    Attributes {
        verb: verb.into(),
        api_group: group.into(),
        resource: resource.into(),
        subresource: subresource.into(),
        namespace: namespace.into(),
        ..Default::default()
    }
}

fn named(mut attrs: Attributes, name: &str) -> Attributes {
    attrs.name = name.into();
    attrs
}

fn path(verb: &str, p: &str) -> Attributes {
    Attributes {
        verb: verb.into(),
        path: Some(p.into()),
        ..Default::default()
    }
}

fn role_binding(name: &str, ns: &str, kind: &str, role: &str, subjects: Value) -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": ns},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role},
        "subjects": subjects,
    })
}

fn cluster_role_binding(name: &str, role: &str, subjects: Value) -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": subjects,
    })
}

fn cluster_role(name: &str, rules: Value) -> Value {
    json!({"kind": "ClusterRole", "metadata": {"name": name}, "rules": rules})
}

/// Bootstrap policy plus extra cluster roles and bindings.
struct Fixture {
    roles: Vec<Value>,
    cluster_roles: Vec<Value>,
    role_bindings: Vec<Value>,
    cluster_role_bindings: Vec<Value>,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            roles: Vec::new(),
            cluster_roles: default_cluster_roles(),
            role_bindings: Vec::new(),
            cluster_role_bindings: default_cluster_role_bindings(),
        }
    }

    fn policy(&self) -> Policy<'_> {
        Policy {
            roles: &self.roles,
            cluster_roles: &self.cluster_roles,
            role_bindings: &self.role_bindings,
            cluster_role_bindings: &self.cluster_role_bindings,
        }
    }

    fn allows(&self, who: &UserInfo, attrs: &Attributes) -> bool {
        authorize(who, attrs, &self.policy()).allowed
    }
}

fn role_named<'a>(roles: &'a [Value], name: &str) -> &'a Value {
    roles
        .iter()
        .find(|r| r["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("missing role {name}"))
}

#[test]
fn system_masters_is_allowed_everything_even_without_policy() {
    let empty: Vec<Value> = Vec::new();
    let policy = Policy {
        roles: &empty,
        cluster_roles: &empty,
        role_bindings: &empty,
        cluster_role_bindings: &empty,
    };
    let root = user("root", &["system:masters", "system:authenticated"]);
    let decision = authorize(&root, &req("delete", "", "nodes", ""), &policy);
    // The privileged-group authorizer answers before RBAC and gives no reason, as in kube.
    assert_eq!(
        decision,
        Decision {
            allowed: true,
            reason: String::new()
        }
    );
    assert!(authorize(&root, &path("post", "/anything"), &policy).allowed);
    let nobody = user("nobody", &[]);
    let denied = authorize(&nobody, &req("get", "", "pods", "default"), &policy);
    assert_eq!(
        denied,
        Decision {
            allowed: false,
            reason: String::new()
        }
    );
}

#[test]
fn allow_reason_names_binding_role_and_subject() {
    let mut f = Fixture::new();
    f.cluster_role_bindings.push(cluster_role_binding(
        "ops-admin",
        "cluster-admin",
        json!([{"kind": "Group", "name": "ops"}]),
    ));
    let decision = authorize(
        &user("olga", &["ops"]),
        &req("get", "", "nodes", ""),
        &f.policy(),
    );
    assert!(decision.allowed);
    assert_eq!(
        decision.reason,
        r#"RBAC: allowed by ClusterRoleBinding "ops-admin" of ClusterRole "cluster-admin" to Group "ops""#
    );
}

#[test]
fn view_role_binding_is_namespaced_and_excludes_secrets() {
    let mut f = Fixture::new();
    f.role_bindings.push(role_binding(
        "alice-view",
        "dev",
        "ClusterRole",
        "view",
        json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"}]),
    ));
    let alice = user("alice", &["system:authenticated"]);
    let decision = authorize(&alice, &req("list", "", "pods", "dev"), &f.policy());
    assert!(decision.allowed);
    assert_eq!(
        decision.reason,
        r#"RBAC: allowed by RoleBinding "alice-view/dev" of ClusterRole "view" to User "alice""#
    );
    assert!(f.allows(&alice, &req("get", "", "pods/log", "dev")));
    assert!(f.allows(&alice, &req("watch", "apps", "deployments", "dev")));
    assert!(!f.allows(&alice, &req("list", "", "pods", "prod")));
    assert!(!f.allows(&alice, &req("list", "", "pods", "")));
    assert!(!f.allows(&alice, &req("get", "", "secrets", "dev")));
    assert!(!f.allows(&alice, &req("create", "", "pods", "dev")));
    assert!(!f.allows(&alice, &req("create", "", "pods/exec", "dev")));
    assert!(!f.allows(&user("bob", &[]), &req("list", "", "pods", "dev")));
}

#[test]
fn edit_and_admin_add_writes_and_rbac() {
    let mut f = Fixture::new();
    for (who, role) in [("ed", "edit"), ("ad", "admin")] {
        let subjects = json!([{"kind": "User", "name": who}]);
        f.role_bindings
            .push(role_binding(who, "team", "ClusterRole", role, subjects));
    }
    let ed = user("ed", &[]);
    let ad = user("ad", &[]);
    assert!(f.allows(&ed, &req("create", "apps", "deployments", "team")));
    assert!(f.allows(&ed, &req("patch", "apps", "deployments/scale", "team")));
    assert!(f.allows(&ed, &req("get", "", "secrets", "team")));
    assert!(f.allows(&ed, &req("create", "", "pods/exec", "team")));
    assert!(f.allows(&ed, &req("list", "", "pods", "team")));
    assert!(!f.allows(&ed, &req("create", "apps", "deployments", "other")));
    assert!(!f.allows(
        &ed,
        &req("create", "rbac.authorization.k8s.io", "roles", "team")
    ));
    assert!(f.allows(
        &ad,
        &req(
            "create",
            "rbac.authorization.k8s.io",
            "rolebindings",
            "team"
        )
    ));
    let lsar = req(
        "create",
        "authorization.k8s.io",
        "localsubjectaccessreviews",
        "team",
    );
    assert!(f.allows(&ad, &lsar));
    assert!(f.allows(&ad, &req("delete", "", "secrets", "team")));
    assert!(!f.allows(&ad, &req("delete", "", "resourcequotas", "team")));
}

#[test]
fn service_account_subjects_match_by_namespace_and_name() {
    let mut f = Fixture::new();
    // No namespace on the subject: it defaults to the RoleBinding's namespace.
    f.role_bindings.push(role_binding(
        "builder-edit",
        "ci",
        "ClusterRole",
        "edit",
        json!([{"kind": "ServiceAccount", "name": "builder"}]),
    ));
    f.cluster_role_bindings.push(cluster_role_binding(
        "scanner-view",
        "view",
        json!([
            {"kind": "ServiceAccount", "name": "nsless"},
            {"kind": "ServiceAccount", "name": "scanner", "namespace": "sec"}
        ]),
    ));
    let builder = user(
        "system:serviceaccount:ci:builder",
        &["system:serviceaccounts"],
    );
    let decision = authorize(&builder, &req("create", "batch", "jobs", "ci"), &f.policy());
    assert_eq!(
        decision.reason,
        r#"RBAC: allowed by RoleBinding "builder-edit/ci" of ClusterRole "edit" to ServiceAccount "builder/ci""#
    );
    let elsewhere = user("system:serviceaccount:other:builder", &[]);
    assert!(!f.allows(&elsewhere, &req("create", "batch", "jobs", "ci")));
    assert!(!f.allows(&user("builder", &[]), &req("create", "batch", "jobs", "ci")));
    let scanner = user("system:serviceaccount:sec:scanner", &[]);
    let decision = authorize(&scanner, &req("list", "", "pods", ""), &f.policy());
    assert_eq!(
        decision.reason,
        r#"RBAC: allowed by ClusterRoleBinding "scanner-view" of ClusterRole "view" to ServiceAccount "scanner/sec""#
    );
    // A namespace-less ServiceAccount subject in a ClusterRoleBinding matches nobody.
    let nsless = user("system:serviceaccount::nsless", &[]);
    assert!(!f.allows(&nsless, &req("list", "", "pods", "")));
}

#[test]
fn roles_and_resource_names() {
    let mut f = Fixture::new();
    f.roles.push(json!({
        "kind": "Role", "metadata": {"name": "one-config", "namespace": "app"},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "update"],
                   "resourceNames": ["app-config"]}],
    }));
    let subjects = json!([{"kind": "User", "name": "carol"}]);
    f.role_bindings.push(role_binding(
        "carol",
        "app",
        "Role",
        "one-config",
        subjects.clone(),
    ));
    // Same binding in another namespace: the Role only exists in "app".
    f.role_bindings
        .push(role_binding("carol", "web", "Role", "one-config", subjects));
    let carol = user("carol", &[]);
    let get = req("get", "", "configmaps", "app");
    assert!(f.allows(&carol, &named(get.clone(), "app-config")));
    assert!(!f.allows(&carol, &named(get.clone(), "other")));
    assert!(!f.allows(&carol, &get));
    assert!(!f.allows(&carol, &req("list", "", "configmaps", "app")));
    assert!(!f.allows(
        &carol,
        &named(req("get", "", "configmaps", "web"), "app-config")
    ));
}

#[test]
fn wildcard_subresource_rule() {
    let mut f = Fixture::new();
    f.cluster_roles.push(cluster_role(
        "scaler",
        json!([{"apiGroups": ["*"], "resources": ["*/scale"], "verbs": ["get", "update"]}]),
    ));
    let subjects = json!([{"kind": "User", "name": "hpa"}]);
    f.cluster_role_bindings
        .push(cluster_role_binding("scaler", "scaler", subjects));
    let hpa = user("hpa", &[]);
    assert!(f.allows(&hpa, &req("update", "apps", "deployments/scale", "x")));
    assert!(f.allows(&hpa, &req("get", "", "replicationcontrollers/scale", "x")));
    assert!(!f.allows(&hpa, &req("update", "apps", "deployments", "x")));
    assert!(!f.allows(&hpa, &req("update", "", "pods/status", "x")));
}

#[test]
fn non_resource_urls_with_prefix() {
    let mut f = Fixture::new();
    f.cluster_roles.push(cluster_role(
        "logs",
        json!([{"nonResourceURLs": ["/logs/*", "/metrics"], "verbs": ["get"]}]),
    ));
    let subjects = json!([{"kind": "User", "name": "lara"}]);
    f.cluster_role_bindings
        .push(cluster_role_binding("logs", "logs", subjects));
    let lara = user("lara", &[]);
    assert!(f.allows(&lara, &path("get", "/logs/kube-apiserver.log")));
    assert!(f.allows(&lara, &path("get", "/logs/")));
    assert!(!f.allows(&lara, &path("get", "/logs")));
    assert!(f.allows(&lara, &path("get", "/metrics")));
    assert!(!f.allows(&lara, &path("get", "/metrics/slis")));
    assert!(!f.allows(&lara, &path("post", "/logs/x")));
    // A non-resource rule never grants resource requests and vice versa.
    assert!(!f.allows(&lara, &req("get", "", "logs", "")));
}

#[test]
fn forbidden_messages_match_kube() {
    let alice = user("alice", &[]);
    assert_eq!(
        forbidden_message(&alice, &req("list", "", "pods", "default")),
        r#"pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default""#
    );
    let x = user("x", &[]);
    assert_eq!(
        forbidden_message(&x, &named(req("get", "", "nodes", ""), "n1")),
        r#"nodes "n1" is forbidden: User "x" cannot get resource "nodes" in API group "" at the cluster scope"#
    );
    assert_eq!(
        forbidden_message(
            &x,
            &named(req("create", "", "serviceaccounts/token", "ns"), "sa")
        ),
        r#"serviceaccounts "sa" is forbidden: User "x" cannot create resource "serviceaccounts/token" in API group "" in the namespace "ns""#
    );
    assert_eq!(
        forbidden_message(&x, &path("get", "/foo")),
        r#"forbidden: User "x" cannot get path "/foo""#
    );
    let sa = user("system:serviceaccount:ci:builder", &[]);
    assert_eq!(
        forbidden_message(
            &sa,
            &named(req("delete", "apps", "deployments", "ci"), "web")
        ),
        r#"deployments.apps "web" is forbidden: User "system:serviceaccount:ci:builder" cannot delete resource "deployments" in API group "apps" in the namespace "ci""#
    );
    let odd = user("a\"b\\c\n", &[]);
    assert_eq!(
        forbidden_message(&odd, &path("get", "/")),
        r#"forbidden: User "a\"b\\c\n" cannot get path "/""#
    );
}

#[test]
fn rules_for_returns_the_view_rules() {
    let mut f = Fixture::new();
    let subjects = json!([{"kind": "User", "name": "alice"}]);
    f.role_bindings.push(role_binding(
        "alice-view",
        "dev",
        "ClusterRole",
        "view",
        subjects,
    ));
    let alice = user("alice", &[]);
    let (resource, non_resource) = rules_for(&alice, "dev", &f.policy());
    let view = role_named(&f.cluster_roles, "view");
    let expected = view["rules"].as_array().cloned().unwrap_or_default();
    assert_eq!(expected.len(), 10);
    assert_eq!(resource, expected);
    assert!(non_resource.is_empty());
    assert_eq!(rules_for(&alice, "prod", &f.policy()), (vec![], vec![]));

    let authed = user("alice", &["system:authenticated"]);
    let (resource, non_resource) = rules_for(&authed, "dev", &f.policy());
    assert!(resource.contains(&json!({
        "verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
        "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
    })));
    assert_eq!(resource.len(), 12);
    assert!(
        non_resource
            .iter()
            .any(|r| r["nonResourceURLs"][0] == "/api")
    );
}

#[test]
fn default_policy_shape() {
    let roles = default_cluster_roles();
    for name in [
        "cluster-admin",
        "admin",
        "edit",
        "view",
        "system:basic-user",
        "system:discovery",
        "system:public-info-viewer",
        "system:monitoring",
        "system:node",
        "system:kube-scheduler",
        "system:kube-controller-manager",
    ] {
        let role = role_named(&roles, name);
        assert_eq!(role["apiVersion"], "rbac.authorization.k8s.io/v1");
        assert_eq!(role["kind"], "ClusterRole");
        assert_eq!(
            role["metadata"]["labels"]["kubernetes.io/bootstrapping"],
            "rbac-defaults"
        );
        let autoupdate =
            &role["metadata"]["annotations"]["rbac.authorization.kubernetes.io/autoupdate"];
        assert_eq!(autoupdate, "true");
        assert!(
            role["rules"].as_array().is_some_and(|r| !r.is_empty()),
            "{name}"
        );
    }
    let rule_count = |name: &str| role_named(&roles, name)["rules"].as_array().map(Vec::len);
    assert_eq!(rule_count("view"), Some(10));
    assert_eq!(rule_count("edit"), Some(23));
    assert_eq!(rule_count("admin"), Some(25));
    let view = role_named(&roles, "view").to_string();
    assert!(!view.contains("secrets"));

    let bindings = default_cluster_role_bindings();
    let binding = role_named(&bindings, "system:public-info-viewer");
    assert_eq!(binding["roleRef"]["kind"], "ClusterRole");
    assert_eq!(binding["subjects"][1]["name"], "system:unauthenticated");
    assert_eq!(
        binding["subjects"][1]["apiGroup"],
        "rbac.authorization.k8s.io"
    );
    assert!(
        role_named(&bindings, "system:node")
            .get("subjects")
            .is_none()
    );
    let kube_dns = &role_named(&bindings, "system:kube-dns")["subjects"][0];
    assert!(kube_dns.get("apiGroup").is_none());
}

#[test]
fn default_policy_grants_basic_access() {
    let f = Fixture::new();
    let authed = user("dave", &["system:authenticated"]);
    let anon = user("system:anonymous", &["system:unauthenticated"]);
    let ssar = req(
        "create",
        "authorization.k8s.io",
        "selfsubjectaccessreviews",
        "",
    );
    let decision = authorize(&authed, &ssar, &f.policy());
    assert_eq!(
        decision.reason,
        r#"RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" to Group "system:authenticated""#
    );
    let ssr = req("create", "authentication.k8s.io", "selfsubjectreviews", "");
    assert!(f.allows(&authed, &ssr));
    assert!(f.allows(&authed, &path("get", "/apis/apps/v1")));
    assert!(f.allows(&authed, &path("get", "/openapi/v3")));
    assert!(!f.allows(&authed, &path("get", "/metrics")));
    assert!(!f.allows(&authed, &req("list", "", "pods", "default")));
    assert!(!f.allows(&anon, &ssar));
    assert!(!f.allows(&anon, &path("get", "/api")));
    assert!(f.allows(&anon, &path("get", "/healthz")));
    assert!(f.allows(&anon, &path("get", "/version")));
    let monitor = user("prom", &["system:monitoring"]);
    assert!(f.allows(&monitor, &path("get", "/readyz/etcd")));
    let scheduler = user("system:kube-scheduler", &["system:authenticated"]);
    assert!(f.allows(&scheduler, &req("create", "", "pods/binding", "default")));
    let lease = named(
        req("update", "coordination.k8s.io", "leases", "kube-system"),
        "kube-scheduler",
    );
    assert!(f.allows(&scheduler, &lease));
    assert!(!f.allows(&scheduler, &named(lease.clone(), "kube-controller-manager")));
}

#[test]
fn read_only_role_reads_everything_but_secrets() {
    let mut f = Fixture::new();
    f.cluster_roles.push(read_only_cluster_role());
    let subjects = json!([{"kind": "User", "name": "monitor"}]);
    let binding = cluster_role_binding("monitor", "aksemu:cluster-monitoring-user", subjects);
    f.cluster_role_bindings.push(binding);
    let monitor = user("monitor", &[]);
    assert!(f.allows(&monitor, &req("list", "", "nodes", "")));
    assert!(f.allows(&monitor, &req("get", "", "pods/log", "kube-system")));
    assert!(f.allows(&monitor, &req("watch", "apps", "deployments", "")));
    assert!(f.allows(
        &monitor,
        &req(
            "list",
            "apiextensions.k8s.io",
            "customresourcedefinitions",
            ""
        )
    ));
    assert!(f.allows(&monitor, &path("get", "/metrics")));
    assert!(!f.allows(&monitor, &req("get", "", "secrets", "default")));
    assert!(!f.allows(&monitor, &req("get", "", "nodes/proxy", "")));
    assert!(!f.allows(&monitor, &req("create", "", "pods", "default")));
    assert!(!f.allows(&monitor, &path("post", "/metrics")));
}

#[test]
fn malformed_objects_are_ignored_not_fatal() {
    let mut f = Fixture::new();
    f.cluster_roles.extend([
        json!(42),
        json!({"metadata": "nope", "rules": "all"}),
        cluster_role(
            "mixed",
            json!([
                "not a rule",
                {"apiGroups": "*", "resources": ["*"], "verbs": ["*"]},
                {"apiGroups": [""], "resources": ["pods"], "verbs": ["*", 7]},
                {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"],
                 "resourceNames": {"a": 1}},
                {"apiGroups": [""], "resources": ["services"], "verbs": ["get"]}
            ]),
        ),
    ]);
    f.cluster_role_bindings.extend([
        json!(null),
        json!({"roleRef": 5, "subjects": [{"kind": "User", "name": "eve"}]}),
        json!({"metadata": {"name": "m"}, "roleRef": {"kind": "ClusterRole", "name": "mixed"},
               "subjects": [1, {"kind": 2}, {"kind": "User", "name": "eve"}]}),
        json!({"metadata": {"name": "g"}, "roleRef": {"kind": "ClusterRole", "name": "missing"},
               "subjects": {"kind": "User", "name": "eve"}}),
    ]);
    f.role_bindings.extend([
        json!("x"),
        json!({"metadata": {"namespace": "d"}, "roleRef": {"kind": "Role", "name": "none"},
               "subjects": [{"kind": "User", "name": "eve"}]}),
    ]);
    f.roles.push(json!([1, 2, 3]));
    let eve = user("eve", &[]);
    assert!(f.allows(&eve, &req("get", "", "services", "d")));
    assert!(!f.allows(&eve, &req("get", "", "pods", "d")));
    assert!(!f.allows(&eve, &req("get", "", "nodes", "")));
    assert!(!f.allows(&eve, &named(req("get", "", "configmaps", "d"), "a")));
    let (resource, _) = rules_for(&eve, "d", &f.policy());
    assert_eq!(resource.len(), 1);
}
