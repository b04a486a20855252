"""Issue 12 (first part): the workload plane — a Deployment rolls out through
ReplicaSets to scheduled, Running pods, with the unmodified kubectl 1.37."""

import json
import os
import re
import subprocess

import pytest

from kube import MANIFESTS, Cluster, rows


@pytest.fixture(scope="module")
def cluster():
    c = Cluster("sqlite")
    yield c
    c.stop()


def pods(cluster, ns, selector):
    return json.loads(cluster.out("get", "pods", "-n", ns, "-l", selector, "-o", "json"))["items"]


def test_a_deployment_rolls_out_scales_and_updates(cluster):
    k = cluster.out
    k("create", "namespace", "apps")
    # What every namespace gets: the default service account and the root CA.
    cluster.kubectl("wait", "--for=create", "serviceaccount/default", "configmap/kube-root-ca.crt", "-n", "apps",
                    "--timeout=20s")
    ca = json.loads(k("get", "cm", "kube-root-ca.crt", "-n", "apps", "-o", "json"))["data"]["ca.crt"]
    assert ca == open(cluster.server.env["NODE_EXTRA_CA_CERTS"]).read()
    # `create deployment` sends a protobuf Deployment.
    assert k("create", "deployment", "web", "-n", "apps", "--image=nginx:1.27", "--replicas=3").strip() == \
        "deployment.apps/web created"
    assert 'deployment "web" successfully rolled out' in k("rollout", "status", "deployment/web", "-n", "apps",
                                                           "--timeout=30s", timeout=40)
    wide = rows(k("get", "pods", "-n", "apps", "-o", "wide"))
    assert len(wide) == 3
    for r in wide:
        assert re.match(r"^web-[bcdfghjklmnpqrstvwxz2456789]{8,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$", r[0]), r
        assert r[1:3] == ["1/1", "Running"] and r[5].startswith("10.244.")
    assert len({r[6] for r in wide}) == 3, "spread over the three nodes"
    assert re.search(r"web\s+3/3\s+3\s+3", k("get", "deploy", "-n", "apps"))
    assert "condition met" in k("wait", "--for=condition=Available", "deployment/web", "-n", "apps", "--timeout=20s")

    k("scale", "deployment", "web", "-n", "apps", "--replicas=5")
    k("rollout", "status", "deployment/web", "-n", "apps", "--timeout=30s", timeout=40)
    assert len(pods(cluster, "apps", "app=web")) == 5

    k("set", "image", "deployment/web", "-n", "apps", "nginx=nginx:1.28")
    assert "successfully rolled out" in k("rollout", "status", "deployment/web", "-n", "apps", "--timeout=30s",
                                          timeout=40)
    images = {p["spec"]["containers"][0]["image"] for p in pods(cluster, "apps", "app=web")}
    assert images == {"nginx:1.28"}
    sets = rows(k("get", "rs", "-n", "apps"))
    assert sorted(r[1] for r in sets) == ["0", "5"], sets
    history = k("rollout", "history", "deployment/web", "-n", "apps")
    assert re.search(r"^1\s", history, re.M) and re.search(r"^2\s", history, re.M), history
    assert "rolled back" in k("rollout", "undo", "deployment/web", "-n", "apps")
    k("rollout", "status", "deployment/web", "-n", "apps", "--timeout=30s", timeout=40)
    images = {p["spec"]["containers"][0]["image"] for p in pods(cluster, "apps", "app=web")}
    assert images == {"nginx:1.27"}
    assert re.search(r"^3\s", k("rollout", "history", "deployment/web", "-n", "apps"), re.M)

    k("delete", "deployment", "web", "-n", "apps")
    cluster.kubectl("wait", "--for=delete", "pod", "-l", "app=web", "-n", "apps", "--timeout=20s", check=False)
    assert pods(cluster, "apps", "app=web") == []
    assert rows(k("get", "rs", "-n", "apps")) == []


def test_jobs_complete_and_pods_log_a_simulated_line(cluster):
    k = cluster.out
    k("create", "namespace", "batch")
    assert k("create", "job", "pi", "-n", "batch", "--image=busybox", "--", "echo", "hi").strip() == "job.batch/pi created"
    assert "condition met" in k("wait", "--for=condition=complete", "job/pi", "-n", "batch", "--timeout=20s")
    jobs = rows(k("get", "jobs", "-n", "batch"))
    assert jobs[0][:3] == ["pi", "Complete", "1/1"], jobs
    pod = rows(k("get", "pods", "-n", "batch"))[0]
    assert pod[0].startswith("pi-") and pod[2] == "Completed", pod

    k("create", "deployment", "logger", "-n", "batch", "--image=nginx:1.27")
    k("rollout", "status", "deployment/logger", "-n", "batch", "--timeout=30s", timeout=40)
    log = k("logs", "deploy/logger", "-n", "batch")
    assert 'container "nginx" (image nginx:1.27)' in log and "runs no containers" in log
    name = rows(k("get", "pods", "-n", "batch", "-l", "app=logger"))[0][0]
    ex = cluster.kubectl("exec", name, "-n", "batch", "--", "ls", check=False)
    assert ex.returncode != 0 and "run no containers" in ex.stderr, ex.stderr


def test_kube_system_runs_what_aks_runs_and_follows_the_node_pools(cluster):
    k = cluster.out
    for d in ["coredns", "metrics-server", "konnectivity-agent", "coredns-autoscaler"]:
        k("rollout", "status", f"deployment/{d}", "-n", "kube-system", "--timeout=30s", timeout=40)
    for ds in ["kube-proxy", "azure-ip-masq-agent", "cloud-node-manager", "csi-azuredisk-node", "csi-azurefile-node"]:
        k("rollout", "status", f"daemonset/{ds}", "-n", "kube-system", "--timeout=30s", timeout=40)
    system = rows(k("get", "pods", "-n", "kube-system", "-o", "wide"))
    names = [r[0] for r in system]
    assert sum(n.startswith("coredns-") and not n.startswith("coredns-autoscaler") for n in names) == 2
    assert sum(n.startswith("kube-proxy-") for n in names) == 3
    disk = [r for r in system if r[0].startswith("csi-azuredisk-node-")]
    assert len(disk) == 3 and all(r[1:3] == ["3/3", "Running"] for r in disk)
    assert "Metrics-server is running at" in k("cluster-info")

    cluster.az.run("aks", "nodepool", "add", "-g", "rg", "--cluster-name", "c1", "-n", "pool2", "--node-count", "2")
    assert len(rows(k("get", "nodes"))) == 5
    k("rollout", "status", "daemonset/kube-proxy", "-n", "kube-system", "--timeout=30s", timeout=40)
    proxies = [r for r in rows(k("get", "pods", "-n", "kube-system", "-o", "wide")) if r[0].startswith("kube-proxy-")]
    assert len(proxies) == 5 and sum("-pool2-" in r[6] for r in proxies) == 2

    k("create", "deployment", "spread", "--image=nginx:1.27", "--replicas=5")
    k("rollout", "status", "deployment/spread", "--timeout=30s", timeout=40)
    cluster.az.run("aks", "nodepool", "delete", "-g", "rg", "--cluster-name", "c1", "-n", "pool2")
    assert len(rows(k("get", "nodes"))) == 3
    k("rollout", "status", "deployment/spread", "--timeout=30s", timeout=40)
    placed = [r[6] for r in rows(k("get", "pods", "-l", "app=spread", "-o", "wide"))]
    assert len(placed) == 5 and not any("-pool2-" in n for n in placed), placed


def test_services_get_endpoints_from_ready_pods(cluster):
    k = cluster.out
    k("create", "namespace", "svc")
    k("create", "deployment", "api", "-n", "svc", "--image=nginx:1.27", "--replicas=2", "--port=8080")
    k("rollout", "status", "deployment/api", "-n", "svc", "--timeout=30s", timeout=40)
    assert k("expose", "deployment", "api", "-n", "svc", "--port", "80", "--target-port", "8080").strip() == \
        "service/api exposed"
    ips = sorted(p["status"]["podIP"] for p in json.loads(k("get", "pods", "-n", "svc", "-o", "json"))["items"])
    cluster.kubectl("wait", "--for=jsonpath={.subsets[0].addresses[1].ip}", "endpoints/api", "-n", "svc",
                    "--timeout=20s")
    slices = rows(k("get", "endpointslices", "-n", "svc"))
    assert len(slices) == 1 and slices[0][0].startswith("api-") and slices[0][1] == "IPv4" and slices[0][2] == "8080"
    assert sorted(slices[0][3].split(",")) == ips
    described = k("describe", "svc", "api", "-n", "svc")
    assert re.search(r"Endpoints:\s+" + re.escape(ips[0]) + r":8080," + re.escape(ips[1]) + r":8080", described) or \
        re.search(r"Endpoints:\s+\S+:8080,\S+:8080", described), described
    k("scale", "deployment", "api", "-n", "svc", "--replicas=3")
    k("rollout", "status", "deployment/api", "-n", "svc", "--timeout=30s", timeout=40)
    cluster.kubectl("wait", "--for=jsonpath={.subsets[0].addresses[2].ip}", "endpoints/api", "-n", "svc",
                    "--timeout=20s")


def test_statefulsets_get_ordered_pods_and_their_claims(cluster):
    k = cluster.out
    k("create", "namespace", "stateful")
    k("apply", "-f", os.path.join(MANIFESTS, "statefulset.yaml"))
    assert "roll out complete" in k("rollout", "status", "statefulset/db", "-n", "stateful", "--timeout=30s",
                                    timeout=40)
    cluster.kubectl("wait", "--for=jsonpath={.status.readyReplicas}=3", "statefulset/db", "-n", "stateful",
                    "--timeout=30s")
    assert [r[0] for r in rows(k("get", "pods", "-n", "stateful"))] == ["db-0", "db-1", "db-2"]
    assert [r[0] for r in rows(k("get", "pvc", "-n", "stateful"))] == ["data-db-0", "data-db-1", "data-db-2"]
    k("scale", "statefulset", "db", "-n", "stateful", "--replicas=1")
    cluster.kubectl("wait", "--for=jsonpath={.status.replicas}=1", "statefulset/db", "-n", "stateful",
                    "--timeout=30s")
    assert [r[0] for r in rows(k("get", "pods", "-n", "stateful"))] == ["db-0"]
    assert len(rows(k("get", "pvc", "-n", "stateful"))) == 3, "claims stay when their pods go"


def test_events_and_pods_that_fit_nowhere(cluster):
    k = cluster.out
    k("create", "namespace", "ev")
    k("create", "deployment", "small", "-n", "ev", "--image=nginx:1.27")
    k("rollout", "status", "deployment/small", "-n", "ev", "--timeout=30s", timeout=40)
    pod = rows(k("get", "pods", "-n", "ev"))[0][0]
    described = k("describe", "pod", pod, "-n", "ev")
    for reason in ["Scheduled", "Pulling", "Pulled", "Created", "Started"]:
        assert re.search(rf"Normal\s+{reason}\s", described), (reason, described)
    assert "Successfully assigned ev/" + pod + " to aks-nodepool1-" in described
    assert re.search(r"ScalingReplicaSet\s+.*Scaled up replica set small-\S+ from 0 to 1",
                     k("describe", "deployment", "small", "-n", "ev"))

    huge = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "huge", "namespace": "ev"},
            "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "100"}}}]}}
    k("apply", "-f", "-", stdin=json.dumps(huge))
    cluster.kubectl("wait", "--for=jsonpath={.status.conditions[0].reason}=Unschedulable", "pod/huge", "-n", "ev",
                    "--timeout=20s")
    assert rows(k("get", "pod", "huge", "-n", "ev"))[0][2] == "Pending"
    warning = k("get", "events", "-n", "ev", "--field-selector", "involvedObject.name=huge")
    assert "FailedScheduling" in warning and "0/3 nodes are available: 3 Insufficient cpu." in warning, warning


def test_add_on_pods_follow_enable_and_disable(cluster):
    k = cluster.out
    cluster.az.run("aks", "enable-addons", "-a", "azure-policy", "-g", "rg", "-n", "c1")
    k("rollout", "status", "deployment/azure-policy", "-n", "kube-system", "--timeout=30s", timeout=40)
    k("rollout", "status", "deployment/gatekeeper-controller", "-n", "gatekeeper-system", "--timeout=30s", timeout=40)
    assert len(rows(k("get", "pods", "-n", "gatekeeper-system"))) == 3
    cluster.az.run("aks", "disable-addons", "-a", "azure-policy", "-g", "rg", "-n", "c1")
    assert "azure-policy" not in k("get", "deploy", "-n", "kube-system")
    cluster.kubectl("wait", "--for=delete", "pod", "-l", "app=azure-policy", "-n", "kube-system", "--timeout=20s",
                    check=False)
    assert not any(r[0].startswith("azure-policy") for r in rows(k("get", "pods", "-n", "kube-system")))


def test_affinity_and_anti_affinity_decide_placement(cluster):
    k = cluster.out
    k("create", "namespace", "affinity")
    k("apply", "-f", os.path.join(MANIFESTS, "spread.yaml"))
    cluster.kubectl("wait", "--for=jsonpath={.status.readyReplicas}=3", "deployment/spread-apart", "-n", "affinity",
                    "--timeout=30s")
    placed = rows(k("get", "pods", "-n", "affinity", "-o", "wide"))
    running = [r for r in placed if r[2] == "Running"]
    assert len(running) == 3 and len({r[6] for r in running}) == 3, placed
    pending = [r for r in placed if r[2] == "Pending"]
    assert len(pending) == 1, placed
    events = k("get", "events", "-n", "affinity", "--field-selector", f"involvedObject.name={pending[0][0]}")
    assert "didn't match pod anti-affinity rules" in events, events


def test_deleted_pods_terminate_within_their_grace_period_on_the_cloud_clock(cluster):
    k = cluster.out
    k("create", "namespace", "grace")
    k("create", "deployment", "g", "-n", "grace", "--image=nginx:1.27", "--replicas=2")
    k("rollout", "status", "deployment/g", "-n", "grace", "--timeout=30s", timeout=40)
    first, second = [r[0] for r in rows(k("get", "pods", "-n", "grace"))]
    k("delete", "pod", first, "-n", "grace", "--wait=false")
    states = {r[0]: r[2] for r in rows(k("get", "pods", "-n", "grace"))}
    assert states[first] == "Terminating", states
    k("rollout", "status", "deployment/g", "-n", "grace", "--timeout=30s", timeout=40)  # replaced meanwhile
    subprocess.run([cluster.server.bin, "clock", "advance", "31s", "--data-dir", cluster.server.data_dir],
                   check=True, capture_output=True)
    cluster.kubectl("wait", "--for=delete", f"pod/{first}", "-n", "grace", "--timeout=20s")
    # --grace-period=0 --force: gone at once.
    k("delete", "pod", second, "-n", "grace", "--grace-period=0", "--force")
    assert second not in [r[0] for r in rows(k("get", "pods", "-n", "grace"))]


def test_cronjobs_run_on_the_cloud_clock(cluster):
    k = cluster.out
    k("create", "namespace", "cron")
    k("create", "cronjob", "tick", "-n", "cron", "--image=busybox", "--schedule=0 3 * * *", "--", "date")
    assert rows(k("get", "jobs", "-n", "cron")) == []
    server = cluster.server
    subprocess.run([server.bin, "clock", "advance", "1d", "--data-dir", server.data_dir], check=True,
                   capture_output=True)
    cluster.kubectl("wait", "--for=jsonpath={.status.lastSuccessfulTime}", "cronjob/tick", "-n", "cron",
                    "--timeout=20s")
    jobs = rows(k("get", "jobs", "-n", "cron"))
    assert len(jobs) == 1 and jobs[0][0].startswith("tick-") and jobs[0][1] == "Complete", jobs


def test_pod_startup_and_job_runs_can_take_virtual_time():
    slow = Cluster("sqlite", nodes=1, extra_args=["--kube-pod-startup", "5m", "--kube-job-duration", "10m"])
    try:
        k = slow.out
        k("create", "deployment", "slow", "--image=nginx:1.27", "--replicas=2")
        slow.kubectl("wait", "--for=jsonpath={.status.containerStatuses[0].state.waiting.reason}=ContainerCreating",
                     "pod", "-l", "app=slow", "--timeout=20s")
        assert all(r[2] == "ContainerCreating" for r in rows(k("get", "pods", "-l", "app=slow")))
        early = slow.kubectl("rollout", "status", "deployment/slow", "--timeout=2s", check=False, timeout=20)
        assert early.returncode != 0
        subprocess.run([slow.server.bin, "clock", "advance", "6m", "--data-dir", slow.server.data_dir], check=True,
                       capture_output=True)
        assert "successfully rolled out" in k("rollout", "status", "deployment/slow", "--timeout=30s", timeout=40)

        # A rolling update steps within its budget (maxSurge 25% → 1, maxUnavailable 25% → 0):
        # one new pod first, the old ones stay until it is ready.
        k("set", "image", "deployment/slow", "nginx=nginx:1.28")
        slow.kubectl("wait", "--for=jsonpath={.status.updatedReplicas}=1", "deployment/slow", "--timeout=20s")
        desired = sorted(r[1] for r in rows(k("get", "rs")))
        assert desired == ["1", "2"], desired
        advance = [slow.server.bin, "clock", "advance", "6m", "--data-dir", slow.server.data_dir]
        subprocess.run(advance, check=True, capture_output=True)
        slow.kubectl("wait", "--for=jsonpath={.status.updatedReplicas}=2", "deployment/slow", "--timeout=20s")
        subprocess.run(advance, check=True, capture_output=True)
        assert "successfully rolled out" in k("rollout", "status", "deployment/slow", "--timeout=30s", timeout=40)
        assert sorted(r[1] for r in rows(k("get", "rs"))) == ["0", "2"]

        # A Job's pod starts (5 m), then runs 10 m before it succeeds.
        k("create", "job", "long", "--image=busybox", "--", "sleep", "600")
        subprocess.run(advance, check=True, capture_output=True)
        slow.kubectl("wait", "--for=jsonpath={.status.phase}=Running", "pod", "-l", "job-name=long", "--timeout=20s")
        early = slow.kubectl("wait", "--for=condition=complete", "job/long", "--timeout=3s", check=False, timeout=20)
        assert early.returncode != 0
        subprocess.run([slow.server.bin, "clock", "advance", "11m", "--data-dir", slow.server.data_dir],
                       check=True, capture_output=True)
        assert "condition met" in k("wait", "--for=condition=complete", "job/long", "--timeout=20s")
        assert rows(k("get", "pods", "-l", "job-name=long"))[0][2] == "Completed"
    finally:
        slow.stop()
