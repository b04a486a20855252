//! Row cells of kube-apiserver's built-in Table printers (printers.go `print<Kind>`), computed
//! from the stored JSON object instead of typed Go structs.
//!
//! kube-apiserver always generates tables with `Wide: true` (kubectl hides priority-1 columns
//! itself), so every function here returns the wide cell set, one cell per column of
//! `columns::columns(kind)`. Every lookup tolerates missing fields and wrong JSON types: what
//! Go would see as a nil pointer / zero value is treated the same way here.

use super::age::{human_duration, parse_time, since};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use time::{Duration, OffsetDateTime};

const NONE: &str = "<none>";
const UNSET: &str = "<unset>";

// ---------------------------------------------------------------------------------------------
// JSON access: every helper returns Go's zero value when the path is missing or mistyped.

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, key| cur.get(*key))
}

/// A Go pointer-to-struct: set only when the JSON value is an object.
fn obj<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    at(v, path).filter(|x| x.is_object())
}

fn map<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Map<String, Value>> {
    at(v, path).and_then(Value::as_object)
}

fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    opt_s(v, path).unwrap_or("")
}

/// A Go `*string`: `None` when absent, null or not a string.
fn opt_s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path).and_then(Value::as_str)
}

fn opt_i(v: &Value, path: &[&str]) -> Option<i64> {
    // `as f64 as i64` saturates, so a huge or fractional number cannot panic.
    at(v, path).and_then(|x| x.as_i64().or_else(|| x.as_f64().map(|f| f as i64)))
}

fn i(v: &Value, path: &[&str]) -> i64 {
    opt_i(v, path).unwrap_or(0)
}

fn opt_b(v: &Value, path: &[&str]) -> Option<bool> {
    at(v, path).and_then(Value::as_bool)
}

fn b(v: &Value, path: &[&str]) -> bool {
    opt_b(v, path).unwrap_or(false)
}

fn arr<'a>(v: &'a Value, path: &[&str]) -> &'a [Value] {
    at(v, path)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `len()` of a Go slice or map field.
fn len_of(v: &Value, path: &[&str]) -> i64 {
    let n = match at(v, path) {
        Some(Value::Array(a)) => a.len(),
        Some(Value::Object(m)) => m.len(),
        _ => 0,
    };
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn is_set(v: &Value, path: &[&str]) -> bool {
    at(v, path).is_some_and(|x| !x.is_null())
}

fn name(o: &Value) -> &str {
    s(o, &["metadata", "name"])
}

fn created(o: &Value, now: OffsetDateTime) -> Value {
    since(time_at(o, &["metadata", "creationTimestamp"]), now).into()
}

fn time_at(v: &Value, path: &[&str]) -> Option<OffsetDateTime> {
    parse_time(at(v, path))
}

fn deleting(o: &Value) -> bool {
    is_set(o, &["metadata", "deletionTimestamp"])
}

fn annotation<'a>(o: &'a Value, key: &str) -> Option<&'a str> {
    map(o, &["metadata", "annotations"])
        .and_then(|m| m.get(key))
        .and_then(Value::as_str)
}

/// A `resource.Quantity` as stored; Go's zero Quantity prints "0".
fn quantity(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(q)) => q.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "0".to_string(),
    }
}

/// `(*Quantity).String()` on a pointer: nil prints "<nil>".
fn quantity_ptr(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "<nil>".to_string(),
        q => quantity(q),
    }
}

/// `intstr.IntOrString.String()`.
fn int_or_string(v: &Value) -> String {
    match v {
        Value::String(x) => x.clone(),
        Value::Number(n) => n.to_string(),
        _ => "0".to_string(),
    }
}

fn bool_str(v: bool) -> &'static str {
    if v { "True" } else { "False" }
}

fn or_default<'a>(v: &'a str, default: &'a str) -> &'a str {
    if v.is_empty() { default } else { v }
}

/// `spec.replicas`: the v1 API defaults it to 1 before storage, so an absent field (an object
/// stored without defaulting) prints what a real cluster would.
fn replicas(o: &Value) -> i64 {
    opt_i(o, &["spec", "replicas"]).unwrap_or(1)
}

// ---------------------------------------------------------------------------------------------
// Shared formatters.

/// printers.go `layoutContainerCells`: comma-joined names and images.
fn containers(o: &Value, path: &[&str]) -> (Value, Value) {
    let list = arr(o, path);
    let names: Vec<&str> = list.iter().map(|c| s(c, &["name"])).collect();
    let images: Vec<&str> = list.iter().map(|c| s(c, &["image"])).collect();
    (names.join(",").into(), images.join(",").into())
}

/// `labels.FormatLabels`: sorted "k=v" pairs, "<none>" when empty.
fn format_labels(m: Option<&Map<String, Value>>) -> String {
    let mut pairs: Vec<String> = m
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        NONE.to_string()
    } else {
        pairs.join(",")
    }
}

/// `metav1.LabelSelectorAsSelector(sel).String()`; `Err` where Go returns an error. A nil
/// selector (Nothing) and an empty one (Everything) both print "".
fn selector_string(sel: Option<&Value>) -> Result<String, ()> {
    let sel = match sel {
        None | Some(Value::Null) => return Ok(String::new()),
        Some(v) if v.is_object() => v,
        Some(_) => return Err(()),
    };
    let mut reqs: Vec<(String, String)> = Vec::new();
    for (k, v) in map(sel, &["matchLabels"]).into_iter().flatten() {
        let v = v.as_str().ok_or(())?;
        if !is_label_key(k) || !is_label_value(v) {
            return Err(());
        }
        reqs.push((k.clone(), format!("{k}={v}")));
    }
    for expr in arr(sel, &["matchExpressions"]) {
        reqs.push(requirement(expr)?);
    }
    // labels.Selector.Add sorts requirements by key.
    reqs.sort_by(|a, b| a.0.cmp(&b.0));
    let parts: Vec<String> = reqs.into_iter().map(|(_, r)| r).collect();
    Ok(parts.join(","))
}

/// One matchExpression as `labels.Requirement.String()` renders it, validated like
/// `labels.NewRequirement`.
fn requirement(expr: &Value) -> Result<(String, String), ()> {
    let key = s(expr, &["key"]);
    let mut values = Vec::new();
    for v in arr(expr, &["values"]) {
        let v = v.as_str().ok_or(())?;
        if !is_label_value(v) {
            return Err(());
        }
        values.push(v);
    }
    if !is_label_key(key) {
        return Err(());
    }
    values.sort_unstable();
    let text = match (s(expr, &["operator"]), values.is_empty()) {
        ("In", false) => format!("{key} in ({})", values.join(",")),
        ("NotIn", false) => format!("{key} notin ({})", values.join(",")),
        ("Exists", true) => key.to_string(),
        ("DoesNotExist", true) => format!("!{key}"),
        _ => return Err(()),
    };
    Ok((key.to_string(), text))
}

/// `metav1.FormatLabelSelector`.
fn format_label_selector(sel: Option<&Value>) -> String {
    match selector_string(sel) {
        Err(()) => "<error>".to_string(),
        Ok(x) if x.is_empty() => NONE.to_string(),
        Ok(x) => x,
    }
}

/// validation.IsQualifiedName: `[prefix/]name`, prefix a DNS-1123 subdomain.
fn is_label_key(k: &str) -> bool {
    match k.split_once('/') {
        None => is_label_name(k),
        Some((prefix, n)) => {
            !prefix.is_empty()
                && prefix.len() <= 253
                && is_dns_subdomain(prefix)
                && is_label_name(n)
        }
    }
}

fn is_label_name(n: &str) -> bool {
    !n.is_empty() && is_label_value(n)
}

/// validation.IsValidLabelValue: empty, or <= 63 alphanumerics with `-_.` inside.
fn is_label_value(v: &str) -> bool {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    v.is_empty()
        || (v.len() <= 63
            && v.chars().all(ok)
            && v.starts_with(|c: char| c.is_ascii_alphanumeric())
            && v.ends_with(|c: char| c.is_ascii_alphanumeric()))
}

fn is_dns_subdomain(p: &str) -> bool {
    p.split('.').all(|label| {
        let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        !label.is_empty()
            && label.chars().all(ok)
            && !label.starts_with('-')
            && !label.ends_with('-')
    })
}

/// printers.go `listWithMoreString`.
fn list_with_more(list: &[String], more: bool, count: usize, max: usize) -> String {
    let ret = list.join(",");
    if more {
        format!("{ret} + {} more...", count.saturating_sub(max))
    } else if ret.is_empty() {
        UNSET.to_string()
    } else {
        ret
    }
}

/// `GetAccessModesAsString`: fixed order RWO,ROX,RWX,RWOP, duplicates dropped.
fn access_modes(v: &Value, path: &[&str]) -> String {
    let modes: Vec<&str> = arr(v, path).iter().filter_map(Value::as_str).collect();
    let table = [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ];
    let short: Vec<&str> = table
        .iter()
        .filter(|(long, _)| modes.contains(long))
        .map(|(_, s)| *s)
        .collect();
    short.join(",")
}

/// `GetPersistentVolume(Claim)Class`: the beta annotation wins over spec.storageClassName.
fn storage_class(o: &Value) -> String {
    annotation(o, "volume.beta.kubernetes.io/storage-class")
        .unwrap_or_else(|| s(o, &["spec", "storageClassName"]))
        .to_string()
}

/// `(ingress)LoadBalancerStatusStringer` with wide=true: sorted unique IPs/hostnames.
fn load_balancer_status(o: &Value) -> String {
    let mut set = BTreeSet::new();
    for ing in arr(o, &["status", "loadBalancer", "ingress"]) {
        let ip = s(ing, &["ip"]);
        let host = s(ing, &["hostname"]);
        if !ip.is_empty() {
            set.insert(ip);
        } else if !host.is_empty() {
            set.insert(host);
        }
    }
    set.into_iter().collect::<Vec<_>>().join(",")
}

// ---------------------------------------------------------------------------------------------
// Dispatch.

/// The row cells of `o` for `kind`, one per column of `columns(kind)`; empty when printers.go
/// has no handler for the kind.
pub fn cells(kind: &str, o: &Value, now: OffsetDateTime) -> Vec<Value> {
    match kind {
        "Pod" => pod(o, now),
        "Node" => node(o, now),
        "Event" => event(o, now),
        "Service" => service(o, now),
        "Endpoints" => endpoints(o, now),
        "EndpointSlice" => endpoint_slice(o, now),
        "PersistentVolume" => persistent_volume(o, now),
        "PersistentVolumeClaim" => persistent_volume_claim(o, now),
        "HorizontalPodAutoscaler" => hpa(o, now),
        "ResourceQuota" => resource_quota(o, now),
        "Job" => job(o, now),
        _ => workload_cells(kind, o, now)
            .or_else(|| config_cells(kind, o, now))
            .or_else(|| cluster_cells(kind, o, now))
            .unwrap_or_default(),
    }
}

// ---------------------------------------------------------------------------------------------
// Pod.

/// Accumulated state of printPod's two passes over container statuses.
struct PodRow {
    reason: String,
    restarts: i64,
    ready: i64,
    total: i64,
    last_restart: Option<OffsetDateTime>,
}

/// `lastRestartDate.Before(&terminatedDate)` bookkeeping over lastState.terminated.finishedAt.
fn bump_last(last: &mut Option<OffsetDateTime>, status: &Value) {
    // A zero (absent) finishedAt never wins, as with Go's zero time.
    let fin = time_at(status, &["lastState", "terminated", "finishedAt"]);
    if let Some(fin) = fin
        && last.is_none_or(|l| l < fin)
    {
        *last = Some(fin);
    }
}

/// `podutil.IsRestartableInitContainer` (a sidecar) looked up by status name.
fn is_sidecar(pod: &Value, container: &str) -> bool {
    arr(pod, &["spec", "initContainers"])
        .iter()
        .rev() // Go builds a name map, so the last duplicate wins
        .find(|c| s(c, &["name"]) == container)
        .is_some_and(|c| s(c, &["restartPolicy"]) == "Always")
}

fn condition_status<'a>(conds: &'a [Value], type_: &str) -> Option<&'a str> {
    conds
        .iter()
        .find(|c| s(c, &["type"]) == type_)
        .map(|c| s(c, &["status"]))
}

/// The init-container pass of printPod; returns whether the pod is still initializing and
/// the restarts/last-restart of sidecars, which survive into the main pass.
fn pod_init_pass(pod: &Value, row: &mut PodRow) -> (bool, i64, Option<OffsetDateTime>) {
    let specs = arr(pod, &["spec", "initContainers"]);
    let (mut sidecar_restarts, mut sidecar_last) = (0i64, None);
    for (idx, st) in arr(pod, &["status", "initContainerStatuses"])
        .iter()
        .enumerate()
    {
        let rc = i(st, &["restartCount"]);
        row.restarts = row.restarts.saturating_add(rc);
        bump_last(&mut row.last_restart, st);
        let sidecar = is_sidecar(pod, s(st, &["name"]));
        if sidecar {
            sidecar_restarts = sidecar_restarts.saturating_add(rc);
            bump_last(&mut sidecar_last, st);
        }
        let term = obj(st, &["state", "terminated"]);
        let waiting = s(st, &["state", "waiting", "reason"]);
        if term.is_some_and(|t| i(t, &["exitCode"]) == 0) {
            continue;
        }
        if sidecar && b(st, &["started"]) {
            row.ready += i64::from(b(st, &["ready"]));
            continue;
        }
        row.reason = if let Some(t) = term {
            match (s(t, &["reason"]), i(t, &["signal"])) {
                ("", 0) => format!("Init:ExitCode:{}", i(t, &["exitCode"])),
                ("", sig) => format!("Init:Signal:{sig}"),
                (r, _) => format!("Init:{r}"),
            }
        } else if !waiting.is_empty() && waiting != "PodInitializing" {
            format!("Init:{waiting}")
        } else {
            format!("Init:{idx}/{}", specs.len())
        };
        return (true, sidecar_restarts, sidecar_last);
    }
    (false, sidecar_restarts, sidecar_last)
}

/// The regular-container pass of printPod (statuses walked in reverse, as Go does).
fn pod_main_pass(pod: &Value, row: &mut PodRow) {
    let mut has_running = false;
    for st in arr(pod, &["status", "containerStatuses"]).iter().rev() {
        row.restarts = row.restarts.saturating_add(i(st, &["restartCount"]));
        bump_last(&mut row.last_restart, st);
        let waiting = s(st, &["state", "waiting", "reason"]);
        let term = obj(st, &["state", "terminated"]);
        if !waiting.is_empty() {
            row.reason = waiting.to_string();
        } else if let Some(t) = term {
            row.reason = match (s(t, &["reason"]), i(t, &["signal"])) {
                ("", 0) => format!("ExitCode:{}", i(t, &["exitCode"])),
                ("", sig) => format!("Signal:{sig}"),
                (r, _) => r.to_string(),
            };
        } else if b(st, &["ready"]) && obj(st, &["state", "running"]).is_some() {
            has_running = true;
            row.ready += 1;
        }
    }
    // A pod whose last container completed while another still runs is not "Completed".
    if row.reason == "Completed" && has_running {
        let conds = arr(pod, &["status", "conditions"]);
        let ready = conds
            .iter()
            .any(|c| s(c, &["type"]) == "Ready" && s(c, &["status"]) == "True");
        row.reason = if ready { "Running" } else { "NotReady" }.to_string();
    }
}

/// printers.go `printPod`.
fn pod(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let phase = s(o, &["status", "phase"]);
    let conds = arr(o, &["status", "conditions"]);
    let sidecars = arr(o, &["spec", "initContainers"])
        .iter()
        .filter(|c| s(c, &["restartPolicy"]) == "Always")
        .count();
    let mut row = PodRow {
        reason: or_default(s(o, &["status", "reason"]), phase).to_string(),
        restarts: 0,
        ready: 0,
        total: len_of(o, &["spec", "containers"]).saturating_add(sidecars as i64),
        last_restart: None,
    };
    let gated = conds
        .iter()
        .any(|c| s(c, &["type"]) == "PodScheduled" && s(c, &["reason"]) == "SchedulingGated");
    if gated {
        row.reason = "SchedulingGated".to_string();
    }
    let (initializing, sidecar_restarts, sidecar_last) = pod_init_pass(o, &mut row);
    if !initializing || condition_status(conds, "Initialized") == Some("True") {
        row.restarts = sidecar_restarts;
        row.last_restart = sidecar_last;
        pod_main_pass(o, &mut row);
    }
    if deleting(o) && s(o, &["status", "reason"]) == "NodeLost" {
        row.reason = "Unknown".to_string();
    } else if deleting(o) && phase != "Succeeded" && phase != "Failed" {
        row.reason = "Terminating".to_string();
    }
    let restarts = match row.last_restart {
        Some(t) if row.restarts != 0 => format!("{} ({} ago)", row.restarts, since(Some(t), now)),
        _ => row.restarts.to_string(),
    };
    let ip = arr(o, &["status", "podIPs"])
        .first()
        .map_or("", |p| s(p, &["ip"]));
    vec![
        name(o).into(),
        format!("{}/{}", row.ready, row.total).into(),
        row.reason.into(),
        restarts.into(),
        created(o, now),
        or_default(ip, NONE).into(),
        or_default(s(o, &["spec", "nodeName"]), NONE).into(),
        or_default(s(o, &["status", "nominatedNodeName"]), NONE).into(),
        readiness_gates(o).into(),
    ]
}

/// "true/total" over spec.readinessGates, "<none>" without gates.
fn readiness_gates(o: &Value) -> String {
    let gates = arr(o, &["spec", "readinessGates"]);
    if gates.is_empty() {
        return NONE.to_string();
    }
    let conds = arr(o, &["status", "conditions"]);
    let true_count = gates
        .iter()
        .filter(|g| condition_status(conds, s(g, &["conditionType"])) == Some("True"))
        .count();
    format!("{true_count}/{}", gates.len())
}

// ---------------------------------------------------------------------------------------------
// Node, Event, Service, Endpoints.

/// printers.go `printNode`.
fn node(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    // Go keeps the last condition of each type (map overwrite).
    let ready = arr(o, &["status", "conditions"])
        .iter()
        .rev()
        .find(|c| s(c, &["type"]) == "Ready");
    let mut status = vec![match ready {
        Some(c) if s(c, &["status"]) == "True" => "Ready",
        Some(_) => "NotReady",
        None => "Unknown",
    }];
    if b(o, &["spec", "unschedulable"]) {
        status.push("SchedulingDisabled");
    }
    let mut roles = BTreeSet::new();
    for (k, v) in map(o, &["metadata", "labels"]).into_iter().flatten() {
        let v = v.as_str().unwrap_or("");
        match k.strip_prefix("node-role.kubernetes.io/") {
            Some(role) if !role.is_empty() => {
                roles.insert(role);
            }
            _ if k == "kubernetes.io/role" && !v.is_empty() => {
                roles.insert(v);
            }
            _ => {}
        }
    }
    let roles = roles.into_iter().collect::<Vec<_>>().join(",");
    let address = |t: &str| {
        arr(o, &["status", "addresses"])
            .iter()
            .find(|a| s(a, &["type"]) == t)
            .map_or(NONE, |a| s(a, &["address"]))
    };
    let info = |f: &str| or_default(s(o, &["status", "nodeInfo", f]), "<unknown>");
    vec![
        name(o).into(),
        status.join(",").into(),
        or_default(&roles, NONE).into(),
        created(o, now),
        s(o, &["status", "nodeInfo", "kubeletVersion"]).into(),
        address("InternalIP").into(),
        address("ExternalIP").into(),
        info("osImage").into(),
        info("kernelVersion").into(),
        info("containerRuntimeVersion").into(),
    ]
}

/// printers.go `printEvent` (wide branch).
fn event(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let first = match time_at(o, &["firstTimestamp"]) {
        Some(t) => since(Some(t), now),
        None => since(time_at(o, &["eventTime"]), now),
    };
    let mut last = match time_at(o, &["lastTimestamp"]) {
        Some(t) => since(Some(t), now),
        None => first.clone(),
    };
    let mut count = i(o, &["count"]);
    if let Some(series) = obj(o, &["series"]) {
        last = since(time_at(series, &["lastObservedTime"]), now);
        count = i(series, &["count"]);
    } else if count == 0 {
        // Singleton events of the events.k8s.io API carry no count.
        count = 1;
    }
    let kind = s(o, &["involvedObject", "kind"]).to_lowercase();
    let target = match s(o, &["involvedObject", "name"]) {
        "" => kind,
        n => format!("{kind}/{n}"),
    };
    let component = or_default(
        s(o, &["source", "component"]),
        s(o, &["reportingComponent"]),
    );
    let instance = or_default(s(o, &["source", "host"]), s(o, &["reportingInstance"]));
    let source = match instance {
        "" => component.to_string(),
        inst => format!("{component}, {inst}"),
    };
    vec![
        last.into(),
        s(o, &["type"]).into(),
        s(o, &["reason"]).into(),
        target.into(),
        s(o, &["involvedObject", "fieldPath"]).into(),
        source.into(),
        s(o, &["message"]).trim().into(),
        first.into(),
        count.into(),
        name(o).into(),
    ]
}

/// printers.go `getServiceExternalIP`.
fn service_external_ip(o: &Value) -> String {
    let external: Vec<&str> = arr(o, &["spec", "externalIPs"])
        .iter()
        .filter_map(Value::as_str)
        .collect();
    match s(o, &["spec", "type"]) {
        "ClusterIP" | "NodePort" if external.is_empty() => NONE.to_string(),
        "ClusterIP" | "NodePort" => external.join(","),
        "LoadBalancer" => {
            let lb = load_balancer_status(o);
            let mut all: Vec<&str> = lb.split(',').filter(|x| !x.is_empty()).collect();
            all.extend(external);
            if all.is_empty() {
                "<pending>".to_string()
            } else {
                all.join(",")
            }
        }
        "ExternalName" => s(o, &["spec", "externalName"]).to_string(),
        _ => "<unknown>".to_string(),
    }
}

/// printers.go `printService`.
fn service(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    // The apiserver mirrors spec.clusterIP into spec.clusterIPs; fall back to the former for
    // objects stored without that normalisation.
    let cluster_ip = arr(o, &["spec", "clusterIPs"])
        .first()
        .and_then(Value::as_str)
        .or_else(|| opt_s(o, &["spec", "clusterIP"]).filter(|x| !x.is_empty()))
        .unwrap_or(NONE);
    let ports: Vec<String> = arr(o, &["spec", "ports"])
        .iter()
        .map(|p| {
            let (port, proto) = (i(p, &["port"]), s(p, &["protocol"]));
            match i(p, &["nodePort"]) {
                np if np > 0 => format!("{port}:{np}/{proto}"),
                _ => format!("{port}/{proto}"),
            }
        })
        .collect();
    let ports = ports.join(",");
    vec![
        name(o).into(),
        s(o, &["spec", "type"]).into(),
        cluster_ip.into(),
        service_external_ip(o).into(),
        or_default(&ports, NONE).into(),
        created(o, now),
        format_labels(map(o, &["spec", "selector"])).into(),
    ]
}

/// printers.go `formatEndpoints` with ports=nil: at most 3 "ip:port" entries.
fn endpoints(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    const MAX: usize = 3;
    let subsets = arr(o, &["subsets"]);
    let (mut list, mut count, mut more) = (Vec::<String>::new(), 0usize, false);
    for ss in subsets {
        let addrs = arr(ss, &["addresses"]);
        let ports = arr(ss, &["ports"]);
        // Headless services may have addresses without ports.
        let port_nums: Vec<Option<i64>> = if ports.is_empty() {
            vec![None]
        } else {
            ports.iter().map(|p| Some(i(p, &["port"]))).collect()
        };
        for port in port_nums {
            count += addrs.len();
            for a in addrs {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                let ip = s(a, &["ip"]);
                list.push(match port {
                    None => ip.to_string(),
                    Some(p) if ip.contains(':') => format!("[{ip}]:{p}"),
                    Some(p) => format!("{ip}:{p}"),
                });
            }
        }
    }
    let text = if subsets.is_empty() {
        NONE.to_string()
    } else if more {
        format!("{} + {} more...", list.join(","), count.saturating_sub(MAX))
    } else {
        list.join(",")
    };
    vec![name(o).into(), text.into(), created(o, now)]
}

/// printers.go `printEndpointSlice`.
fn endpoint_slice(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    const MAX: usize = 3;
    let mut ports = Vec::new();
    let port_list = arr(o, &["ports"]);
    for p in port_list.iter().take(MAX) {
        ports.push(match (opt_i(p, &["port"]), opt_s(p, &["name"])) {
            (Some(n), _) => n.to_string(),
            (None, Some(n)) => n.to_string(),
            (None, None) => "*".to_string(),
        });
    }
    let ports = list_with_more(&ports, port_list.len() > MAX, port_list.len(), MAX);
    let addrs: Vec<String> = arr(o, &["endpoints"])
        .iter()
        .flat_map(|e| arr(e, &["addresses"]))
        .map(|a| a.as_str().unwrap_or("").to_string())
        .collect();
    let shown: Vec<String> = addrs.iter().take(MAX).cloned().collect();
    let endpoints = list_with_more(&shown, addrs.len() > MAX, addrs.len(), MAX);
    vec![
        name(o).into(),
        s(o, &["addressType"]).into(),
        ports.into(),
        endpoints.into(),
        created(o, now),
    ]
}

// ---------------------------------------------------------------------------------------------
// Storage.

/// printers.go `printPersistentVolume`.
fn persistent_volume(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let claim = match obj(o, &["spec", "claimRef"]) {
        Some(c) => format!("{}/{}", s(c, &["namespace"]), s(c, &["name"])),
        None => String::new(),
    };
    let phase = if deleting(o) {
        "Terminating"
    } else {
        s(o, &["status", "phase"])
    };
    vec![
        name(o).into(),
        quantity(at(o, &["spec", "capacity", "storage"])).into(),
        access_modes(o, &["spec", "accessModes"]).into(),
        s(o, &["spec", "persistentVolumeReclaimPolicy"]).into(),
        phase.into(),
        claim.into(),
        storage_class(o).into(),
        opt_s(o, &["spec", "volumeAttributesClassName"])
            .unwrap_or(UNSET)
            .into(),
        s(o, &["status", "reason"]).into(),
        created(o, now),
        opt_s(o, &["spec", "volumeMode"]).unwrap_or(UNSET).into(),
    ]
}

/// printers.go `printPersistentVolumeClaim`.
fn persistent_volume_claim(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let phase = if deleting(o) {
        "Terminating"
    } else {
        s(o, &["status", "phase"])
    };
    let volume = s(o, &["spec", "volumeName"]);
    // Capacity and access modes are only shown once the claim is bound to a volume.
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            quantity(at(o, &["status", "capacity", "storage"])),
            access_modes(o, &["status", "accessModes"]),
        )
    };
    vec![
        name(o).into(),
        phase.into(),
        volume.into(),
        capacity.into(),
        modes.into(),
        storage_class(o).into(),
        opt_s(o, &["spec", "volumeAttributesClassName"])
            .unwrap_or(UNSET)
            .into(),
        created(o, now),
        opt_s(o, &["spec", "volumeMode"]).unwrap_or(UNSET).into(),
    ]
}

/// printers.go `printStorageClass`.
fn storage_class_row(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let is_default = [
        "storageclass.kubernetes.io/is-default-class",
        "storageclass.beta.kubernetes.io/is-default-class",
    ]
    .iter()
    .any(|a| annotation(o, a) == Some("true"));
    let mut n = name(o).to_string();
    if is_default {
        n.push_str(" (default)");
    }
    vec![
        n.into(),
        s(o, &["provisioner"]).into(),
        opt_s(o, &["reclaimPolicy"]).unwrap_or("Delete").into(),
        opt_s(o, &["volumeBindingMode"])
            .unwrap_or("Immediate")
            .into(),
        b(o, &["allowVolumeExpansion"]).into(),
        created(o, now),
    ]
}

/// printers.go `printCSIDriver`.
fn csi_driver(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let spec = |f: &str| opt_b(o, &["spec", f]);
    let token_requests = match at(o, &["spec", "tokenRequests"]) {
        Some(Value::Array(list)) => {
            let auds: Vec<&str> = list.iter().map(|t| s(t, &["audience"])).collect();
            auds.join(",")
        }
        _ => UNSET.to_string(),
    };
    let modes: Vec<&str> = arr(o, &["spec", "volumeLifecycleModes"])
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let modes = modes.join(",");
    vec![
        name(o).into(),
        spec("attachRequired").unwrap_or(true).into(),
        spec("podInfoOnMount").unwrap_or(false).into(),
        spec("storageCapacity").unwrap_or(false).into(),
        token_requests.into(),
        spec("requiresRepublish").unwrap_or(false).into(),
        or_default(&modes, NONE).into(),
        created(o, now),
    ]
}

// ---------------------------------------------------------------------------------------------
// Workloads.

/// Kinds of apps/batch/autoscaling that need little logic.
fn workload_cells(kind: &str, o: &Value, now: OffsetDateTime) -> Option<Vec<Value>> {
    let tmpl = ["spec", "template", "spec", "containers"];
    let row = match kind {
        "Deployment" => {
            let (names, images) = containers(o, &tmpl);
            let sel = selector_string(at(o, &["spec", "selector"]));
            vec![
                name(o).into(),
                format!("{}/{}", i(o, &["status", "readyReplicas"]), replicas(o)).into(),
                i(o, &["status", "updatedReplicas"]).into(),
                i(o, &["status", "availableReplicas"]).into(),
                created(o, now),
                names,
                images,
                sel.unwrap_or_else(|()| "<invalid>".to_string()).into(),
            ]
        }
        "ReplicaSet" | "ReplicationController" => replica_set(kind, o, now),
        "StatefulSet" => {
            let (names, images) = containers(o, &tmpl);
            let ready = format!("{}/{}", i(o, &["status", "readyReplicas"]), replicas(o));
            vec![name(o).into(), ready.into(), created(o, now), names, images]
        }
        "DaemonSet" => daemon_set(o, now),
        "CronJob" => cron_job(o, now),
        "PodTemplate" => {
            let (names, images) = containers(o, &["template", "spec", "containers"]);
            let labels = format_labels(map(o, &["template", "metadata", "labels"]));
            vec![name(o).into(), names, images, labels.into()]
        }
        "ControllerRevision" => controller_revision(o, now),
        _ => return None,
    };
    Some(row)
}

/// printers.go `printReplicaSet` / `printReplicationController` (map selector).
fn replica_set(kind: &str, o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let (names, images) = containers(o, &["spec", "template", "spec", "containers"]);
    let selector = if kind == "ReplicationController" {
        format_labels(map(o, &["spec", "selector"]))
    } else {
        format_label_selector(at(o, &["spec", "selector"]))
    };
    vec![
        name(o).into(),
        replicas(o).into(),
        i(o, &["status", "replicas"]).into(),
        i(o, &["status", "readyReplicas"]).into(),
        created(o, now),
        names,
        images,
        selector.into(),
    ]
}

/// printers.go `printDaemonSet`.
fn daemon_set(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let (names, images) = containers(o, &["spec", "template", "spec", "containers"]);
    let st = |f: &str| Value::from(i(o, &["status", f]));
    vec![
        name(o).into(),
        st("desiredNumberScheduled"),
        st("currentNumberScheduled"),
        st("numberReady"),
        st("updatedNumberScheduled"),
        st("numberAvailable"),
        format_labels(map(o, &["spec", "template", "spec", "nodeSelector"])).into(),
        created(o, now),
        names,
        images,
        format_label_selector(at(o, &["spec", "selector"])).into(),
    ]
}

/// printers.go `printJob`.
fn job(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let succeeded = i(o, &["status", "succeeded"]);
    let completions = match (
        opt_i(o, &["spec", "completions"]),
        i(o, &["spec", "parallelism"]),
    ) {
        (Some(c), _) => format!("{succeeded}/{c}"),
        (None, p) if p > 1 => format!("{succeeded}/1 of {p}"),
        (None, _) => format!("{succeeded}/1"),
    };
    let duration = match (
        time_at(o, &["status", "startTime"]),
        time_at(o, &["status", "completionTime"]),
    ) {
        (None, _) => String::new(),
        (Some(start), None) => human_duration(now - start),
        (Some(start), Some(end)) => human_duration(end - start),
    };
    let conds = arr(o, &["status", "conditions"]);
    let has = |t: &str| condition_status(conds, t) == Some("True");
    let status = if has("Complete") {
        "Complete"
    } else if has("Failed") {
        "Failed"
    } else if deleting(o) {
        "Terminating"
    } else if has("Suspended") {
        "Suspended"
    } else if has("FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    };
    let (names, images) = containers(o, &["spec", "template", "spec", "containers"]);
    vec![
        name(o).into(),
        status.into(),
        completions.into(),
        duration.into(),
        created(o, now),
        names,
        images,
        format_label_selector(at(o, &["spec", "selector"])).into(),
    ]
}

/// printers.go `printCronJob`.
fn cron_job(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let tmpl = [
        "spec",
        "jobTemplate",
        "spec",
        "template",
        "spec",
        "containers",
    ];
    let (names, images) = containers(o, &tmpl);
    let last = match time_at(o, &["status", "lastScheduleTime"]) {
        Some(t) => since(Some(t), now),
        // A set-but-zero time prints "<unknown>", an absent one "<none>".
        None if is_set(o, &["status", "lastScheduleTime"]) => since(None, now),
        None => NONE.to_string(),
    };
    let suspend = opt_b(o, &["spec", "suspend"]).map_or(UNSET, bool_str);
    vec![
        name(o).into(),
        s(o, &["spec", "schedule"]).into(),
        opt_s(o, &["spec", "timeZone"]).unwrap_or(NONE).into(),
        suspend.into(),
        len_of(o, &["status", "active"]).into(),
        last.into(),
        created(o, now),
        names,
        images,
        format_label_selector(at(o, &["spec", "jobTemplate", "spec", "selector"])).into(),
    ]
}

/// printers.go `printControllerRevision`: the controller owner as "kind.group/name".
fn controller_revision(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let owner = arr(o, &["metadata", "ownerReferences"])
        .iter()
        .find(|r| b(r, &["controller"]));
    let controller = match owner {
        None => NONE.to_string(),
        Some(r) => {
            // schema.ParseGroupVersion: "v1" has no group, "apps/v1" has one.
            let group = s(r, &["apiVersion"])
                .rsplit_once('/')
                .map_or("", |(g, _)| g);
            let kind = s(r, &["kind"]);
            let gk = if group.is_empty() {
                kind.to_string()
            } else {
                format!("{kind}.{group}")
            };
            match gk.as_str() {
                "" => s(r, &["name"]).to_string(),
                _ => format!("{}/{}", gk.to_lowercase(), s(r, &["name"])),
            }
        }
    };
    vec![
        name(o).into(),
        controller.into(),
        i(o, &["revision"]).into(),
        created(o, now),
    ]
}

/// printers.go `printHorizontalPodAutoscaler`.
fn hpa(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let reference = format!(
        "{}/{}",
        s(o, &["spec", "scaleTargetRef", "kind"]),
        s(o, &["spec", "scaleTargetRef", "name"])
    );
    let min = opt_i(o, &["spec", "minReplicas"]).map_or(UNSET.to_string(), |m| m.to_string());
    vec![
        name(o).into(),
        reference.into(),
        hpa_metrics(o).into(),
        min.into(),
        i(o, &["spec", "maxReplicas"]).into(),
        i(o, &["status", "currentReplicas"]).into(),
        created(o, now),
    ]
}

/// autoscaling/v1 objects carry only a CPU target; the apiserver converts it to one Resource
/// metric, which is what the printer then formats.
fn hpa_v1_as_v2(o: &Value) -> Option<(Vec<Value>, Vec<Value>)> {
    let target = opt_i(o, &["spec", "targetCPUUtilizationPercentage"])?;
    let spec = serde_json::json!({"type": "Resource", "resource": {"name": "cpu",
        "target": {"type": "Utilization", "averageUtilization": target}}});
    let status = match opt_i(o, &["status", "currentCPUUtilizationPercentage"]) {
        Some(cur) => vec![
            serde_json::json!({"type": "Resource", "resource": {"name": "cpu",
            "current": {"averageUtilization": cur}}}),
        ],
        None => Vec::new(),
    };
    Some((vec![spec], status))
}

/// printers.go `formatHPAMetrics`: at most two "current/target" entries.
fn hpa_metrics(o: &Value) -> String {
    const MAX: usize = 2;
    let (specs, statuses) = match at(o, &["spec", "metrics"]) {
        Some(Value::Array(m)) => (m.clone(), arr(o, &["status", "currentMetrics"]).to_vec()),
        _ => hpa_v1_as_v2(o).unwrap_or_default(),
    };
    if specs.is_empty() {
        return NONE.to_string();
    }
    let list: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(idx, spec)| hpa_metric(spec, statuses.get(idx)))
        .collect();
    let shown = list
        .iter()
        .take(MAX)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if list.len() > MAX {
        format!("{shown} + {} more...", list.len() - MAX)
    } else {
        shown
    }
}

/// One metric of `formatHPAMetrics`; `status` is the entry at the same index, if any.
fn hpa_metric(spec: &Value, status: Option<&Value>) -> String {
    let field = match s(spec, &["type"]) {
        "External" => "external",
        "Pods" => "pods",
        "Object" => "object",
        "Resource" => "resource",
        "ContainerResource" => "containerResource",
        _ => return "<unknown type>".to_string(),
    };
    let target = at(spec, &[field, "target"]).unwrap_or(&Value::Null);
    let current = status.and_then(|st| obj(st, &[field]));
    let cur = |f: &str| current.map(|c| quantity_ptr(at(c, &["current", f])));
    let avg_target = at(target, &["averageValue"]).filter(|v| !v.is_null());
    let prefix = match field {
        "resource" | "containerResource" => format!("{}: ", s(spec, &[field, "name"])),
        _ => String::new(),
    };
    match field {
        "pods" => format!(
            "{}/{}",
            cur("averageValue").unwrap_or("<unknown>".into()),
            quantity_ptr(avg_target)
        ),
        "external" | "object" if avg_target.is_some() => {
            let c = current
                .and_then(|c| at(c, &["current", "averageValue"]))
                .filter(|v| !v.is_null())
                .map_or("<unknown>".to_string(), |v| quantity(Some(v)));
            format!("{c}/{} (avg)", quantity_ptr(avg_target))
        }
        "external" | "object" => {
            let c = cur("value").unwrap_or("<unknown>".into());
            format!("{c}/{}", quantity_ptr(at(target, &["value"])))
        }
        _ if avg_target.is_some() => {
            let c = cur("averageValue").unwrap_or("<unknown>".into());
            format!("{prefix}{c}/{}", quantity_ptr(avg_target))
        }
        _ => {
            let c = current
                .and_then(|c| opt_i(c, &["current", "averageUtilization"]))
                .map_or("<unknown>".to_string(), |u| format!("{u}%"));
            let t = opt_i(target, &["averageUtilization"])
                .map_or("<auto>".to_string(), |u| format!("{u}%"));
            format!("{prefix}{c}/{t}")
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Config, policy, RBAC and networking.

/// Namespaced configuration-like kinds.
fn config_cells(kind: &str, o: &Value, now: OffsetDateTime) -> Option<Vec<Value>> {
    let n: Value = name(o).into();
    let row = match kind {
        "Namespace" => vec![n, s(o, &["status", "phase"]).into(), created(o, now)],
        "Secret" => vec![
            n,
            s(o, &["type"]).into(),
            len_of(o, &["data"]).into(),
            created(o, now),
        ],
        "ConfigMap" => {
            let data = len_of(o, &["data"]).saturating_add(len_of(o, &["binaryData"]));
            vec![n, data.into(), created(o, now)]
        }
        "ServiceAccount" => vec![n, len_of(o, &["secrets"]).into(), created(o, now)],
        "Lease" => vec![n, s(o, &["spec", "holderIdentity"]).into(), created(o, now)],
        "PodDisruptionBudget" => pod_disruption_budget(o, now),
        "NetworkPolicy" => {
            // spec.podSelector is a struct, not a pointer: absent means the empty selector.
            let sel = at(o, &["spec", "podSelector"]).filter(|v| !v.is_null());
            let sel = sel.map_or(NONE.to_string(), |v| format_label_selector(Some(v)));
            vec![n, sel.into(), created(o, now)]
        }
        "RoleBinding" | "ClusterRoleBinding" => role_binding(o, now),
        "Ingress" => ingress(o, now),
        "IngressClass" => ingress_class(o, now),
        _ => return None,
    };
    Some(row)
}

/// printers.go `printPodDisruptionBudget`: "N/A" for an unset bound.
fn pod_disruption_budget(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let bound = |f: &str| {
        at(o, &["spec", f])
            .filter(|v| !v.is_null())
            .map_or("N/A".to_string(), int_or_string)
    };
    vec![
        name(o).into(),
        bound("minAvailable").into(),
        bound("maxUnavailable").into(),
        i(o, &["status", "disruptionsAllowed"]).into(),
        created(o, now),
    ]
}

/// printers.go `printIngress`.
fn ingress(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let class = opt_s(o, &["spec", "ingressClassName"]).unwrap_or(NONE);
    let ports = if len_of(o, &["spec", "tls"]) != 0 {
        "80, 443"
    } else {
        "80"
    };
    vec![
        name(o).into(),
        class.into(),
        ingress_hosts(o).into(),
        load_balancer_status(o).into(),
        ports.into(),
        created(o, now),
    ]
}

/// printers.go `printIngressClass`: parameters as "Kind[.apiGroup]/name".
fn ingress_class(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let params = obj(o, &["spec", "parameters"]).map_or(NONE.to_string(), |p| {
        let group = opt_s(p, &["apiGroup"]).map_or(String::new(), |g| format!(".{g}"));
        format!("{}{group}/{}", s(p, &["kind"]), s(p, &["name"]))
    });
    vec![
        name(o).into(),
        s(o, &["spec", "controller"]).into(),
        params.into(),
        created(o, now),
    ]
}

/// printers.go `formatHosts`: first three non-empty hosts, "*" when none.
fn ingress_hosts(o: &Value) -> String {
    const MAX: usize = 3;
    let rules = arr(o, &["spec", "rules"]);
    let mut list = Vec::new();
    let mut more = false;
    for rule in rules {
        if list.len() == MAX {
            more = true;
        }
        let host = s(rule, &["host"]);
        if !more && !host.is_empty() {
            list.push(host);
        }
    }
    if list.is_empty() {
        return "*".to_string();
    }
    if more {
        format!(
            "{} + {} more...",
            list.join(","),
            rules.len().saturating_sub(MAX)
        )
    } else {
        list.join(",")
    }
}

/// printers.go `printRoleBinding` / `printClusterRoleBinding` with `rbac.SubjectsStrings`.
fn role_binding(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let role = format!(
        "{}/{}",
        s(o, &["roleRef", "kind"]),
        s(o, &["roleRef", "name"])
    );
    let (mut users, mut groups, mut sas) = (Vec::new(), Vec::new(), Vec::new());
    for subj in arr(o, &["subjects"]) {
        let n = s(subj, &["name"]);
        match s(subj, &["kind"]) {
            "ServiceAccount" => sas.push(format!("{}/{n}", s(subj, &["namespace"]))),
            "User" => users.push(n.to_string()),
            "Group" => groups.push(n.to_string()),
            _ => {}
        }
    }
    vec![
        name(o).into(),
        role.into(),
        created(o, now),
        users.join(", ").into(),
        groups.join(", ").into(),
        sas.join(", ").into(),
    ]
}

/// printers.go `printResourceQuota`: "res: used/hard" split into requests and limits.
fn resource_quota(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let (mut requests, mut limits) = (Vec::new(), Vec::new());
    // Sorted explicitly: serde_json's `preserve_order` feature may be on in the final crate.
    let mut hard: Vec<(&String, &Value)> =
        map(o, &["status", "hard"]).into_iter().flatten().collect();
    hard.sort_by(|a, b| a.0.cmp(b.0));
    for (res, hard) in hard {
        let used = quantity(at(o, &["status", "used", res]));
        let entry = format!("{res}: {used}/{}", quantity(Some(hard)));
        if res.starts_with("limits.") {
            limits.push(entry);
        } else {
            requests.push(entry);
        }
    }
    vec![
        name(o).into(),
        requests.join(", ").into(),
        limits.join(", ").into(),
        created(o, now),
    ]
}

// ---------------------------------------------------------------------------------------------
// Cluster-scoped infrastructure kinds.

fn cluster_cells(kind: &str, o: &Value, now: OffsetDateTime) -> Option<Vec<Value>> {
    let n: Value = name(o).into();
    let row = match kind {
        "StorageClass" => storage_class_row(o, now),
        "CSIDriver" => csi_driver(o, now),
        "CSINode" => vec![n, len_of(o, &["spec", "drivers"]).into(), created(o, now)],
        "CSIStorageCapacity" => {
            let cap = at(o, &["capacity"]).filter(|v| !v.is_null());
            let cap = cap.map_or(UNSET.to_string(), |c| quantity(Some(c)));
            vec![n, s(o, &["storageClassName"]).into(), cap.into()]
        }
        "VolumeAttachment" => vec![
            n,
            s(o, &["spec", "attacher"]).into(),
            s(o, &["spec", "source", "persistentVolumeName"]).into(),
            s(o, &["spec", "nodeName"]).into(),
            b(o, &["status", "attached"]).into(),
            created(o, now),
        ],
        "PriorityClass" => vec![
            n,
            i(o, &["value"]).into(),
            b(o, &["globalDefault"]).into(),
            created(o, now),
            s(o, &["preemptionPolicy"]).into(),
        ],
        "RuntimeClass" => vec![n, s(o, &["handler"]).into(), created(o, now)],
        "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration" => {
            vec![n, len_of(o, &["webhooks"]).into(), created(o, now)]
        }
        "CertificateSigningRequest" => csr(o, now),
        _ => return None,
    };
    Some(row)
}

/// printers.go `printCertificateSigningRequest` with `extractCSRStatus`.
fn csr(o: &Value, now: OffsetDateTime) -> Vec<Value> {
    let conds = arr(o, &["status", "conditions"]);
    let has = |t: &str| conds.iter().any(|c| s(c, &["type"]) == t);
    let mut status = if has("Denied") {
        "Denied"
    } else if has("Approved") {
        "Approved"
    } else {
        "Pending"
    }
    .to_string();
    if has("Failed") {
        status.push_str(",Failed");
    }
    if !s(o, &["status", "certificate"]).is_empty() {
        status.push_str(",Issued");
    }
    let duration = opt_i(o, &["spec", "expirationSeconds"]).map_or(NONE.to_string(), |secs| {
        human_duration(Duration::seconds(secs))
    });
    vec![
        name(o).into(),
        created(o, now),
        or_default(s(o, &["spec", "signerName"]), NONE).into(),
        s(o, &["spec", "username"]).into(),
        duration.into(),
        status.into(),
    ]
}
