//! Server-side Table printers of kube-apiserver
//! (k8s.io/kubernetes/pkg/printers/internalversion/printers.go), so `kubectl get` prints the
//! same columns against aksemu as against a real cluster.
//!
//! * `columns(kind)`: the `TableColumnDefinition`s printers.go registers for a built-in kind.
//! * `cells(kind, obj, now)`: that kind's row for one stored JSON object. Like the real
//!   apiserver (`TableConvertor` always passes `Wide: true`) the row holds every column,
//!   priority-1 ones included; kubectl hides those unless `-o wide`.
//! * `human_duration` / `age`: apimachinery's AGE formatting against a caller-supplied `now`,
//!   so a virtual clock moves every AGE cell.
//!
//! The work lives in `columns.rs` (definitions), `cells.rs` (row logic) and `age.rs` (time);
//! this file is the public face and holds the cross-cutting tests.

pub use super::age::{age, human_duration};
pub use super::cells::cells;
pub use super::columns::{Column, KINDS, columns};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use time::OffsetDateTime;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2024-05-01 12:00:00 UTC);

    fn meta(name: &str) -> Value {
        json!({"name": name, "namespace": "default", "creationTimestamp": "2024-05-01T11:50:00Z"})
    }

    fn row(kind: &str, obj: &Value) -> Vec<Value> {
        let r = cells(kind, obj, NOW);
        assert_eq!(r.len(), columns(kind).map_or(0, <[Column]>::len), "{kind}");
        r
    }

    #[test]
    fn pod_running_with_restarts() {
        let pod = json!({
            "metadata": meta("web-1"),
            "spec": {"nodeName": "aks-node-0", "containers": [{"name": "web", "image": "nginx"}]},
            "status": {
                "phase": "Running",
                "podIPs": [{"ip": "10.244.0.7"}],
                "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [{
                    "name": "web", "ready": true, "restartCount": 3,
                    "state": {"running": {"startedAt": "2024-05-01T11:55:00Z"}},
                    "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2024-05-01T11:55:00Z"}}
                }]
            }
        });
        let want = json!([
            "web-1",
            "1/1",
            "Running",
            "3 (5m ago)",
            "10m",
            "10.244.0.7",
            "aks-node-0",
            "<none>",
            "<none>"
        ]);
        assert_eq!(Value::Array(row("Pod", &pod)), want);
    }

    #[test]
    fn pod_pending_and_waiting() {
        let pending = json!({
            "metadata": meta("p"),
            "spec": {"containers": [{"name": "a"}, {"name": "b"}]},
            "status": {"phase": "Pending"}
        });
        let want = json!([
            "p", "0/2", "Pending", "0", "10m", "<none>", "<none>", "<none>", "<none>"
        ]);
        assert_eq!(Value::Array(row("Pod", &pending)), want);

        let creating = json!({
            "metadata": meta("c"),
            "spec": {"containers": [{"name": "a"}], "readinessGates": [{"conditionType": "x/y"}]},
            "status": {"phase": "Pending", "containerStatuses": [
                {"name": "a", "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}
            ]}
        });
        let r = row("Pod", &creating);
        assert_eq!(
            (r[1].as_str(), r[2].as_str(), r[8].as_str()),
            (Some("0/1"), Some("ContainerCreating"), Some("0/1"))
        );
    }

    #[test]
    fn pod_init_terminating_and_completed() {
        let init = json!({
            "metadata": meta("i"),
            "spec": {"initContainers": [{"name": "setup"}, {"name": "side", "restartPolicy": "Always"}],
                     "containers": [{"name": "main"}]},
            "status": {"phase": "Pending", "initContainerStatuses": [
                {"name": "setup", "state": {"running": {}}}
            ]}
        });
        let r = row("Pod", &init);
        assert_eq!(
            (r[1].as_str(), r[2].as_str()),
            (Some("0/2"), Some("Init:0/2"))
        );

        let mut term = init.clone();
        term["metadata"]["deletionTimestamp"] = json!("2024-05-01T11:59:00Z");
        assert_eq!(row("Pod", &term)[2], json!("Terminating"));

        let done = json!({
            "metadata": meta("d"), "spec": {"containers": [{"name": "a"}]},
            "status": {"phase": "Succeeded", "containerStatuses": [
                {"name": "a", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}
            ]}
        });
        assert_eq!(row("Pod", &done)[2], json!("Completed"));
        let crash = json!({"metadata": meta("e"), "spec": {"containers": [{"name": "a"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "a", "state": {"terminated": {"exitCode": 137, "signal": 0}}}]}});
        assert_eq!(row("Pod", &crash)[2], json!("ExitCode:137"));
    }

    #[test]
    fn node_ready_and_not_ready() {
        let ready = json!({
            "metadata": meta("aks-nodepool1-0"),
            "status": {
                "conditions": [{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": "True"}],
                "addresses": [{"type": "InternalIP", "address": "10.224.0.4"}, {"type": "Hostname", "address": "h"}],
                "nodeInfo": {"kubeletVersion": "v1.30.3", "osImage": "Ubuntu 22.04.4 LTS",
                             "kernelVersion": "5.15.0", "containerRuntimeVersion": "containerd://1.7.20"}
            }
        });
        let want = json!([
            "aks-nodepool1-0",
            "Ready",
            "<none>",
            "10m",
            "v1.30.3",
            "10.224.0.4",
            "<none>",
            "Ubuntu 22.04.4 LTS",
            "5.15.0",
            "containerd://1.7.20"
        ]);
        assert_eq!(Value::Array(row("Node", &ready)), want);

        let mut m = meta("n2");
        m["labels"] = json!({"node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "agent",
                             "node-role.kubernetes.io/": "x"});
        let cordoned = json!({"metadata": m, "spec": {"unschedulable": true},
            "status": {"conditions": [{"type": "Ready", "status": "False"}]}});
        let r = row("Node", &cordoned);
        assert_eq!(r[1], json!("NotReady,SchedulingDisabled"));
        assert_eq!(r[2], json!("agent,control-plane"));
        assert_eq!(r[7], json!("<unknown>"));
        assert_eq!(
            row("Node", &json!({"spec": {"unschedulable": true}}))[1],
            json!("Unknown,SchedulingDisabled")
        );
    }

    #[test]
    fn load_balancer_service() {
        let mut svc = json!({
            "metadata": meta("web"),
            "spec": {"type": "LoadBalancer", "clusterIP": "10.0.12.34", "clusterIPs": ["10.0.12.34"],
                     "selector": {"app": "web", "tier": "fe"},
                     "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}, {"port": 443, "protocol": "TCP"}]},
            "status": {"loadBalancer": {}}
        });
        let want = json!([
            "web",
            "LoadBalancer",
            "10.0.12.34",
            "<pending>",
            "80:30080/TCP,443/TCP",
            "10m",
            "app=web,tier=fe"
        ]);
        assert_eq!(Value::Array(row("Service", &svc)), want);

        svc["status"]["loadBalancer"]["ingress"] =
            json!([{"ip": "20.1.2.3"}, {"hostname": "lb.example"}]);
        assert_eq!(row("Service", &svc)[3], json!("20.1.2.3,lb.example"));
        svc["spec"]["externalIPs"] = json!(["1.1.1.1"]);
        assert_eq!(
            row("Service", &svc)[3],
            json!("20.1.2.3,lb.example,1.1.1.1")
        );

        let cip =
            json!({"metadata": meta("k"), "spec": {"type": "ClusterIP", "clusterIP": "None"}});
        let r = row("Service", &cip);
        assert_eq!(
            (r[2].as_str(), r[3].as_str(), r[4].as_str(), r[6].as_str()),
            (Some("None"), Some("<none>"), Some("<none>"), Some("<none>"))
        );
    }

    #[test]
    fn deployment_two_of_three() {
        let dep = json!({
            "metadata": meta("web"),
            "spec": {"replicas": 3,
                     "selector": {"matchLabels": {"app": "web"},
                                  "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]}]},
                     "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.27"},
                                                          {"name": "log", "image": "busybox"}]}}},
            "status": {"replicas": 3, "readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}
        });
        let want = json!([
            "web",
            "2/3",
            3,
            2,
            "10m",
            "web,log",
            "nginx:1.27,busybox",
            "app=web,env in (dev,prod)"
        ]);
        assert_eq!(Value::Array(row("Deployment", &dep)), want);

        let rs = json!({"metadata": meta("web-5d"), "spec": {"replicas": 2, "selector": {}}});
        assert_eq!(row("ReplicaSet", &rs)[1..4], [json!(2), json!(0), json!(0)]);
        assert_eq!(row("ReplicaSet", &rs)[7], json!("<none>"));
        let bad = json!({"metadata": meta("x"), "spec": {"selector": {"matchExpressions": [{"key": "a", "operator": "Nope"}]}}});
        assert_eq!(row("Deployment", &bad)[7], json!("<invalid>"));
        assert_eq!(row("ReplicaSet", &bad)[7], json!("<error>"));
    }

    #[test]
    fn misc_kinds() {
        let pvc = json!({"metadata": meta("data"),
            "spec": {"volumeName": "pvc-1", "storageClassName": "managed-csi", "volumeMode": "Filesystem"},
            "status": {"phase": "Bound", "capacity": {"storage": "10Gi"},
                       "accessModes": ["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"]}});
        let want = json!([
            "data",
            "Bound",
            "pvc-1",
            "10Gi",
            "RWO,RWX",
            "managed-csi",
            "<unset>",
            "10m",
            "Filesystem"
        ]);
        assert_eq!(Value::Array(row("PersistentVolumeClaim", &pvc)), want);

        let ev = json!({"metadata": meta("web.17"), "type": "Normal", "reason": "Pulled", "message": " ok \n",
            "involvedObject": {"kind": "Pod", "name": "web", "fieldPath": "spec.containers{web}"},
            "source": {"component": "kubelet", "host": "node-0"}, "count": 4,
            "firstTimestamp": "2024-05-01T11:00:00Z", "lastTimestamp": "2024-05-01T11:58:00Z"});
        let want = json!([
            "2m",
            "Normal",
            "Pulled",
            "pod/web",
            "spec.containers{web}",
            "kubelet, node-0",
            "ok",
            "60m",
            4,
            "web.17"
        ]);
        assert_eq!(Value::Array(row("Event", &ev)), want);
    }

    #[test]
    fn rbac_quota_endpoints_batch() {
        let rb = json!({"metadata": meta("rb"), "roleRef": {"kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "User", "name": "alice"}, {"kind": "ServiceAccount", "namespace": "ns", "name": "sa"},
                         {"kind": "Group", "name": "g1"}, {"kind": "User", "name": "bob"}]});
        let want = json!(["rb", "ClusterRole/view", "10m", "alice, bob", "g1", "ns/sa"]);
        assert_eq!(Value::Array(row("RoleBinding", &rb)), want);

        let rq = json!({"metadata": meta("q"), "status": {"hard": {"pods": "10", "limits.cpu": "4", "requests.cpu": "2"},
            "used": {"pods": "3", "requests.cpu": "500m"}}});
        let want = json!([
            "q",
            "pods: 3/10, requests.cpu: 500m/2",
            "limits.cpu: 0/4",
            "10m"
        ]);
        assert_eq!(Value::Array(row("ResourceQuota", &rq)), want);

        let ep = json!({"metadata": meta("web"), "subsets": [{"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"},
            {"ip": "fd00::3"}, {"ip": "10.0.0.4"}], "ports": [{"port": 80}]}]});
        assert_eq!(
            row("Endpoints", &ep)[1],
            json!("10.0.0.1:80,10.0.0.2:80,[fd00::3]:80 + 1 more...")
        );
        assert_eq!(row("Endpoints", &json!({}))[1], json!("<none>"));

        let sa = json!({"metadata": meta("default"), "secrets": [{"name": "t"}]});
        assert_eq!(
            row("ServiceAccount", &sa),
            [json!("default"), json!(1), json!("10m")]
        );
        let cj =
            json!({"metadata": meta("c"), "spec": {"schedule": "*/5 * * * *", "suspend": false}});
        assert_eq!(
            row("CronJob", &cj)[1..6],
            [
                json!("*/5 * * * *"),
                json!("<none>"),
                json!("False"),
                json!(0),
                json!("<none>")
            ]
        );
        let job = json!({"metadata": meta("j"), "spec": {"completions": 1},
            "status": {"succeeded": 1, "startTime": "2024-05-01T11:50:00Z", "completionTime": "2024-05-01T11:50:42Z",
                       "conditions": [{"type": "Complete", "status": "True"}]}});
        assert_eq!(
            row("Job", &job)[1..4],
            [json!("Complete"), json!("1/1"), json!("42s")]
        );
    }

    #[test]
    fn kinds_without_handlers() {
        for kind in [
            "Role",
            "ClusterRole",
            "LimitRange",
            "CustomResourceDefinition",
            "Widget",
            "",
        ] {
            assert!(columns(kind).is_none(), "{kind}");
            assert!(
                cells(kind, &json!({"metadata": meta("x")}), NOW).is_empty(),
                "{kind}"
            );
        }
    }

    /// Deterministic generator of arbitrary JSON built from the field names printers read, so
    /// random values land on the paths the code walks, with every JSON type in every place.
    struct Rng(u64);

    const KEYS: &[&str] = &[
        "metadata",
        "name",
        "namespace",
        "creationTimestamp",
        "deletionTimestamp",
        "labels",
        "annotations",
        "ownerReferences",
        "controller",
        "apiVersion",
        "kind",
        "spec",
        "status",
        "template",
        "containers",
        "initContainers",
        "containerStatuses",
        "initContainerStatuses",
        "restartPolicy",
        "state",
        "lastState",
        "waiting",
        "terminated",
        "running",
        "reason",
        "exitCode",
        "signal",
        "finishedAt",
        "ready",
        "started",
        "restartCount",
        "phase",
        "conditions",
        "type",
        "readinessGates",
        "conditionType",
        "podIPs",
        "ip",
        "nodeName",
        "unschedulable",
        "addresses",
        "address",
        "nodeInfo",
        "ports",
        "port",
        "nodePort",
        "protocol",
        "clusterIP",
        "clusterIPs",
        "externalIPs",
        "selector",
        "matchLabels",
        "matchExpressions",
        "key",
        "operator",
        "values",
        "loadBalancer",
        "ingress",
        "hostname",
        "subsets",
        "endpoints",
        "series",
        "count",
        "lastObservedTime",
        "eventTime",
        "firstTimestamp",
        "lastTimestamp",
        "involvedObject",
        "source",
        "replicas",
        "readyReplicas",
        "metrics",
        "currentMetrics",
        "resource",
        "pods",
        "external",
        "object",
        "target",
        "current",
        "value",
        "averageValue",
        "averageUtilization",
        "targetCPUUtilizationPercentage",
        "hard",
        "used",
        "capacity",
        "storage",
        "accessModes",
        "claimRef",
        "volumeName",
        "subjects",
        "roleRef",
        "rules",
        "host",
        "tls",
        "parameters",
        "apiGroup",
        "jobTemplate",
        "completions",
        "parallelism",
        "startTime",
        "completionTime",
        "lastScheduleTime",
        "suspend",
        "active",
        "tokenRequests",
        "audience",
        "minAvailable",
        "data",
        "binaryData",
        "secrets",
        "webhooks",
        "drivers",
        "expirationSeconds",
    ];
    const STRINGS: &[&str] = &[
        "",
        "True",
        "False",
        "Always",
        "Ready",
        "Running",
        "Completed",
        "PodInitializing",
        "LoadBalancer",
        "ClusterIP",
        "ExternalName",
        "In",
        "NotIn",
        "Exists",
        "DoesNotExist",
        "Resource",
        "Pods",
        "External",
        "Object",
        "ContainerResource",
        "2024-01-01T00:00:00Z",
        "2999-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "limits.cpu",
        "a/b/c",
        "::1",
        "ReadWriteOnce",
        "ServiceAccount",
        "User",
        "Group",
        "NodeLost",
        "\u{e9}\u{1F600}",
    ];

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }
        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next()).unwrap_or(0) % n.max(1)
        }
        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from.get(self.below(from.len())).copied().unwrap_or("")
        }
        fn value(&mut self, depth: u32) -> Value {
            let kinds = if depth == 0 { 5 } else { 8 };
            match self.below(kinds) {
                0 => Value::Null,
                1 => Value::Bool(self.next().is_multiple_of(2)),
                2 => Value::from([i64::MIN, -2, -1, 0, 1, 3, 30080, i64::MAX][self.below(8)]),
                3 => Value::from([-1.5, 0.5, 1e300, -1e300, 2.0][self.below(5)]),
                4 => Value::String(self.pick(STRINGS).to_string()),
                5 | 6 => Value::Array((0..self.below(5)).map(|_| self.value(depth - 1)).collect()),
                _ => self.object(depth - 1),
            }
        }
        fn object(&mut self, depth: u32) -> Value {
            let n = self.below(8);
            Value::Object(
                (0..n)
                    .map(|_| (self.pick(KEYS).to_string(), self.value(depth)))
                    .collect(),
            )
        }
    }

    #[test]
    fn cells_match_columns_on_arbitrary_json() {
        let mut rng = Rng(0x5eed);
        for kind in KINDS {
            let cols = columns(kind).unwrap_or_default();
            assert!(!cols.is_empty(), "{kind}");
            assert_eq!(
                cells(kind, &json!({}), NOW).len(),
                cols.len(),
                "{kind} on {{}}"
            );
            for odd in [
                json!(null),
                json!([]),
                json!("x"),
                json!(7),
                json!({"metadata": 1, "spec": [], "status": "x"}),
            ] {
                assert_eq!(cells(kind, &odd, NOW).len(), cols.len(), "{kind} on {odd}");
            }
            for _ in 0..400 {
                let obj = rng.object(6);
                assert_eq!(cells(kind, &obj, NOW).len(), cols.len(), "{kind} on {obj}");
                let _ = age(&obj, NOW);
            }
        }
    }

    #[test]
    fn column_tables_are_well_formed() {
        for kind in KINDS {
            let cols = columns(kind).unwrap_or_default();
            assert!(
                cols.iter()
                    .any(|c| c.name == "Name" || c.name == "Last Seen"),
                "{kind}"
            );
            for c in cols {
                assert!(
                    matches!(c.type_, "string" | "integer" | "boolean"),
                    "{kind}.{}",
                    c.name
                );
                assert!(matches!(c.priority, 0 | 1), "{kind}.{}", c.name);
                assert!(
                    c.format.is_empty() || c.format == "name",
                    "{kind}.{}",
                    c.name
                );
            }
        }
        let pod: Vec<&str> = columns("Pod")
            .unwrap_or_default()
            .iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(
            pod,
            [
                "Name",
                "Ready",
                "Status",
                "Restarts",
                "Age",
                "IP",
                "Node",
                "Nominated Node",
                "Readiness Gates"
            ]
        );
    }
}
