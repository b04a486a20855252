//! The bootstrap policy kube-apiserver reconciles at startup, plus the emulator's read-only role.
//!
//! `bootstrap.json` transcribes kubernetes' bootstrappolicy testdata (`cluster-roles.yaml`,
//! `cluster-role-bindings.yaml`) without the boilerplate every object shares; that boilerplate
//! and the aggregated rules of `admin`/`edit`/`view` are filled in here, so the result equals
//! what `kubectl get clusterrole -o json` shows on a fresh cluster (minus server-set metadata).

use serde_json::{Map, Value, json};

const BOOTSTRAP: &str = include_str!("bootstrap.json");
const API_VERSION: &str = "rbac.authorization.k8s.io/v1";
const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// The bootstrap ClusterRoles, with `admin`, `edit` and `view` already aggregated.
pub fn default_cluster_roles() -> Vec<Value> {
    let mut roles: Vec<Value> = bootstrap_entries("clusterRoles")
        .into_iter()
        .map(|entry| with_bootstrap_meta(entry, "ClusterRole"))
        .collect();
    aggregate(&mut roles);
    roles
}

/// The bootstrap ClusterRoleBindings; each binds the ClusterRole of the same name.
pub fn default_cluster_role_bindings() -> Vec<Value> {
    bootstrap_entries("clusterRoleBindings")
        .into_iter()
        .map(|entry| {
            let name = entry.get("name").cloned().unwrap_or(Value::Null);
            let role = entry.get("roleRef").cloned().unwrap_or(Value::Null);
            let mut binding = json!({
                "metadata": { "name": name },
                "roleRef": { "apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role },
            });
            // system:node is bound to nobody (the Node authorizer covers kubelets), and kube
            // leaves `subjects` out entirely rather than writing an empty list.
            if let Some(subjects) = entry.get("subjects").and_then(Value::as_array) {
                let subjects = subjects.iter().cloned().map(with_subject_group).collect();
                binding["subjects"] = Value::Array(subjects);
            }
            with_bootstrap_meta(binding, "ClusterRoleBinding")
        })
        .collect()
}

/// The ClusterRole the emulator binds its `clusterMonitoringUser` credential to: AKS hands
/// that credential out as a read-only identity, which kube has no built-in role for (`view`
/// is namespace-oriented and misses cluster-scoped objects). RBAC rules cannot subtract, so
/// "everything but secrets" is spelled out: every core/v1 resource (and read-only
/// subresource) except secrets, and all resources of the other built-in groups.
pub fn read_only_cluster_role() -> Value {
    let core = [
        "bindings",
        "componentstatuses",
        "configmaps",
        "endpoints",
        "events",
        "limitranges",
        "namespaces",
        "namespaces/status",
        "nodes",
        "nodes/status",
        "persistentvolumeclaims",
        "persistentvolumeclaims/status",
        "persistentvolumes",
        "persistentvolumes/status",
        "pods",
        "pods/log",
        "pods/status",
        "podtemplates",
        "replicationcontrollers",
        "replicationcontrollers/scale",
        "replicationcontrollers/status",
        "resourcequotas",
        "resourcequotas/status",
        "serviceaccounts",
        "services",
        "services/status",
    ];
    let groups = [
        "apps",
        "batch",
        "autoscaling",
        "policy",
        "networking.k8s.io",
        "storage.k8s.io",
        "rbac.authorization.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "apiextensions.k8s.io",
    ];
    let read = ["get", "list", "watch"];
    json!({
        "apiVersion": API_VERSION,
        "kind": "ClusterRole",
        "metadata": { "name": "aksemu:cluster-monitoring-user" },
        "rules": [
            { "apiGroups": [""], "resources": core, "verbs": read },
            { "apiGroups": groups, "resources": ["*"], "verbs": read },
            { "nonResourceURLs": ["*"], "verbs": ["get"] },
        ],
    })
}

/// The named list from `bootstrap.json`. The file is compiled in and covered by tests, so a
/// parse failure can only be a build-time mistake; it yields no defaults instead of a panic.
fn bootstrap_entries(key: &str) -> Vec<Value> {
    let mut doc: Value = serde_json::from_str(BOOTSTRAP).unwrap_or(Value::Null);
    match doc.get_mut(key).map(Value::take) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    }
}

/// Adds apiVersion/kind and the label and annotation every bootstrap object carries; the
/// annotation is what lets kube-apiserver reconcile (auto-update) them on upgrade.
fn with_bootstrap_meta(mut object: Value, kind: &str) -> Value {
    let Some(obj) = object.as_object_mut() else {
        return object;
    };
    obj.insert("apiVersion".into(), API_VERSION.into());
    obj.insert("kind".into(), kind.into());
    let metadata = obj
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(metadata) = metadata.as_object_mut() {
        insert_into(
            metadata,
            "labels",
            "kubernetes.io/bootstrapping",
            "rbac-defaults",
        );
        insert_into(
            metadata,
            "annotations",
            "rbac.authorization.kubernetes.io/autoupdate",
            "true",
        );
    }
    object
}

fn insert_into(metadata: &mut Map<String, Value>, field: &str, key: &str, value: &str) {
    let map = metadata
        .entry(field)
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(map) = map.as_object_mut() {
        map.insert(key.into(), value.into());
    }
}

/// kube's bootstrap subjects for users and groups carry the RBAC apiGroup; service accounts
/// carry none.
fn with_subject_group(mut subject: Value) -> Value {
    let kind = subject.get("kind").and_then(Value::as_str);
    let grouped = matches!(kind, Some("User" | "Group"));
    if let Some(obj) = subject.as_object_mut()
        && grouped
    {
        obj.insert("apiGroup".into(), RBAC_GROUP.into());
    }
    subject
}

/// What kube's clusterrole-aggregation controller converges to: each role with an
/// `aggregationRule` gets the deduplicated union of the rules of the roles its selectors
/// match, taken in name order. Roles feed each other (view → edit → admin), and the
/// controller simply re-syncs until stable, so this iterates to a fixed point.
fn aggregate(roles: &mut [Value]) {
    for _ in 0..roles.len() {
        let mut changed = false;
        for index in 0..roles.len() {
            let Some(rules) = aggregated_rules(roles, index) else {
                continue;
            };
            // Only objects can carry an aggregationRule, so the insert always lands.
            if let Some(role) = roles[index].as_object_mut()
                && role.get("rules") != Some(&rules)
            {
                role.insert("rules".into(), rules);
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// The aggregated rules for `roles[index]`, or `None` if it has no aggregationRule.
fn aggregated_rules(roles: &[Value], index: usize) -> Option<Value> {
    let selectors = roles[index]
        .get("aggregationRule")?
        .get("clusterRoleSelectors")?
        .as_array()?;
    let mut sources: Vec<&Value> = roles
        .iter()
        .enumerate()
        .filter(|(other, role)| *other != index && selectors.iter().any(|s| labels_match(role, s)))
        .map(|(_, role)| role)
        .collect();
    sources.sort_by_key(|role| role_name(role));
    let mut rules: Vec<Value> = Vec::new();
    for source in sources {
        let source_rules = source.get("rules").and_then(Value::as_array);
        for rule in source_rules.into_iter().flatten() {
            if !rules.contains(rule) {
                rules.push(rule.clone());
            }
        }
    }
    Some(Value::Array(rules))
}

/// `matchLabels` selection (the bootstrap roles use nothing else); a selector with
/// `matchExpressions` is treated as matching nothing rather than guessed at.
fn labels_match(role: &Value, selector: &Value) -> bool {
    if !selector.is_object() || selector.get("matchExpressions").is_some() {
        return false;
    }
    let labels = role.get("metadata").and_then(|m| m.get("labels"));
    let wanted = selector.get("matchLabels").and_then(Value::as_object);
    wanted
        .into_iter()
        .flatten()
        .all(|(key, value)| labels.and_then(|l| l.get(key)) == Some(value))
}

fn role_name(role: &Value) -> &str {
    role.get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("")
}
