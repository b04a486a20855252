"""Issue 17: server-side apply ownership and conflicts, custom resources from
real CRDs (cert-manager's bundle), and schema validation, with the pinned
kubectl and the Python `kubernetes` client. One server per store for the
module; each test works in its own namespace."""

import json
import os
import time

import pytest

from kube import MANIFESTS, Cluster, rows

CERT_MANAGER = os.path.join(MANIFESTS, "cert-manager", "cert-manager.crds.yaml")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def cluster(request):
    if request.param == "postgres" and not os.environ.get("AKSEMU_TEST_POSTGRES_URL"):
        if os.environ.get("AKSEMU_REQUIRE_POSTGRES"):
            pytest.fail("AKSEMU_REQUIRE_POSTGRES is set but AKSEMU_TEST_POSTGRES_URL is not")
        pytest.skip("no PostgreSQL")
    c = Cluster(request.param, nodes=1)
    yield c
    c.stop()


def deployment(ns, replicas, labels=None, image="nginx:1.27"):
    meta = {"name": "web", "namespace": ns, "labels": labels or {"app": "web"}}
    return json.dumps({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": {
        "replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}},
                     "spec": {"containers": [{"name": "web", "image": image}]}}}})


def managers(cluster, ns):
    d = json.loads(cluster.out("get", "deploy", "web", "-n", ns, "-o", "json", "--show-managed-fields"))
    return d, {(e["manager"], e["operation"]): e["fieldsV1"] for e in d["metadata"]["managedFields"]}


def test_server_side_apply_owns_conflicts_and_forces(cluster):
    k = cluster.kubectl
    k("create", "namespace", "ssa")
    k("apply", "--server-side", "--field-manager=alice", "-f", "-", stdin=deployment("ssa", 2))
    bob = k("apply", "--server-side", "--field-manager=bob", "-f", "-", stdin=deployment("ssa", 3), check=False)
    assert bob.returncode != 0
    assert 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas' in bob.stderr, bob.stderr
    # Nothing changed, also not under --dry-run=server.
    dry = k("apply", "--server-side", "--field-manager=bob", "--force-conflicts", "--dry-run=server",
            "-f", "-", stdin=deployment("ssa", 5))
    assert "serverside-applied (server dry run)" in dry.stdout
    d, owners = managers(cluster, "ssa")
    assert d["spec"]["replicas"] == 2 and ("bob", "Apply") not in owners
    # Forced: bob takes .spec.replicas from alice; both still own the rest.
    k("apply", "--server-side", "--field-manager=bob", "--force-conflicts", "-f", "-", stdin=deployment("ssa", 3))
    d, owners = managers(cluster, "ssa")
    assert d["spec"]["replicas"] == 3
    assert "f:replicas" in owners[("bob", "Apply")]["f:spec"]
    assert "f:replicas" not in owners[("alice", "Apply")]["f:spec"]
    assert "f:template" in owners[("alice", "Apply")]["f:spec"]
    # An update by another manager (kubectl scale) takes the field without a conflict ...
    k("scale", "deploy/web", "-n", "ssa", "--replicas=4")
    _, owners = managers(cluster, "ssa")
    assert ("bob", "Apply") in owners and "f:replicas" not in owners[("bob", "Apply")].get("f:spec", {})
    # ... and bob applying his old value now conflicts with that updater (named with its apiVersion).
    again = k("apply", "--server-side", "--field-manager=bob", "-f", "-", stdin=deployment("ssa", 3), check=False)
    assert ('Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: '
            '.spec.replicas') in again.stderr, again.stderr
    # A label alice stops applying goes; one bob also applies stays.
    k("apply", "--server-side", "--field-manager=alice", "-f", "-",
      stdin=deployment("ssa", 2, labels={"app": "web", "tier": "front"}).replace('"replicas": 2, ', ""))
    k("apply", "--server-side", "--field-manager=alice", "-f", "-",
      stdin=deployment("ssa", 2, labels={"app": "web"}).replace('"replicas": 2, ', ""))
    d, _ = managers(cluster, "ssa")
    assert d["metadata"]["labels"] == {"app": "web"}


def test_client_side_apply_moves_to_server_side_and_diff(cluster):
    k = cluster.kubectl
    k("create", "namespace", "csa")
    k("apply", "-f", "-", stdin=deployment("csa", 2))
    _, owners = managers(cluster, "csa")
    assert ("kubectl-client-side-apply", "Update") in owners
    # The same manifest, now server-side: no conflict, kubectl owns what it applied.
    out = k("apply", "--server-side", "-f", "-", stdin=deployment("csa", 3)).stdout
    assert "serverside-applied" in out
    d, owners = managers(cluster, "csa")
    assert d["spec"]["replicas"] == 3 and ("kubectl", "Apply") in owners
    # kubectl diff: exit 1 with the change shown, nothing written.
    diff = k("diff", "-f", "-", stdin=deployment("csa", 7), check=False)
    assert diff.returncode == 1 and "+  replicas: 7" in diff.stdout, diff.stdout + diff.stderr
    ssd = k("diff", "--server-side", "-f", "-", stdin=deployment("csa", 7), check=False)
    assert ssd.returncode == 1 and "+  replicas: 7" in ssd.stdout, ssd.stdout + ssd.stderr
    assert k("diff", "--server-side", "-f", "-", stdin=deployment("csa", 3), check=False).returncode == 0
    assert managers(cluster, "csa")[0]["spec"]["replicas"] == 3


def test_builtin_kinds_are_checked_against_their_schema(cluster):
    k = cluster.kubectl
    k("create", "namespace", "typed")
    bad = deployment("typed", 1).replace('"replicas": 1', '"replicas": "three"')
    created = k("apply", "-f", "-", stdin=bad, check=False)
    assert ('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string '
            'into Go struct field DeploymentSpec.spec.replicas of type int32') in created.stderr, created.stderr
    ssa = k("apply", "--server-side", "-f", "-", stdin=bad, check=False)
    assert ("Error from server (BadRequest): failed to create typed patch object (typed/web; apps/v1, Kind=Deployment): "
            ".spec.replicas: expected numeric (int or float), got string") in ssa.stderr, ssa.stderr
    unknown = deployment("typed", 1).replace('"image": "nginx:1.27"', '"image": "nginx:1.27", "imagePullPolicyy": "Always"')
    strict = k("apply", "-f", "-", stdin=unknown, check=False)
    assert ('strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy"'
            in strict.stderr), strict.stderr
    twice = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "twice"}, "data": {"a": "1", "a": "2"}}'
    dup = k("create", "--raw", "/api/v1/namespaces/typed/configmaps?fieldValidation=Strict", "-f", "-", stdin=twice,
            check=False)
    assert ('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: '
            'duplicate field "data.a"') in dup.stderr, dup.stderr
    warned = k("apply", "--validate=warn", "-f", "-", stdin=unknown)
    assert 'unknown field "spec.template.spec.containers[0].imagePullPolicyy"' in warned.stderr
    assert k("get", "deploy", "web", "-n", "typed", "-o", "jsonpath={.spec.replicas}").stdout == "1"
    # The served document carries the upstream schema (kubectl explain reads it).
    explain = k("explain", "deployment.spec.replicas").stdout
    assert "replicas" in explain and "<integer>" in explain, explain


CERT = """
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: selfsigned, namespace: certs}
spec: {selfSigned: {}}
---
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: root}
spec: {selfSigned: {}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, namespace: certs}
spec:
  secretName: web-tls
  dnsNames: [web.example.com]
  issuerRef: {name: selfsigned, kind: Issuer}
---
apiVersion: cert-manager.io/v1
kind: CertificateRequest
metadata: {name: web-1, namespace: certs}
spec:
  request: LS0tLS1CRUdJTg==
  issuerRef: {name: selfsigned}
---
apiVersion: acme.cert-manager.io/v1
kind: Order
metadata: {name: web-1-order, namespace: certs}
spec:
  request: LS0tLS1CRUdJTg==
  issuerRef: {name: selfsigned}
  dnsNames: [web.example.com]
---
apiVersion: acme.cert-manager.io/v1
kind: Challenge
metadata: {name: web-1-challenge, namespace: certs}
spec:
  url: https://acme.invalid/chall/1
  authorizationURL: https://acme.invalid/authz/1
  dnsName: web.example.com
  type: HTTP-01
  token: t0k3n
  key: k3y
  solver: {http01: {ingress: {class: nginx}}}
  issuerRef: {name: selfsigned}
"""


def test_cert_manager_crds_install_and_serve_their_kinds(cluster):
    k = cluster.kubectl
    out = k("apply", "--server-side", "-f", CERT_MANAGER).stdout
    assert out.count("serverside-applied") == 6, out
    k("wait", "--for", "condition=established", "--timeout=20s", "crd", "--all")
    names = k("api-resources", "--api-group=cert-manager.io", "-o", "name").stdout.split()
    assert sorted(names) == ["certificaterequests.cert-manager.io", "certificates.cert-manager.io",
                             "clusterissuers.cert-manager.io", "issuers.cert-manager.io"]
    k("create", "namespace", "certs")
    k("apply", "-f", "-", stdin=CERT)
    # Printer columns (priority-1 ones under -o wide), short names, categories.
    table = k("get", "certs", "-n", "certs", "-o", "wide").stdout
    assert table.split("\n")[0].split() == ["NAME", "READY", "SECRET", "ISSUER", "STATUS", "AGE"], table
    assert rows(table)[0][:3] == ["web", "web-tls", "selfsigned"]
    k("patch", "certificate", "web", "-n", "certs", "--subresource=status", "--type=merge", "-p",
      json.dumps({"status": {"conditions": [{"type": "Ready", "status": "True", "reason": "Issued",
                                              "message": "Certificate is up to date and has not expired",
                                              "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}))
    assert rows(k("get", "cert", "web", "-n", "certs").stdout)[0][:3] == ["web", "True", "web-tls"]
    everything = k("get", "cert-manager", "-n", "certs", "-o", "name").stdout.split()
    assert {"certificate.cert-manager.io/web", "issuer.cert-manager.io/selfsigned",
            "certificaterequest.cert-manager.io/web-1", "order.acme.cert-manager.io/web-1-order",
            "challenge.acme.cert-manager.io/web-1-challenge"} <= set(everything), everything
    assert rows(k("get", "clusterissuers").stdout)[0][0] == "root"
    # Every kind of the bundle: listed with its columns, patched, deleted.
    for kind, name, header in [("certificaterequest", "web-1", ["NAME", "APPROVED", "DENIED", "READY", "ISSUER",
                                                                 "REQUESTOR", "AGE"]),
                               ("order.acme.cert-manager.io", "web-1-order", ["NAME", "STATE", "AGE"]),
                               ("challenge", "web-1-challenge", ["NAME", "STATE", "DOMAIN", "AGE"]),
                               ("issuer", "selfsigned", ["NAME", "READY", "AGE"]),
                               ("clusterissuer", "root", ["NAME", "READY", "AGE"])]:
        scope = [] if kind == "clusterissuer" else ["-n", "certs"]
        listed = k("get", kind, *scope).stdout
        assert listed.split("\n")[0].split() == header, listed
        assert rows(listed)[0][0] == name
        k("label", kind, name, *scope, "team=platform")
        assert k("get", kind, name, *scope, "-o", "jsonpath={.metadata.labels.team}").stdout == "platform"
        if kind in ("clusterissuer", "challenge"):
            k("delete", kind, name, *scope)
            assert k("get", kind, *scope, "-o", "name").stdout == ""
    k("patch", "certificate", "web", "-n", "certs", "--type=merge", "-p", '{"spec":{"dnsNames":["a.example.com"]}}')
    cert = json.loads(k("get", "cert", "web", "-n", "certs", "-o", "json").stdout)
    assert cert["spec"]["dnsNames"] == ["a.example.com"] and cert["metadata"]["generation"] == 2
    assert cert["status"]["conditions"][0]["type"] == "Ready"
    # The schema decides: a wrong type and a missing required field are 422s,
    # an unknown field is refused (Strict) or pruned (Ignore).
    wrong = k("patch", "certificate", "web", "-n", "certs", "--type=merge", "-p", '{"spec":{"duration":5}}', check=False)
    assert ('The Certificate "web" is invalid: spec.duration: Invalid value: "integer": spec.duration in body '
            'must be of type string: "integer"' in wrong.stderr), wrong.stderr
    smp = k("patch", "certificate", "web", "-n", "certs", "-p", '{"spec":{"secretName":"x"}}', check=False)
    assert "application/strategic-merge-patch+json is not supported" in smp.stderr, smp.stderr
    missing = CERT.split("---")[3].replace("  request: LS0tLS1CRUdJTg==\n", "").replace("web-1", "web-2")
    req = k("apply", "-f", "-", stdin=missing, check=False)
    assert 'The CertificateRequest "web-2" is invalid: spec.request: Required value' in req.stderr, req.stderr
    extra = CERT.split("---")[0].replace("selfSigned: {}", "selfSigned: {}, colour: red").replace("selfsigned", "other")
    strict = k("apply", "-f", "-", stdin=extra, check=False)
    assert 'strict decoding error: unknown field "spec.colour"' in strict.stderr, strict.stderr
    k("apply", "--validate=false", "-f", "-", stdin=extra)
    assert json.loads(k("get", "issuer", "other", "-n", "certs", "-o", "json").stdout)["spec"] == {"selfSigned": {}}
    # Deleting a CRD deletes its objects and its resource type.
    k("delete", "certificate", "web", "-n", "certs")
    k("delete", "crd", "issuers.cert-manager.io")
    gone = k("get", "issuers", "-n", "certs", check=False)
    # (kubectl's discovery cache still names the type: the server answers 404)
    assert gone.returncode != 0 and "the server could not find the requested resource" in gone.stderr, gone.stderr
    assert "issuers.cert-manager.io" not in k("api-resources", "--api-group=cert-manager.io", "-o", "name").stdout.split()
    k("apply", "--server-side", "-f", CERT_MANAGER)
    assert "No resources found" in k("get", "issuers", "-n", "certs").stderr


WIDGETS = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd], categories: [all]}
  versions:
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          metadata:
            type: object
            properties: {name: {type: string, maxLength: 63}}
          spec:
            type: object
            x-kubernetes-validations: [{rule: "self.size <= 10", message: "too big"}]
            properties:
              size: {type: integer, default: 3, minimum: 1}
              replicas: {type: integer}
              colour: {type: string, enum: [red, blue]}
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items: {type: object, required: [name], properties: {name: {type: string}, port: {type: integer}}}
          status:
            type: object
            properties:
              replicas: {type: integer}
              selector: {type: string}
"""


def test_a_crd_of_ones_own_defaults_scales_and_joins_all(cluster):
    k = cluster.kubectl
    made = k("apply", "-f", "-", stdin=WIDGETS)
    assert "x-kubernetes-validations (CEL) rules are not evaluated" in made.stderr, made.stderr
    k("create", "namespace", "widgets")
    k("apply", "-n", "widgets", "-f", "-",
      stdin='{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","labels":{"a":"b"}},'
            '"spec":{"replicas":1}}')
    w = json.loads(k("get", "wd", "w", "-n", "widgets", "-o", "json").stdout)
    assert w["spec"] == {"replicas": 1, "size": 3}
    assert w["metadata"]["labels"] == {"a": "b"} and w["metadata"]["namespace"] == "widgets"
    # Kubernetes' own groups are not for CRDs (without the approval annotation).
    rbac = WIDGETS.replace("widgets.example.com", "widgets.rbac.authorization.k8s.io").replace(
        "group: example.com", "group: rbac.authorization.k8s.io")
    refused = k("apply", "-f", "-", stdin=rbac, check=False)
    assert 'protected groups must have approval annotation "api-approved.kubernetes.io"' in refused.stderr, \
        refused.stderr
    assert rows(k("get", "widgets", "-n", "widgets").stdout)[0][:2] == ["w", "3"]
    assert "widget.example.com/w" in k("get", "all", "-n", "widgets", "-o", "name").stdout
    k("scale", "widget/w", "-n", "widgets", "--replicas=4")
    assert k("get", "wd", "w", "-n", "widgets", "-o", "jsonpath={.spec.replicas}").stdout == "4"
    bad = k("patch", "wd", "w", "-n", "widgets", "--type=merge", "-p", '{"spec":{"colour":"green","size":0}}',
            check=False)
    assert 'spec.colour: Unsupported value: "green": supported values: "red", "blue"' in bad.stderr, bad.stderr
    assert "spec.size in body should be greater than or equal to 1" in bad.stderr
    # Conversion None: stored at v1, served at the version asked for.
    k("apply", "-n", "widgets", "-f", "-",
      stdin='{"apiVersion":"example.com/v1beta1","kind":"Widget","metadata":{"name":"old"},"spec":{"size":2}}')
    assert k("get", "widgets.v1.example.com", "old", "-n", "widgets", "-o", "jsonpath={.apiVersion}").stdout == \
        "example.com/v1"
    assert k("get", "widgets.v1beta1.example.com", "-n", "widgets", "-o", "jsonpath={.items[*].apiVersion}").stdout \
        == "example.com/v1beta1 example.com/v1beta1"
    # An object a widget owns goes with it.
    uid = k("get", "wd", "old", "-n", "widgets", "-o", "jsonpath={.metadata.uid}").stdout
    owned = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owned", "ownerReferences": [
        {"apiVersion": "example.com/v1", "kind": "Widget", "name": "old", "uid": uid}]}}
    k("apply", "-n", "widgets", "-f", "-", stdin=json.dumps(owned))
    k("delete", "wd", "old", "-n", "widgets")
    deadline = time.time() + 10
    while time.time() < deadline and "owned" in k("get", "cm", "-n", "widgets", "-o", "name").stdout:
        time.sleep(0.2)
    assert "owned" not in k("get", "cm", "-n", "widgets", "-o", "name").stdout
    # Server-side apply merges list-type map items by key, each owned by its applier.
    def widget(ports):
        return json.dumps({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
                           "spec": {"ports": ports}})
    k("apply", "--server-side", "--field-manager=a", "-n", "widgets", "-f", "-", stdin=widget([{"name": "http", "port": 80}]))
    k("apply", "--server-side", "--field-manager=b", "-n", "widgets", "-f", "-",
      stdin=widget([{"name": "metrics", "port": 9090}]))
    ports = json.loads(k("get", "wd", "w", "-n", "widgets", "-o", "jsonpath={.spec.ports}").stdout)
    assert sorted(p["name"] for p in ports) == ["http", "metrics"]
    clash = k("apply", "--server-side", "--field-manager=b", "-n", "widgets", "-f", "-",
              stdin=widget([{"name": "metrics", "port": 9090}, {"name": "http", "port": 81}]), check=False)
    assert 'conflict with "a": .spec.ports[name="http"].port' in clash.stderr, clash.stderr
    openapi = json.loads(k("get", "--raw", "/openapi/v3/apis/example.com/v1").stdout)
    assert "com.example.v1.Widget" in openapi["components"]["schemas"]
    k("delete", "namespace", "widgets")
    k("delete", "crd", "widgets.example.com")


def test_pods_run_as_a_service_account_with_its_token_mounted(cluster):
    k = cluster.kubectl
    k("create", "namespace", "sa")
    k("create", "serviceaccount", "quiet", "-n", "sa")
    k("patch", "sa", "quiet", "-n", "sa", "-p", '{"automountServiceAccountToken": false}')
    k("run", "plain", "-n", "sa", "--image=nginx:1.27")
    pod = json.loads(k("get", "pod", "plain", "-n", "sa", "-o", "json").stdout)
    assert pod["spec"]["serviceAccountName"] == "default"
    [vol] = [v for v in pod["spec"]["volumes"] if v["name"].startswith("kube-api-access-")]
    assert len(vol["name"]) == len("kube-api-access-") + 5
    assert [s_ for s_ in vol["projected"]["sources"] if "serviceAccountToken" in s_][0]["serviceAccountToken"][
        "path"] == "token"
    assert {"name": vol["name"], "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"} \
        in pod["spec"]["containers"][0]["volumeMounts"]
    k("run", "quiet", "-n", "sa", "--image=nginx:1.27", "--overrides", '{"spec":{"serviceAccountName":"quiet"}}')
    quiet = json.loads(k("get", "pod", "quiet", "-n", "sa", "-o", "json").stdout)
    assert not any(v["name"].startswith("kube-api-access-") for v in quiet["spec"].get("volumes", []))
    lost = k("run", "lost", "-n", "sa", "--image=nginx:1.27", "--overrides", '{"spec":{"serviceAccountName":"nope"}}',
             check=False)
    assert ('pods "lost" is forbidden: error looking up service account sa/nope: serviceaccount "nope" not found'
            in lost.stderr), lost.stderr


BOUNDS = """
apiVersion: v1
kind: LimitRange
metadata: {name: bounds, namespace: bounded}
spec:
  limits:
  - type: Container
    max: {cpu: "1"}
    min: {memory: 64Mi}
    maxLimitRequestRatio: {cpu: "2"}
"""


def test_limit_ranges_refuse_what_breaks_their_bounds(cluster):
    k = cluster.kubectl
    k("create", "namespace", "bounded")
    k("apply", "-f", "-", stdin=BOUNDS)

    def run(name, resources):
        return k("run", name, "-n", "bounded", "--image=nginx:1.27", "--overrides", json.dumps(
            {"spec": {"containers": [{"name": name, "image": "nginx:1.27", "resources": resources}]}}), check=False)

    big = run("big", {"limits": {"cpu": "2", "memory": "128Mi"}})
    assert 'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2' in big.stderr, big.stderr
    small = run("small", {"requests": {"memory": "32Mi"}, "limits": {"cpu": "1", "memory": "128Mi"}})
    assert ('pods "small" is forbidden: minimum memory usage per Container is 64Mi, but request is 32Mi'
            in small.stderr), small.stderr
    ratio = run("ratio", {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "64Mi"}})
    assert ('cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000'
            in ratio.stderr), ratio.stderr
    assert run("fits", {"requests": {"cpu": "500m", "memory": "64Mi"},
                        "limits": {"cpu": "1", "memory": "64Mi"}}).returncode == 0


def test_python_client_server_side_apply_conflicts(cluster):
    from kubernetes import client, config
    from kubernetes.client.rest import ApiException

    api_client = config.new_client_from_config(config_file=cluster.kubeconfig)
    client.CoreV1Api(api_client).create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="pyssa")))
    apps = client.AppsV1Api(api_client)
    body = json.loads(deployment("pyssa", 2))

    def apply(manager, replicas, force=False):
        # The generated client has no apply content type: the documented way
        # is a raw call with application/apply-patch+yaml.
        body["spec"]["replicas"] = replicas
        query = [("fieldManager", manager), ("force", "true" if force else "false")]
        return api_client.call_api(
            "/apis/apps/v1/namespaces/pyssa/deployments/web", "PATCH", query_params=query,
            header_params={"Content-Type": "application/apply-patch+yaml", "Accept": "application/json"},
            body=body, auth_settings=["BearerToken"], response_type="V1Deployment", _return_http_data_only=True)

    apply("py-a", 2)
    try:
        apply("py-b", 5)
        raise AssertionError("expected a conflict")
    except ApiException as e:
        status = json.loads(e.body)
        assert e.status == 409 and status["reason"] == "Conflict"
        assert status["message"] == 'Apply failed with 1 conflict: conflict with "py-a": .spec.replicas'
        assert status["details"]["causes"] == [{"reason": "FieldManagerConflict",
                                                "message": 'conflict with "py-a"', "field": ".spec.replicas"}]
    d = apply("py-b", 5, force=True)
    assert d.spec.replicas == 5
    owners = {m.manager: m.fields_v1 for m in d.metadata.managed_fields}
    assert "f:replicas" in owners["py-b"]["f:spec"] and "f:replicas" not in owners["py-a"]["f:spec"]
    deadline = time.time() + 5
    while time.time() < deadline and apps.read_namespaced_deployment("web", "pyssa").spec.replicas != 5:
        time.sleep(0.1)
