"""Issue 11, the other clients, on one store: kubectl 1.31 (JSON bodies and
legacy-first discovery, the last minor that does both) and the Python
`kubernetes` client (watch, the three patch types, server-side apply)."""

import os
import threading

import pytest

from kube import KUBECTL_131, MANIFESTS, Cluster, rows


@pytest.fixture(scope="module")
def cluster():
    c = Cluster("sqlite", nodes=2)
    yield c
    c.stop()


def test_kubectl_131(cluster):
    if not os.path.exists(KUBECTL_131):
        print(f"NOTICE: {KUBECTL_131} is absent on this machine; the kubectl 1.31 check is skipped")
        pytest.skip("kubectl 1.31 absent")
    env = cluster.env(cache=os.path.join(cluster.server.tmp, "cache-131"))

    def k(*args, check=True):
        return cluster.kubectl(*args, binary=KUBECTL_131, env=env, check=check)

    assert "v1.31" in k("version").stdout
    assert len(rows(k("get", "nodes").stdout)) == 2
    assert k("create", "namespace", "old").stdout.strip() == "namespace/old created"
    assert k("create", "configmap", "c", "-n", "old", "--from-literal=a=b").stdout.strip() == "configmap/c created"
    manifest = open(os.path.join(MANIFESTS, "app.yaml")).read().replace("namespace: demo", "namespace: old")
    out = cluster.kubectl("apply", "-f", "-", binary=KUBECTL_131, env=env, stdin=manifest).stdout
    assert "deployment.apps/web created" in out and "service/web created" in out
    edited = open(os.path.join(MANIFESTS, "app-edited.yaml")).read().replace("namespace: demo", "namespace: old")
    out = cluster.kubectl("apply", "-f", "-", binary=KUBECTL_131, env=env, stdin=edited).stdout
    assert "deployment.apps/web configured" in out
    assert k("auth", "can-i", "delete", "deployments.apps", "-n", "old").stdout.strip() == "yes"
    assert 'namespace "old" deleted' in k("delete", "ns", "old").stdout


def test_python_kubernetes_client(cluster):
    from kubernetes import client, config, watch

    api_client = config.new_client_from_config(config_file=cluster.kubeconfig)
    v1 = client.CoreV1Api(api_client)
    apps = client.AppsV1Api(api_client)
    assert len(v1.list_node().items) == 2
    v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="py")))

    events = []
    w = watch.Watch()

    def follow():
        for e in w.stream(v1.list_namespaced_config_map, "py", timeout_seconds=10):
            # The namespace's kube-root-ca.crt may arrive meanwhile: only cfg counts.
            if e["object"].metadata.name != "cfg":
                continue
            events.append((e["type"], e["object"].metadata.name, dict(e["object"].data or {})))
            if len(events) >= 3:
                w.stop()

    t = threading.Thread(target=follow)
    t.start()
    import time
    time.sleep(1)
    v1.create_namespaced_config_map("py", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="cfg"), data={"a": "1"}))
    v1.patch_namespaced_config_map("cfg", "py", {"data": {"b": "2"}})  # strategic merge (the client's default)
    v1.delete_namespaced_config_map("cfg", "py")
    t.join(15)
    assert [(t_, n) for t_, n, _ in events] == [("ADDED", "cfg"), ("MODIFIED", "cfg"), ("DELETED", "cfg")]
    assert events[1][2] == {"a": "1", "b": "2"}

    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "py"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "api"}},
                     "template": {"metadata": {"labels": {"app": "api"}},
                                  "spec": {"containers": [{"name": "api", "image": "nginx:1.27"}]}}}}
    def raw_patch(content_type, patch, query=()):
        return api_client.call_api(
            "/apis/apps/v1/namespaces/py/deployments/api", "PATCH", query_params=list(query),
            header_params={"Content-Type": content_type, "Accept": "application/json"},
            body=patch, auth_settings=["BearerToken"], response_type="object", _return_http_data_only=True)

    created = raw_patch("application/apply-patch+yaml", body, [("fieldManager", "py-ssa")])
    assert created["spec"]["replicas"] == 1 and created["metadata"]["generation"] == 1
    raw_patch("application/json-patch+json", [{"op": "replace", "path": "/spec/replicas", "value": 4}])
    assert apps.read_namespaced_deployment("api", "py").spec.replicas == 4
    raw_patch("application/merge-patch+json", {"metadata": {"labels": {"team": "a"}}})
    d = apps.read_namespaced_deployment("api", "py")
    assert d.metadata.labels == {"team": "a"} and d.metadata.generation == 2
    assert {m.manager for m in d.metadata.managed_fields} >= {"py-ssa"}
    scale = apps.read_namespaced_deployment_scale("api", "py")
    assert scale.spec.replicas == 4
    apps.patch_namespaced_deployment_scale("api", "py", {"spec": {"replicas": 2}})
    assert apps.read_namespaced_deployment("api", "py").spec.replicas == 2
    try:
        v1.read_namespaced_config_map("nope", "py")
        raise AssertionError("expected 404")
    except client.exceptions.ApiException as e:
        assert e.status == 404 and '"reason":"NotFound"' in e.body.replace(" ", "")
