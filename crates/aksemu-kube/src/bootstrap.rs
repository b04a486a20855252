//! What a new cluster's API server holds before anyone writes: the four
//! namespaces with their `default` service accounts, the `kubernetes` and
//! `kube-dns` services, the bootstrap RBAC roles and bindings (plus the
//! read-only role of the clusterMonitoringUser), AKS's storage classes and
//! CSI drivers.

use std::net::Ipv4Addr;

use serde_json::{Value, json};

use aksemu_core::cluster_plane::PlaneCluster;

use crate::defaults;
use crate::rbac;
use crate::users::MONITORING_USER;

pub const NAMESPACES: &[&str] = &["default", "kube-node-lease", "kube-public", "kube-system"];

fn meta(name: &str, ns: Option<&str>, now: &str) -> Value {
    let mut m =
        json!({"name": name, "uid": uuid::Uuid::new_v4().to_string(), "creationTimestamp": now});
    if let Some(ns) = ns {
        m["namespace"] = json!(ns);
    }
    m
}

fn namespace(name: &str, now: &str) -> Value {
    let mut ns =
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": meta(name, None, now)});
    defaults::fill("Namespace", &mut ns);
    defaults::initial_status("Namespace", &mut ns);
    ns
}

fn first_ip(cidr: &str) -> String {
    cidr.split('/')
        .next()
        .and_then(|b| b.parse::<Ipv4Addr>().ok())
        .map(|a| Ipv4Addr::from(u32::from(a) + 1).to_string())
        .unwrap_or_else(|| "10.0.0.1".into())
}

fn services(c: &PlaneCluster, now: &str) -> Vec<Value> {
    let api_ip = first_ip(&c.service_cidr);
    let mut k = json!({"apiVersion": "v1", "kind": "Service", "metadata": meta("kubernetes", Some("default"), now),
        "spec": {"clusterIP": api_ip, "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 443}]}});
    k["metadata"]["labels"] = json!({"component": "apiserver", "provider": "kubernetes"});
    let mut dns = json!({"apiVersion": "v1", "kind": "Service", "metadata": meta("kube-dns", Some("kube-system"), now),
        "spec": {"clusterIP": c.dns_service_ip, "selector": {"k8s-app": "kube-dns"},
                 "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                           {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}]}});
    dns["metadata"]["labels"] = json!({"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true",
                                       "kubernetes.io/name": "CoreDNS", "addonmanager.kubernetes.io/mode": "Reconcile"});
    let mut used = defaults::InUse::default();
    let mut out = Vec::new();
    for mut s in [k, dns] {
        defaults::initial_status("Service", &mut s);
        if defaults::service(&mut s, &c.service_cidr, &mut used).is_ok() {
            out.push(s);
        }
    }
    out
}

fn storage(now: &str) -> Vec<Value> {
    let sc = |name: &str, provisioner: &str, params: Value, default: bool| {
        let mut s = json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": meta(name, None, now),
            "provisioner": provisioner, "parameters": params, "reclaimPolicy": "Delete",
            "volumeBindingMode": "WaitForFirstConsumer", "allowVolumeExpansion": true});
        s["metadata"]["labels"] = json!({"addonmanager.kubernetes.io/mode": "EnsureExists", "kubernetes.io/cluster-service": "true"});
        if default {
            s["metadata"]["annotations"] =
                json!({"storageclass.kubernetes.io/is-default-class": "true"});
        }
        s
    };
    let driver = |name: &str| {
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "CSIDriver", "metadata": meta(name, None, now),
               "spec": {"attachRequired": name.starts_with("disk"), "podInfoOnMount": false,
                        "volumeLifecycleModes": ["Persistent"], "fsGroupPolicy": "File"}})
    };
    vec![
        sc(
            "default",
            "disk.csi.azure.com",
            json!({"skuname": "StandardSSD_LRS"}),
            true,
        ),
        sc(
            "managed-csi",
            "disk.csi.azure.com",
            json!({"skuname": "StandardSSD_LRS"}),
            false,
        ),
        sc(
            "managed-csi-premium",
            "disk.csi.azure.com",
            json!({"skuname": "Premium_LRS"}),
            false,
        ),
        sc(
            "managed",
            "disk.csi.azure.com",
            json!({"cachingmode": "ReadOnly", "kind": "Managed", "storageaccounttype": "StandardSSD_LRS"}),
            false,
        ),
        sc(
            "managed-premium",
            "disk.csi.azure.com",
            json!({"cachingmode": "ReadOnly", "kind": "Managed", "storageaccounttype": "Premium_LRS"}),
            false,
        ),
        sc(
            "azurefile",
            "file.csi.azure.com",
            json!({"skuName": "Standard_LRS"}),
            false,
        ),
        sc(
            "azurefile-premium",
            "file.csi.azure.com",
            json!({"skuName": "Premium_LRS"}),
            false,
        ),
        sc(
            "azurefile-csi",
            "file.csi.azure.com",
            json!({"skuName": "Standard_LRS"}),
            false,
        ),
        sc(
            "azurefile-csi-premium",
            "file.csi.azure.com",
            json!({"skuName": "Premium_LRS"}),
            false,
        ),
        driver("disk.csi.azure.com"),
        driver("file.csi.azure.com"),
    ]
}

fn with_meta(mut o: Value, now: &str) -> Value {
    o["metadata"]["uid"] = json!(uuid::Uuid::new_v4().to_string());
    o["metadata"]["creationTimestamp"] = json!(now);
    o
}

fn rbac_objects(now: &str) -> Vec<Value> {
    let mut out: Vec<Value> = rbac::default_cluster_roles()
        .into_iter()
        .map(|o| with_meta(o, now))
        .collect();
    out.extend(
        rbac::default_cluster_role_bindings()
            .into_iter()
            .map(|o| with_meta(o, now)),
    );
    let ro = rbac::read_only_cluster_role();
    let role_name = ro["metadata"]["name"].clone();
    out.push(with_meta(ro, now));
    out.push(with_meta(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": role_name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role_name},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": MONITORING_USER}]}), now));
    out
}

/// What every namespace holds: the `default` service account and the
/// `kube-root-ca.crt` ConfigMap.
pub fn namespace_defaults(ns: &str, ca_pem: &str, now: &str) -> Vec<Value> {
    vec![
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta("default", Some(ns), now)}),
        root_ca(ns, ca_pem, now),
    ]
}

/// The CA bundle pods use to trust the API server.
pub fn root_ca(ns: &str, ca_pem: &str, now: &str) -> Value {
    let mut cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("kube-root-ca.crt", Some(ns), now),
                        "data": {"ca.crt": ca_pem}});
    cm["metadata"]["annotations"] = json!({"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."});
    cm
}

/// An object of AKS's (a workload or service the server itself installs),
/// as a create would store it: uid, time, defaults, initial status.
pub fn system_object(mut o: Value, c: &PlaneCluster, now: &str) -> Option<Value> {
    o["metadata"]["uid"] = json!(uuid::Uuid::new_v4().to_string());
    o["metadata"]["creationTimestamp"] = json!(now);
    let kind = o["kind"].as_str().unwrap_or_default().to_string();
    defaults::fill(&kind, &mut o);
    defaults::initial_status(&kind, &mut o);
    if kind == "Service" {
        let mut used = defaults::InUse::default();
        used.cluster_ips.insert(c.dns_service_ip.clone());
        used.cluster_ips.insert(first_ip(&c.service_cidr));
        defaults::service(&mut o, &c.service_cidr, &mut used).ok()?;
    }
    Some(o)
}

/// A namespace with what every namespace holds.
pub fn namespace_with_defaults(name: &str, ca_pem: &str, now: &str) -> Vec<Value> {
    let mut out = vec![namespace(name, now)];
    out.extend(namespace_defaults(name, ca_pem, now));
    out
}

/// Every object a new cluster starts with.
pub fn objects(c: &PlaneCluster, now: &str) -> Vec<Value> {
    let mut out: Vec<Value> = NAMESPACES.iter().map(|n| namespace(n, now)).collect();
    for ns in NAMESPACES {
        out.extend(namespace_defaults(ns, &c.ca_pem, now));
    }
    out.extend(services(c, now));
    out.extend(
        crate::aks_system::objects(&c.kubernetes_version)
            .into_iter()
            .filter_map(|o| system_object(o, c, now)),
    );
    out.extend(storage(now));
    out.extend(rbac_objects(now));
    out
}
