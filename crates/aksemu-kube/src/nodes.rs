//! Node objects from agent-pool instances, as AKS's kubelets register them:
//! names, labels, providerID, capacity from the VM size, addresses, nodeInfo,
//! the five conditions, and a Lease in kube-node-lease.

use serde_json::{Value, json};

use aksemu_core::cluster_plane::{PlaneCluster, PlaneNode};

/// vCPUs and memory (GiB) of the VM sizes AKS users pick most; others get 2/8.
fn size(vm: &str) -> (u32, u32) {
    match vm.to_ascii_lowercase().as_str() {
        "standard_b2s" => (2, 4),
        "standard_b2ms" => (2, 8),
        "standard_ds2_v2" | "standard_d2_v2" => (2, 7),
        "standard_ds3_v2" | "standard_d3_v2" => (4, 14),
        "standard_ds4_v2" => (8, 28),
        s if s.contains("d2") => (2, 8),
        s if s.contains("d4") => (4, 16),
        s if s.contains("d8") => (8, 32),
        s if s.contains("d16") => (16, 64),
        _ => (2, 8),
    }
}

fn labels(c: &PlaneCluster, n: &PlaneNode) -> Value {
    let os = n.os_type.to_ascii_lowercase();
    let zone = if n.zone.is_empty() {
        "0".to_string()
    } else {
        format!("{}-{}", c.location, n.zone)
    };
    json!({
        "agentpool": n.pool,
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/instance-type": n.vm_size,
        "beta.kubernetes.io/os": os,
        "failure-domain.beta.kubernetes.io/region": c.location,
        "failure-domain.beta.kubernetes.io/zone": zone,
        "kubernetes.azure.com/agentpool": n.pool,
        "kubernetes.azure.com/cluster": c.node_resource_group,
        "kubernetes.azure.com/kubelet-identity-client-id": n.kubelet_client_id,
        "kubernetes.azure.com/mode": n.mode.to_ascii_lowercase(),
        "kubernetes.azure.com/node-image-version": n.node_image_version,
        "kubernetes.azure.com/nodepool-type": "VirtualMachineScaleSets",
        "kubernetes.azure.com/os-sku": n.os_sku,
        "kubernetes.azure.com/role": "agent",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": n.name,
        "kubernetes.io/os": os,
        "kubernetes.io/role": "agent",
        "node.kubernetes.io/instance-type": n.vm_size,
        "storageprofile": "managed",
        "storagetier": "Premium_LRS",
        "topology.disk.csi.azure.com/zone": if n.zone.is_empty() { String::new() } else { zone.clone() },
        "topology.kubernetes.io/region": c.location,
        "topology.kubernetes.io/zone": zone,
    })
}

fn resources(n: &PlaneNode) -> (Value, Value) {
    let (cpu, gib) = size(&n.vm_size);
    let mem_ki = u64::from(gib) * 1024 * 1024;
    let capacity = json!({"cpu": cpu.to_string(), "ephemeral-storage": "129886128Ki",
        "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": format!("{mem_ki}Ki"), "pods": n.max_pods.to_string()});
    let alloc_mem = mem_ki.saturating_sub(mem_ki / 4).saturating_sub(100 * 1024);
    let allocatable = json!({"cpu": format!("{}m", cpu * 1000 - 100 * cpu.min(4) - 40), "ephemeral-storage": "119703055367",
        "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": format!("{alloc_mem}Ki"), "pods": n.max_pods.to_string()});
    (capacity, allocatable)
}

fn conditions(now: &str) -> Value {
    let c = |t: &str, s: &str, reason: &str, msg: &str| {
        json!({"type": t, "status": s, "reason": reason, "message": msg,
               "lastHeartbeatTime": now, "lastTransitionTime": now})
    };
    json!([
        c(
            "NetworkUnavailable",
            "False",
            "RouteCreated",
            "RouteController created a route"
        ),
        c(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available"
        ),
        c(
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure"
        ),
        c(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available"
        ),
        c(
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status"
        ),
    ])
}

fn node_info(n: &PlaneNode, uid: &str) -> Value {
    let (image, kernel) = if n.os_type.eq_ignore_ascii_case("windows") {
        ("Windows Server 2022 Datacenter", "10.0.20348.2762")
    } else {
        ("Ubuntu 22.04.5 LTS", "5.15.0-1074-azure")
    };
    json!({"architecture": "amd64", "bootID": uid, "containerRuntimeVersion": "containerd://1.7.23-1",
           "kernelVersion": kernel, "kubeProxyVersion": format!("v{}", n.kubernetes_version),
           "kubeletVersion": format!("v{}", n.kubernetes_version), "machineID": uid.replace('-', ""),
           "operatingSystem": n.os_type.to_ascii_lowercase(), "osImage": image, "systemUUID": uid})
}

/// The Node object for `n`; `existing` keeps its uid and creation time.
pub fn node(c: &PlaneCluster, n: &PlaneNode, existing: Option<&Value>, now: &str) -> Value {
    let uid = existing
        .and_then(|e| e["metadata"]["uid"].as_str().map(str::to_string))
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let created = existing
        .and_then(|e| {
            e["metadata"]["creationTimestamp"]
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_else(|| now.to_string());
    let (capacity, allocatable) = resources(n);
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": n.name, "uid": uid, "creationTimestamp": created, "labels": labels(c, n),
            "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                            "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
        "spec": {"providerID": n.provider_id},
        "status": {
            "addresses": [{"type": "InternalIP", "address": n.internal_ip}, {"type": "Hostname", "address": n.name}],
            "capacity": capacity, "allocatable": allocatable,
            "conditions": conditions(now),
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": node_info(n, &uid),
        },
    })
}

/// The node's heartbeat Lease.
pub fn lease(n: &PlaneNode, node_uid: &str, now_micro: &str) -> Value {
    json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": n.name, "namespace": "kube-node-lease", "uid": uuid::Uuid::new_v4().to_string(),
            "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": n.name, "uid": node_uid}]},
        "spec": {"holderIdentity": n.name, "leaseDurationSeconds": 40, "renewTime": now_micro}})
}
