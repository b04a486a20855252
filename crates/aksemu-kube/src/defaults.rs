//! Defaults kube-apiserver fills in on create, per kind (the fields `describe`
//! shows and controllers rely on), and the initial status of a few kinds.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use serde_json::{Value, json};

fn set_default(obj: &mut Value, key: &str, v: Value) {
    if let Some(o) = obj.as_object_mut() {
        o.entry(key.to_string()).or_insert(v);
    }
}

fn container(c: &mut Value) {
    let image = c["image"].as_str().unwrap_or_default().to_string();
    let tag = image.rsplit('/').next().unwrap_or_default();
    let latest = !tag.contains(':') || tag.ends_with(":latest");
    set_default(
        c,
        "imagePullPolicy",
        json!(if latest { "Always" } else { "IfNotPresent" }),
    );
    set_default(c, "terminationMessagePath", json!("/dev/termination-log"));
    set_default(c, "terminationMessagePolicy", json!("File"));
    set_default(c, "resources", json!({}));
    if let Some(ports) = c["ports"].as_array_mut() {
        for p in ports {
            set_default(p, "protocol", json!("TCP"));
        }
    }
}

/// PodSpec defaults.
pub fn pod_spec(spec: &mut Value) {
    if !spec.is_object() {
        return;
    }
    set_default(spec, "restartPolicy", json!("Always"));
    set_default(spec, "terminationGracePeriodSeconds", json!(30));
    set_default(spec, "dnsPolicy", json!("ClusterFirst"));
    set_default(spec, "securityContext", json!({}));
    set_default(spec, "schedulerName", json!("default-scheduler"));
    for list in ["containers", "initContainers"] {
        if let Some(cs) = spec[list].as_array_mut() {
            cs.iter_mut().for_each(container);
        }
    }
}

fn template(obj: &mut Value) {
    if let Some(t) = obj["spec"]["template"]["spec"].as_object_mut() {
        let mut v = Value::Object(std::mem::take(t));
        pod_spec(&mut v);
        obj["spec"]["template"]["spec"] = v;
    }
}

fn workload(obj: &mut Value, kind: &str) {
    if !obj["spec"].is_object() {
        return;
    }
    let spec = &mut obj["spec"];
    if kind != "DaemonSet" {
        set_default(spec, "replicas", json!(1));
    }
    if kind != "ReplicaSet" {
        set_default(spec, "revisionHistoryLimit", json!(10));
    }
    match kind {
        "Deployment" => {
            set_default(
                spec,
                "strategy",
                json!({"type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
            );
            set_default(spec, "progressDeadlineSeconds", json!(600));
        }
        "StatefulSet" => {
            set_default(spec, "podManagementPolicy", json!("OrderedReady"));
            set_default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
            );
        }
        "DaemonSet" => {
            set_default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
            );
        }
        _ => {}
    }
    template(obj);
}

/// A Job selects its pods by its uid, as the API server sets it up (unless
/// the Job brings its own selector).
fn job_selector(obj: &mut Value) {
    if obj["spec"]["manualSelector"] == true || obj["spec"]["selector"].is_object() {
        return;
    }
    let (uid, name) = (
        obj["metadata"]["uid"].clone(),
        obj["metadata"]["name"].clone(),
    );
    if !uid.is_string() {
        return;
    }
    obj["spec"]["selector"] = json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}});
    let labels = &mut obj["spec"]["template"]["metadata"]["labels"];
    for (k, v) in [
        ("batch.kubernetes.io/controller-uid", &uid),
        ("batch.kubernetes.io/job-name", &name),
        ("controller-uid", &uid),
        ("job-name", &name),
    ] {
        labels[k] = v.clone();
    }
}

fn secret(obj: &mut Value) {
    use base64::Engine as _;
    set_default(obj, "type", json!("Opaque"));
    let Some(string_data) = obj.get("stringData").and_then(Value::as_object).cloned() else {
        return;
    };
    for (k, v) in string_data {
        let text = v.as_str().unwrap_or_default();
        obj["data"][k] = json!(base64::engine::general_purpose::STANDARD.encode(text));
    }
    if let Some(o) = obj.as_object_mut() {
        o.remove("stringData");
    }
}

/// Defaults kube-apiserver fills in on every write (create, update, patch):
/// they only add what is missing, so applying them again changes nothing.
pub fn fill(kind: &str, obj: &mut Value) {
    match kind {
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" => workload(obj, kind),
        "Job" => {
            job_selector(obj);
            let spec = &mut obj["spec"];
            set_default(spec, "backoffLimit", json!(6));
            set_default(spec, "completions", json!(1));
            set_default(spec, "parallelism", json!(1));
            set_default(spec, "completionMode", json!("NonIndexed"));
            set_default(spec, "suspend", json!(false));
            template(obj);
        }
        "CronJob" => {
            let spec = &mut obj["spec"];
            set_default(spec, "concurrencyPolicy", json!("Allow"));
            set_default(spec, "suspend", json!(false));
            set_default(spec, "successfulJobsHistoryLimit", json!(3));
            set_default(spec, "failedJobsHistoryLimit", json!(1));
        }
        "Pod" => pod_spec(&mut obj["spec"]),
        "Secret" => secret(obj),
        "Namespace" => {
            let name = obj["metadata"]["name"].clone();
            obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
            set_default(obj, "spec", json!({"finalizers": ["kubernetes"]}));
        }
        "PersistentVolumeClaim" => {
            set_default(&mut obj["spec"], "volumeMode", json!("Filesystem"));
            set_default(&mut obj["spec"], "storageClassName", json!("default"));
        }
        _ => {}
    }
}

/// The status a new object starts with.
pub fn initial_status(kind: &str, obj: &mut Value) {
    let status = match kind {
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob" => json!({}),
        "Pod" => json!({"phase": "Pending", "qosClass": "BestEffort"}),
        "Namespace" => json!({"phase": "Active"}),
        "PersistentVolumeClaim" | "PersistentVolume" => json!({"phase": "Pending"}),
        "Service" => json!({"loadBalancer": {}}),
        _ => return,
    };
    obj["status"] = status;
}

/// Addresses in use, to allocate around.
#[derive(Default)]
pub struct InUse {
    pub cluster_ips: BTreeSet<String>,
    pub node_ports: BTreeSet<u64>,
}

fn free_ip(cidr: &str, used: &BTreeSet<String>, seed: u32) -> Option<String> {
    let (base, bits) = cidr.split_once('/')?;
    let base: Ipv4Addr = base.parse().ok()?;
    let bits: u32 = bits.parse().ok()?;
    let size = 1u32.checked_shl(32u32.checked_sub(bits)?)?.max(4);
    let start = u32::from(base);
    // Skip the network address and the first ten (the API server's, DNS).
    (0..size - 12)
        .map(|i| start + 11 + (seed.wrapping_add(i) % (size - 12)))
        .map(|a| Ipv4Addr::from(a).to_string())
        .find(|ip| !used.contains(ip))
}

fn free_port(used: &BTreeSet<u64>, seed: u32) -> Option<u64> {
    (0..2768u64)
        .map(|i| 30000 + (u64::from(seed) + i) % 2768)
        .find(|p| !used.contains(p))
}

/// Service defaults: type, a cluster IP from `cidr`, IP families, policies,
/// ports (protocol, targetPort, node ports for NodePort and LoadBalancer).
pub fn service(obj: &mut Value, cidr: &str, used: &mut InUse) -> Result<(), String> {
    let seed = uuid::Uuid::new_v4().as_u128() as u32;
    let spec = &mut obj["spec"];
    if !spec.is_object() {
        *spec = json!({});
    }
    set_default(spec, "type", json!("ClusterIP"));
    let ty = spec["type"].as_str().unwrap_or("ClusterIP").to_string();
    if ty != "ExternalName" {
        let ip = match spec["clusterIP"].as_str() {
            Some(ip) if !ip.is_empty() => ip.to_string(),
            _ => free_ip(cidr, &used.cluster_ips, seed).ok_or("the service IP range is full")?,
        };
        used.cluster_ips.insert(ip.clone());
        spec["clusterIP"] = json!(ip);
        spec["clusterIPs"] = json!([ip]);
        set_default(spec, "ipFamilies", json!(["IPv4"]));
        set_default(spec, "ipFamilyPolicy", json!("SingleStack"));
        set_default(spec, "internalTrafficPolicy", json!("Cluster"));
    }
    set_default(spec, "sessionAffinity", json!("None"));
    let external = ty == "NodePort" || ty == "LoadBalancer";
    if external {
        set_default(spec, "externalTrafficPolicy", json!("Cluster"));
    }
    if ty == "LoadBalancer" {
        set_default(spec, "allocateLoadBalancerNodePorts", json!(true));
    }
    if let Some(ports) = spec["ports"].as_array_mut() {
        for p in ports {
            set_default(p, "protocol", json!("TCP"));
            let port = p["port"].clone();
            set_default(p, "targetPort", port);
            if external
                && p.get("nodePort")
                    .is_none_or(|n| n.as_u64().unwrap_or(0) == 0)
            {
                let np = free_port(&used.node_ports, seed).ok_or("no node port is free")?;
                used.node_ports.insert(np);
                p["nodePort"] = json!(np);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_defaults() {
        let mut used = InUse::default();
        let mut s = json!({"spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}});
        service(&mut s, "10.0.0.0/16", &mut used).unwrap();
        let ip = s["spec"]["clusterIP"].as_str().unwrap();
        assert!(ip.starts_with("10.0."));
        assert_eq!(s["spec"]["ports"][0]["targetPort"], 80);
        let np = s["spec"]["ports"][0]["nodePort"].as_u64().unwrap();
        assert!((30000..32768).contains(&np));
        assert_eq!(s["spec"]["ipFamilies"], json!(["IPv4"]));
        let mut t = json!({"spec": {"ports": [{"port": 80}]}});
        service(&mut t, "10.0.0.0/16", &mut used).unwrap();
        assert_ne!(t["spec"]["clusterIP"], s["spec"]["clusterIP"]);
        assert!(t["spec"]["ports"][0].get("nodePort").is_none());
    }

    #[test]
    fn deployment_defaults() {
        let mut d = json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "nginx:1.27"}]}}}});
        fill("Deployment", &mut d);
        assert_eq!(d["spec"]["replicas"], 1);
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
            "IfNotPresent"
        );
        assert_eq!(d["spec"]["strategy"]["type"], "RollingUpdate");
    }
}
