//! What AKS runs in kube-system, as workloads the controllers then roll out:
//! the Deployments (CoreDNS and its autoscaler, metrics-server,
//! konnectivity-agent), the DaemonSets on every node (kube-proxy,
//! azure-ip-masq-agent, cloud-node-manager, the disk and file CSI node
//! plugins) and the metrics-server Service that `kubectl cluster-info` lists.

use serde_json::{Value, json};

const MCR: &str = "mcr.microsoft.com/oss/kubernetes";

fn labels(pairs: &[(&str, &str)]) -> Value {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn containers(images: &[(&str, &str)]) -> Value {
    images
        .iter()
        .map(|(name, image)| json!({"name": name, "image": image, "resources": {"requests": {"cpu": "10m", "memory": "20Mi"}}}))
        .collect()
}

/// A kube-system workload of `kind` selecting `selector`, with `extra` labels.
fn workload(
    kind: &str,
    name: &str,
    selector: &[(&str, &str)],
    replicas: Option<u64>,
    images: &[(&str, &str)],
) -> Value {
    let mut all = selector.to_vec();
    all.push(("kubernetes.azure.com/managedby", "aks"));
    let mut w = json!({
        "apiVersion": "apps/v1", "kind": kind,
        "metadata": {"name": name, "namespace": "kube-system", "labels": labels(&all), "generation": 1},
        "spec": {"selector": {"matchLabels": labels(selector)},
                 "template": {"metadata": {"labels": labels(selector)},
                              "spec": {"priorityClassName": "system-node-critical",
                                       "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
                                       "containers": containers(images)}}},
    });
    if let Some(r) = replicas {
        w["spec"]["replicas"] = json!(r);
    } else {
        // DaemonSets run everywhere, tainted nodes included.
        w["spec"]["template"]["spec"]["tolerations"] = json!([{"operator": "Exists"}]);
    }
    w
}

fn deployments() -> Vec<Value> {
    vec![
        workload(
            "Deployment",
            "coredns",
            &[("k8s-app", "kube-dns"), ("version", "v20")],
            Some(2),
            &[("coredns", &format!("{MCR}/coredns:v1.11.3-8"))],
        ),
        workload(
            "Deployment",
            "coredns-autoscaler",
            &[("k8s-app", "coredns-autoscaler")],
            Some(1),
            &[(
                "autoscaler",
                &format!("{MCR}/autoscaler/cluster-proportional-autoscaler:v1.8.11"),
            )],
        ),
        workload(
            "Deployment",
            "metrics-server",
            &[("k8s-app", "metrics-server")],
            Some(2),
            &[
                ("metrics-server", &format!("{MCR}/metrics-server:v0.7.2")),
                (
                    "metrics-server-vpa",
                    &format!("{MCR}/autoscaler/addon-resizer:1.8.22"),
                ),
            ],
        ),
        workload(
            "Deployment",
            "konnectivity-agent",
            &[("app", "konnectivity-agent")],
            Some(2),
            &[(
                "konnectivity-agent",
                &format!("{MCR}/apiserver-network-proxy/agent:v0.30.3"),
            )],
        ),
    ]
}

/// The CSI node plugin of `driver` (`disk` or `file`): three containers.
fn csi_node(driver: &str) -> Value {
    let name = format!("csi-azure{driver}-node");
    workload(
        "DaemonSet",
        &name,
        &[("app", &name)],
        None,
        &[
            (
                "liveness-probe",
                &format!("{MCR}/csi/livenessprobe:v2.14.0"),
            ),
            (
                "node-driver-registrar",
                &format!("{MCR}/csi/csi-node-driver-registrar:v2.12.0"),
            ),
            (
                &format!("azure{driver}"),
                &format!("{MCR}/csi/azure{driver}-csi:v1.31.2"),
            ),
        ],
    )
}

fn daemonsets(version: &str) -> Vec<Value> {
    vec![
        workload(
            "DaemonSet",
            "kube-proxy",
            &[("component", "kube-proxy"), ("tier", "node")],
            None,
            &[("kube-proxy", &format!("{MCR}/kube-proxy:v{version}"))],
        ),
        workload(
            "DaemonSet",
            "azure-ip-masq-agent",
            &[("k8s-app", "azure-ip-masq-agent")],
            None,
            &[(
                "azure-ip-masq-agent",
                "mcr.microsoft.com/aks/ip-masq-agent-v2:v0.1.13",
            )],
        ),
        workload(
            "DaemonSet",
            "cloud-node-manager",
            &[("k8s-app", "cloud-node-manager")],
            None,
            &[(
                "cloud-node-manager",
                &format!("{MCR}/azure-cloud-node-manager:v{version}"),
            )],
        ),
        csi_node("disk"),
        csi_node("file"),
    ]
}

fn metrics_service() -> Value {
    json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "metrics-server", "namespace": "kube-system",
                     "labels": {"k8s-app": "metrics-server", "kubernetes.io/cluster-service": "true",
                                "kubernetes.io/name": "Metrics-server", "addonmanager.kubernetes.io/mode": "Reconcile"}},
        "spec": {"selector": {"k8s-app": "metrics-server"},
                 "ports": [{"port": 443, "protocol": "TCP", "targetPort": "https"}]}})
}

/// The kube-system workloads and services of a cluster at `version`.
pub fn objects(version: &str) -> Vec<Value> {
    let mut out = deployments();
    out.extend(daemonsets(version));
    out.push(metrics_service());
    out
}

/// The label that marks what an add-on brings, so disabling it finds it.
pub const ADDON_LABEL: &str = "kubernetes.azure.com/addon";

fn addon(mut w: Value, name: &str, ns: &str) -> Value {
    w["metadata"]["namespace"] = json!(ns);
    w["metadata"]["labels"][ADDON_LABEL] = json!(name);
    w
}

fn policy() -> Vec<Value> {
    let gk = "mcr.microsoft.com/oss/open-policy-agent/gatekeeper:v3.17.1";
    let policy = "mcr.microsoft.com/azure-policy/policy-kubernetes-addon-prod:1.9.1";
    let hook = "mcr.microsoft.com/azure-policy/policy-kubernetes-webhook:1.9.1";
    vec![
        addon(
            workload(
                "Deployment",
                "azure-policy",
                &[("app", "azure-policy")],
                Some(1),
                &[("azure-policy", policy)],
            ),
            "azurepolicy",
            "kube-system",
        ),
        addon(
            workload(
                "Deployment",
                "azure-policy-webhook",
                &[("app", "azure-policy-webhook")],
                Some(1),
                &[("azure-policy-webhook", hook)],
            ),
            "azurepolicy",
            "kube-system",
        ),
        addon(
            workload(
                "Deployment",
                "gatekeeper-audit",
                &[("control-plane", "audit-controller")],
                Some(1),
                &[("manager", gk)],
            ),
            "azurepolicy",
            "gatekeeper-system",
        ),
        addon(
            workload(
                "Deployment",
                "gatekeeper-controller",
                &[("control-plane", "controller-manager")],
                Some(2),
                &[("manager", gk)],
            ),
            "azurepolicy",
            "gatekeeper-system",
        ),
    ]
}

fn secrets_provider() -> Vec<Value> {
    let driver = format!("{MCR}/csi/secrets-store/driver:v1.4.6");
    let provider = "mcr.microsoft.com/oss/azure/secrets-store/provider-azure:v1.6.0";
    let name = "azureKeyvaultSecretsProvider";
    vec![
        addon(
            workload(
                "DaemonSet",
                "aks-secrets-store-csi-driver",
                &[("app", "secrets-store-csi-driver")],
                None,
                &[("secrets-store", &driver)],
            ),
            name,
            "kube-system",
        ),
        addon(
            workload(
                "DaemonSet",
                "aks-secrets-store-provider-azure",
                &[("app", "csi-secrets-store-provider-azure")],
                None,
                &[("provider-azure-installer", provider)],
            ),
            name,
            "kube-system",
        ),
    ]
}

/// The workloads an enabled add-on runs (only the add-ons with workloads).
pub fn addon_objects(name: &str) -> Vec<Value> {
    match name.to_ascii_lowercase().as_str() {
        "azurepolicy" => policy(),
        "azurekeyvaultsecretsprovider" => secrets_provider(),
        _ => Vec::new(),
    }
}

/// Namespaces an add-on needs besides kube-system.
pub fn addon_namespaces(name: &str) -> &'static [&'static str] {
    match name.to_ascii_lowercase().as_str() {
        "azurepolicy" => &["gatekeeper-system"],
        _ => &[],
    }
}
