//! The RBAC decision, the apiserver's 403 wording and the SelfSubjectRulesReview rule list.
//!
//! Everything reads the stored JSON through `Option`-returning accessors so that a malformed
//! object can only make a binding or rule not apply; it can never panic or widen access.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::types::{Attributes, Decision, Policy, UserInfo};

/// The group kube-apiserver's privileged-group authorizer allows before RBAC is consulted.
const SYSTEM_MASTERS: &str = "system:masters";

/// Kubernetes' decision for `user` performing `attrs`.
///
/// Members of `system:masters` are allowed by the apiserver's privileged-group authorizer,
/// which runs before RBAC and reports an empty reason (exactly like kube-apiserver). Everyone
/// else goes through RBAC: ClusterRoleBindings first, then RoleBindings in `attrs.namespace`;
/// the first matching rule allows with kube's `RBAC: allowed by ...` reason. A denial has an
/// empty reason, because kube's RBAC authorizer only reports resolution errors there.
pub fn authorize(user: &UserInfo, attrs: &Attributes, policy: &Policy) -> Decision {
    if user.groups.iter().any(|g| g == SYSTEM_MASTERS) {
        return Decision {
            allowed: true,
            reason: String::new(),
        };
    }
    let mut reason = None;
    visit_rules(user, &attrs.namespace, policy, &mut |source, rule| {
        if rule_allows(attrs, rule) {
            reason = Some(format!("RBAC: allowed by {}", source.describe()));
            return false;
        }
        true
    });
    Decision {
        allowed: reason.is_some(),
        reason: reason.unwrap_or_default(),
    }
}

/// The message of the 403 Status kube-apiserver returns for a denied request.
///
/// Mirrors `forbiddenMessage` (apiserver responsewriters/errors.go) wrapped by apimachinery's
/// `errors.NewForbidden`, whose prefix names the group-qualified resource (without the
/// subresource) and, when present, the object name.
pub fn forbidden_message(user: &UserInfo, attrs: &Attributes) -> String {
    let username = go_quote(&user.username);
    let detail = match &attrs.path {
        Some(path) => format!(
            "User {username} cannot {} path {}",
            attrs.verb,
            go_quote(path)
        ),
        None => {
            let mut resource = attrs.resource.clone();
            if !attrs.subresource.is_empty() {
                resource = format!("{resource}/{}", attrs.subresource);
            }
            let scope = if attrs.namespace.is_empty() {
                "at the cluster scope".to_string()
            } else {
                format!("in the namespace {}", go_quote(&attrs.namespace))
            };
            format!(
                "User {username} cannot {} resource {} in API group {} {scope}",
                attrs.verb,
                go_quote(&resource),
                go_quote(&attrs.api_group)
            )
        }
    };
    // A non-resource request has an empty GroupResource, which NewForbidden renders bare.
    let (group, resource) = match attrs.path {
        Some(_) => ("", ""),
        None => (attrs.api_group.as_str(), attrs.resource.as_str()),
    };
    let qualified = if group.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}.{group}")
    };
    if qualified.is_empty() {
        format!("forbidden: {detail}")
    } else if attrs.name.is_empty() {
        format!("{qualified} is forbidden: {detail}")
    } else {
        format!(
            "{qualified} {} is forbidden: {detail}",
            go_quote(&attrs.name)
        )
    }
}

/// The rules a SelfSubjectRulesReview reports for `user` in `namespace`: authorization.k8s.io/v1
/// `ResourceRule`s and `NonResourceRule`s, in binding order (ClusterRoleBindings first), one per
/// matching PolicyRule, as kube's `RBACAuthorizer.RulesFor` produces them.
pub fn rules_for(user: &UserInfo, namespace: &str, policy: &Policy) -> (Vec<Value>, Vec<Value>) {
    let mut resource_rules = Vec::new();
    let mut non_resource_rules = Vec::new();
    visit_rules(user, namespace, policy, &mut |_, rule| {
        let verbs = list_value(rule, "verbs");
        if has_entries(rule, "resources") {
            let mut out = Map::new();
            out.insert("verbs".into(), verbs.clone());
            // The v1 ResourceRule marks these `omitempty`, so empty lists are left out.
            for key in ["apiGroups", "resources", "resourceNames"] {
                if has_entries(rule, key) {
                    out.insert(key.into(), list_value(rule, key));
                }
            }
            resource_rules.push(Value::Object(out));
        }
        if has_entries(rule, "nonResourceURLs") {
            let mut out = Map::new();
            out.insert("verbs".into(), verbs);
            out.insert(
                "nonResourceURLs".into(),
                list_value(rule, "nonResourceURLs"),
            );
            non_resource_rules.push(Value::Object(out));
        }
        true
    });
    (resource_rules, non_resource_rules)
}

/// Which binding and subject granted a rule; renders kube's describer strings.
struct Source<'p> {
    binding: &'p Value,
    subject: &'p Value,
    /// `Some(namespace)` for a RoleBinding, `None` for a ClusterRoleBinding.
    namespace: Option<&'p str>,
}

impl Source<'_> {
    fn describe(&self) -> String {
        let role_ref = self.binding.get("roleRef").unwrap_or(&Value::Null);
        let role = format!(
            "{} {}",
            str_at(role_ref, "kind"),
            go_quote(str_at(role_ref, "name"))
        );
        let name = meta(self.binding, "name");
        let subject = describe_subject(self.subject, self.namespace.unwrap_or(""));
        match self.namespace {
            Some(ns) => format!(
                "RoleBinding {} of {role} to {subject}",
                go_quote(&format!("{name}/{ns}"))
            ),
            None => format!(
                "ClusterRoleBinding {} of {role} to {subject}",
                go_quote(name)
            ),
        }
    }
}

/// kube's `describeSubject`: service accounts are shown as "name/namespace".
fn describe_subject(subject: &Value, binding_namespace: &str) -> String {
    let kind = str_at(subject, "kind");
    let name = str_at(subject, "name");
    if kind != "ServiceAccount" {
        return format!("{kind} {}", go_quote(name));
    }
    let ns = match str_at(subject, "namespace") {
        "" => binding_namespace,
        ns => ns,
    };
    format!("{kind} {}", go_quote(&format!("{name}/{ns}")))
}

/// Calls `visit` for every well-formed rule granted to `user` in `namespace` (kube's
/// `VisitRulesFor`): ClusterRoleBindings first, then the namespace's RoleBindings. `visit`
/// returns false to stop early.
fn visit_rules(
    user: &UserInfo,
    namespace: &str,
    policy: &Policy,
    visit: &mut dyn FnMut(&Source, &Value) -> bool,
) {
    for binding in policy.cluster_role_bindings {
        let Some(subject) = matching_subject(user, binding, "") else {
            continue;
        };
        let source = Source {
            binding,
            subject,
            namespace: None,
        };
        // A ClusterRoleBinding can only reference ClusterRoles; kube resolves a "Role" ref in
        // namespace "" which never exists, so passing "" reproduces that.
        for rule in role_rules(binding, "", policy) {
            if !visit(&source, rule) {
                return;
            }
        }
    }
    if namespace.is_empty() {
        return;
    }
    let in_namespace = policy
        .role_bindings
        .iter()
        .filter(|b| meta(b, "namespace") == namespace);
    for binding in in_namespace {
        let Some(subject) = matching_subject(user, binding, namespace) else {
            continue;
        };
        let source = Source {
            binding,
            subject,
            namespace: Some(namespace),
        };
        for rule in role_rules(binding, namespace, policy) {
            if !visit(&source, rule) {
                return;
            }
        }
    }
}

/// The first subject of `binding` that names `user` (kube's `appliesTo`).
fn matching_subject<'p>(user: &UserInfo, binding: &'p Value, namespace: &str) -> Option<&'p Value> {
    array_at(binding, "subjects")
        .iter()
        .find(|s| subject_matches(user, s, namespace))
}

/// kube's `appliesToUser`. Only the kind matters at decision time; a ServiceAccount subject
/// without a namespace defaults to the binding's namespace (none for ClusterRoleBindings).
fn subject_matches(user: &UserInfo, subject: &Value, namespace: &str) -> bool {
    let name = str_at(subject, "name");
    match str_at(subject, "kind") {
        "User" => user.username == name,
        "Group" => user.groups.iter().any(|g| g == name),
        "ServiceAccount" => {
            let sa_namespace = match str_at(subject, "namespace") {
                "" => namespace,
                ns => ns,
            };
            !sa_namespace.is_empty()
                && user.username == format!("system:serviceaccount:{sa_namespace}:{name}")
        }
        _ => false,
    }
}

/// The well-formed rules of the role `binding.roleRef` points at, or nothing when the ref is
/// malformed or dangling (kube records an error and grants nothing for it).
fn role_rules<'p>(
    binding: &'p Value,
    namespace: &str,
    policy: &Policy<'p>,
) -> impl Iterator<Item = &'p Value> {
    let role_ref = binding.get("roleRef").unwrap_or(&Value::Null);
    let name = str_at(role_ref, "name");
    let role = match str_at(role_ref, "kind") {
        "ClusterRole" => policy
            .cluster_roles
            .iter()
            .find(|r| meta(r, "name") == name),
        "Role" if !namespace.is_empty() => policy
            .roles
            .iter()
            .find(|r| meta(r, "name") == name && meta(r, "namespace") == namespace),
        _ => None,
    };
    let rules = role.map(|r| array_at(r, "rules")).unwrap_or(&[]);
    rules.iter().filter(|r| rule_well_formed(r))
}

/// A rule is usable only if it is an object whose list fields are arrays of strings; anything
/// else would fail kube's decoding, so it is skipped rather than half-interpreted.
fn rule_well_formed(rule: &Value) -> bool {
    let Some(obj) = rule.as_object() else {
        return false;
    };
    [
        "verbs",
        "apiGroups",
        "resources",
        "resourceNames",
        "nonResourceURLs",
    ]
    .iter()
    .all(|key| match obj.get(*key) {
        None | Some(Value::Null) => true,
        Some(Value::Array(items)) => items.iter().all(Value::is_string),
        Some(_) => false,
    })
}

/// kube's `RuleAllows` (rbac/rbac.go plus the matchers in rbac/helpers).
fn rule_allows(attrs: &Attributes, rule: &Value) -> bool {
    let verb_ok = strs(rule, "verbs").any(|v| v == "*" || v == attrs.verb);
    if !verb_ok {
        return false;
    }
    if let Some(path) = &attrs.path {
        return strs(rule, "nonResourceURLs").any(|u| non_resource_url_matches(u, path));
    }
    let combined = if attrs.subresource.is_empty() {
        attrs.resource.clone()
    } else {
        format!("{}/{}", attrs.resource, attrs.subresource)
    };
    let group_ok = strs(rule, "apiGroups").any(|g| g == "*" || g == attrs.api_group);
    let resource_ok = strs(rule, "resources").any(|r| {
        r == "*"
            || r == combined
            // "*/scale" grants the scale subresource of every resource.
            || (!attrs.subresource.is_empty() && r.strip_prefix("*/") == Some(&attrs.subresource))
    });
    // No resourceNames means every name; otherwise the request's name must be listed.
    let names_ok =
        !has_entries(rule, "resourceNames") || strs(rule, "resourceNames").any(|n| n == attrs.name);
    group_ok && resource_ok && names_ok
}

/// "*" matches every path; a trailing "*" is a prefix match; otherwise exact.
fn non_resource_url_matches(rule_url: &str, path: &str) -> bool {
    if rule_url == "*" || rule_url == path {
        return true;
    }
    rule_url
        .strip_suffix('*')
        .is_some_and(|prefix| path.starts_with(prefix))
}

/// Go's `%q` for the strings that appear in kube messages: quotes, backslashes and control
/// characters are escaped the way `strconv.Quote` does. (Go also escapes other non-printable
/// code points such as format characters; those cannot occur in valid Kubernetes names.)
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x80 && c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn str_at<'v>(value: &'v Value, key: &str) -> &'v str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

fn array_at<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn meta<'v>(object: &'v Value, key: &str) -> &'v str {
    object.get("metadata").map(|m| str_at(m, key)).unwrap_or("")
}

fn strs<'v>(value: &'v Value, key: &str) -> impl Iterator<Item = &'v str> {
    array_at(value, key).iter().filter_map(Value::as_str)
}

fn has_entries(value: &Value, key: &str) -> bool {
    !array_at(value, key).is_empty()
}

/// A rule's list field as a JSON array (empty when absent), for the rules review.
fn list_value(rule: &Value, key: &str) -> Value {
    Value::Array(array_at(rule, key).to_vec())
}
