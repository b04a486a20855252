"""The cluster identity at work inside the cluster, with the real az CLI and
kubectl: a Service of type LoadBalancer gets its address from the cloud
controller, which acts as the cluster identity through the ARM gate. A static
IP outside the node resource group needs a role there, and that role takes the
configured propagation delay on the cloud clock to take effect."""

import json
import subprocess
import time

import pytest

from conftest import STORES
from kube import Cluster

PROPAGATION = ["--rbac-propagation", "60m"]


def wait_for(what, check, timeout=30):
    deadline = time.time() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


def wait_on_clock(cluster, what, check):
    """Waits for `check`; on a slow machine the controller's back-off may have
    grown past the time moved, so the clock moves on a minute at a time (the
    controller retries on its own; nobody touches the object)."""
    for _ in range(6):
        try:
            return wait_for(what, check, timeout=15)
        except AssertionError:
            advance(cluster, "1m")
    return wait_for(what, check)


def advance(cluster, by):
    subprocess.run([cluster.server.bin, "clock", "advance", by, "--data-dir", cluster.server.data_dir],
                   check=True, capture_output=True)


def events(cluster, svc, reason):
    out = cluster.out("get", "events", "-o", "json", "--field-selector",
                      f"involvedObject.name={svc},reason={reason}")
    return json.loads(out)["items"]


def event_count(cluster, svc, reason):
    return sum(e.get("count", 1) for e in events(cluster, svc, reason))


def ingress_ip(cluster, svc):
    return cluster.out("get", "svc", svc, "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}").strip()


STATIC_SVC = """
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    service.beta.kubernetes.io/azure-load-balancer-resource-group: static-rg
spec:
  type: LoadBalancer
  loadBalancerIP: {ip}
  selector: {{app: web}}
  ports: [{{port: 80, targetPort: 80}}]
"""


STATIC_DISK = """
apiVersion: v1
kind: PersistentVolume
metadata: {{name: pv-static}}
spec:
  capacity: {{storage: 4Gi}}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ""
  csi: {{driver: disk.csi.azure.com, volumeHandle: "{disk}", fsType: ext4}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: static-claim}}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  volumeName: pv-static
  resources: {{requests: {{storage: 4Gi}}}}
---
apiVersion: v1
kind: Pod
metadata: {{name: db}}
spec:
  containers: [{{name: db, image: postgres:16, volumeMounts: [{{name: data, mountPath: /var/lib/postgresql}}]}}]
  volumes: [{{name: data, persistentVolumeClaim: {{claimName: static-claim}}}}]
"""

DYNAMIC_DISK = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: managed-csi
  resources: {requests: {storage: 5Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers: [{name: app, image: nginx:1.27, volumeMounts: [{name: data, mountPath: /data}]}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
"""


def pod_phase(cluster, name):
    return cluster.out("get", "pod", name, "-o", "jsonpath={.status.phase}").strip()


@pytest.fixture(scope="module", params=STORES)
def cluster(request):
    c = Cluster(request.param, nodes=1, extra_args=PROPAGATION)
    yield c
    c.stop()


def test_static_ip_and_disk_outside_the_node_resource_group_need_a_role_there_which_takes_time_to_populate(cluster):
    """The seed: "if you use a static IP address or an attached Azure disk
    outside the node resource group, the cluster identity needs a role there,
    which may take up to 60 minutes to populate"."""
    az = cluster.az
    az.run("group", "create", "-n", "static-rg", "-l", "westus2")
    az.run("group", "create", "-n", "disks-rg", "-l", "westus2")
    disk = az.json("disk", "create", "-g", "disks-rg", "-n", "static-disk", "--size-gb", "4")
    cluster.kubectl("apply", "-f", "-", stdin=STATIC_DISK.format(disk=disk["id"]))
    pip = az.json("network", "public-ip", "create", "-g", "static-rg", "-n", "myIP", "--sku", "Standard",
                  "--allocation-method", "static")
    ip = pip["publicIp"]["ipAddress"]
    assert ip.startswith("198.1"), ip
    cluster.kubectl("apply", "-f", "-", stdin=STATIC_SVC.format(ip=ip))

    failed = wait_for("SyncLoadBalancerFailed", lambda: events(cluster, "web", "SyncLoadBalancerFailed"))
    message = failed[0]["message"]
    assert message.startswith("Error syncing load balancer: failed to ensure load balancer: "), message
    assert "AuthorizationFailed" in message and "Microsoft.Network/publicIPAddresses/read" in message, message
    assert "/resourceGroups/static-rg/providers/Microsoft.Network" in message, message
    rows = cluster.out("get", "svc", "web").splitlines()
    assert "<pending>" in rows[1], rows
    described = cluster.out("describe", "svc", "web")
    assert "SyncLoadBalancerFailed" in described and "EnsuringLoadBalancer" in described, described

    attach = wait_for("FailedAttachVolume", lambda: events(cluster, "db", "FailedAttachVolume"))
    message = attach[0]["message"]
    assert message.startswith('AttachVolume.Attach failed for volume "pv-static" : rpc error: code = NotFound'), message
    assert "Microsoft.Compute/disks/read" in message and "AuthorizationFailed" in message, message
    assert pod_phase(cluster, "db") == "Pending"

    principal = cluster.created["identity"]["principalId"]
    for rg, role in (("static-rg", "Network Contributor"), ("disks-rg", "Contributor")):
        group = az.json("group", "show", "-n", rg)["id"]
        az.run("role", "assignment", "create", "--assignee-object-id", principal, "--assignee-principal-type",
               "ServicePrincipal", "--role", role, "--scope", group)

    # +59 minutes: the assignment has not propagated; the next retry is denied again.
    before = event_count(cluster, "web", "SyncLoadBalancerFailed")
    attach_before = event_count(cluster, "db", "FailedAttachVolume")
    advance(cluster, "59m")
    wait_for("a retry at +59m", lambda: event_count(cluster, "web", "SyncLoadBalancerFailed") > before)
    wait_for("an attach retry at +59m", lambda: event_count(cluster, "db", "FailedAttachVolume") > attach_before)
    assert ingress_ip(cluster, "web") == ""
    assert pod_phase(cluster, "db") == "Pending"

    # +61 minutes: it has; the next retry succeeds without touching the Service.
    advance(cluster, "2m")
    wait_on_clock(cluster, "the static IP on the Service", lambda: ingress_ip(cluster, "web") == ip)
    wait_on_clock(cluster, "the pod on the attached static disk", lambda: pod_phase(cluster, "db") == "Running")
    assert events(cluster, "db", "SuccessfulAttachVolume")
    assert az.json("disk", "show", "-g", "disks-rg", "-n", "static-disk")["diskState"] == "Attached"
    assert events(cluster, "web", "EnsuredLoadBalancer")
    node_rg = cluster.created["nodeResourceGroup"]
    uid = json.loads(cluster.out("get", "svc", "web", "-o", "json"))["metadata"]["uid"]
    base = "a" + uid.replace("-", "")[:31]
    lb = az.json("network", "lb", "show", "-g", node_rg, "-n", "kubernetes")
    frontend = [f for f in lb["frontendIPConfigurations"] if f["name"] == base]
    assert frontend and frontend[0]["publicIPAddress"]["id"].lower() == pip["publicIp"]["id"].lower()
    assert any(r["name"] == f"{base}-TCP-80" for r in lb["loadBalancingRules"]), lb["loadBalancingRules"]

    # Deleting the Service takes its frontend away and lets the static IP go, not deleting it.
    cluster.kubectl("delete", "svc", "web", "--timeout=30s")
    lb = az.json("network", "lb", "show", "-g", node_rg, "-n", "kubernetes")
    assert not [f for f in lb["frontendIPConfigurations"] if f["name"] == base]
    assert az.json("network", "public-ip", "show", "-g", "static-rg", "-n", "myIP")["ipAddress"] == ip


def test_a_load_balancer_service_gets_its_own_public_ip_in_the_node_resource_group(cluster):
    cluster.kubectl("create", "service", "loadbalancer", "shop", "--tcp=8080:80")
    ip = wait_for("an address", lambda: ingress_ip(cluster, "shop"))
    uid = json.loads(cluster.out("get", "svc", "shop", "-o", "json"))["metadata"]["uid"]
    name = "kubernetes-a" + uid.replace("-", "")[:31]
    node_rg = cluster.created["nodeResourceGroup"]
    pip = cluster.az.json("network", "public-ip", "show", "-g", node_rg, "-n", name)
    assert pip["ipAddress"] == ip and pip["tags"]["k8s-azure-service"] == "default/shop"
    row = cluster.out("get", "svc", "shop").splitlines()[1].split()
    assert row[3] == ip, row
    base = "a" + uid.replace("-", "")[:31]
    nsg = cluster.az.json("network", "nsg", "list", "-g", node_rg)[0]
    rule = [r for r in nsg["securityRules"] if r["name"] == f"{base}-TCP-8080-Internet"]
    assert rule and rule[0]["destinationAddressPrefix"] == ip and rule[0]["access"] == "Allow", nsg["securityRules"]
    assert "service.kubernetes.io/load-balancer-cleanup" in cluster.out(
        "get", "svc", "shop", "-o", "jsonpath={.metadata.finalizers}")
    cluster.kubectl("delete", "svc", "shop", "--timeout=30s")
    gone = cluster.az.run("network", "public-ip", "show", "-g", node_rg, "-n", name, check=False)
    assert gone.returncode != 0 and "ResourceNotFound" in gone.stderr, gone.stderr
    nsg = cluster.az.json("network", "nsg", "list", "-g", node_rg)[0]
    assert not [r for r in nsg["securityRules"] if r["name"].startswith(base)]


def test_a_claim_provisions_a_disk_in_the_node_resource_group_and_takes_it_along(cluster):
    cluster.kubectl("apply", "-f", "-", stdin=DYNAMIC_DISK)
    wait_for("the pod on its new disk", lambda: pod_phase(cluster, "app") == "Running")
    pvc = json.loads(cluster.out("get", "pvc", "data", "-o", "json"))
    assert pvc["status"]["phase"] == "Bound"
    volume = pvc["spec"]["volumeName"]
    assert volume == "pvc-" + pvc["metadata"]["uid"]
    assert {e["reason"] for e in json.loads(cluster.out("get", "events", "-o", "json", "--field-selector",
                                                        "involvedObject.name=data"))["items"]} >= {
        "Provisioning", "ProvisioningSucceeded"}
    node_rg = cluster.created["nodeResourceGroup"]
    disk = cluster.az.json("disk", "show", "-g", node_rg, "-n", volume)
    assert disk["diskSizeGB"] == 5 and disk["diskState"] == "Attached"
    assert disk["tags"]["kubernetes.io-created-for-pvc-name"] == "data"
    node = cluster.out("get", "pod", "app", "-o", "jsonpath={.spec.nodeName}").strip()
    provider = cluster.out("get", "node", node, "-o", "jsonpath={.spec.providerID}").strip()
    assert disk["managedBy"].lower() == provider.removeprefix("azure://").lower()
    vmss = provider.split("/virtualMachineScaleSets/")[1].split("/")[0]
    instances = cluster.az.json("vmss", "list-instances", "-g", node_rg, "-n", vmss)
    mine = [i for i in instances if i["osProfile"]["computerName"] == node]
    assert mine and volume in [d["name"] for d in mine[0]["storageProfile"]["dataDisks"]]
    assert cluster.out("get", "volumeattachments", "-o", "jsonpath={.items[*].status.attached}").count("true") >= 1

    cluster.kubectl("delete", "pod", "app", "--grace-period=0", "--force")
    cluster.kubectl("delete", "pvc", "data")

    def gone():
        r = cluster.az.run("disk", "show", "-g", node_rg, "-n", volume, check=False)
        return r.returncode != 0 and "ResourceNotFound" in r.stderr
    wait_for("the disk deleted with its claim", gone)
    assert cluster.kubectl("get", "pv", volume, check=False).returncode != 0


INTERNAL_SVC = """
apiVersion: v1
kind: Service
metadata:
  name: private
  annotations: {service.beta.kubernetes.io/azure-load-balancer-internal: "true"}
spec:
  type: LoadBalancer
  selector: {app: private}
  ports: [{port: 443, targetPort: 8443}]
"""

LOCKED_CLASS = """
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: locked}
provisioner: disk.csi.azure.com
parameters: {skuname: Premium_LRS, resourceGroup: locked-rg}
reclaimPolicy: Delete
volumeBindingMode: Immediate
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: locked-claim}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: locked
  resources: {requests: {storage: 1Gi}}
"""

READ_ONLY_IP = """
apiVersion: v1
kind: Service
metadata:
  name: borrowed
  annotations:
    service.beta.kubernetes.io/azure-load-balancer-resource-group: readonly-rg
    service.beta.kubernetes.io/azure-pip-name: theirIP
spec:
  type: LoadBalancer
  ports: [{port: 80}]
"""


def test_internal_services_read_only_ip_groups_and_locked_disk_groups(cluster):
    az = cluster.az
    node_rg = cluster.created["nodeResourceGroup"]
    cluster.kubectl("apply", "-f", "-", stdin=INTERNAL_SVC)
    ip = wait_for("an internal address", lambda: ingress_ip(cluster, "private"))
    assert ip.startswith("10.224."), ip
    lb = az.json("network", "lb", "show", "-g", node_rg, "-n", "kubernetes-internal")
    fe = lb["frontendIPConfigurations"][0]
    assert fe["privateIPAddress"] == ip and fe["subnet"]["id"].endswith("/subnets/aks-subnet"), fe

    # Read on the IP's group is not enough: the load balancer must join the IP.
    for rg in ("readonly-rg", "locked-rg"):
        az.run("group", "create", "-n", rg, "-l", "westus2")
    az.run("network", "public-ip", "create", "-g", "readonly-rg", "-n", "theirIP", "--sku", "Standard")
    principal = cluster.created["identity"]["principalId"]
    group = az.json("group", "show", "-n", "readonly-rg")["id"]
    az.run("role", "assignment", "create", "--assignee-object-id", principal, "--assignee-principal-type",
           "ServicePrincipal", "--role", "Reader", "--scope", group)
    advance(cluster, "61m")
    cluster.kubectl("apply", "-f", "-", stdin=READ_ONLY_IP)

    def linked():
        return [e["message"] for e in events(cluster, "borrowed", "SyncLoadBalancerFailed")
                if "LinkedAuthorizationFailed" in e["message"]]
    message = wait_for("LinkedAuthorizationFailed", linked)[0]
    assert "Microsoft.Network/publicIPAddresses/join/action" in message and "theirIP" in message, message
    assert message.split("\n")[0].startswith(
        "Error syncing load balancer: failed to ensure load balancer: PUT https://management.azure.com/"), message

    # A storage class provisioning into a group the identity has no role in.
    cluster.kubectl("apply", "-f", "-", stdin=LOCKED_CLASS)
    failed = wait_for("ProvisioningFailed", lambda: events(cluster, "locked-claim", "ProvisioningFailed"))
    text = failed[0]["message"]
    assert text.startswith('failed to provision volume with StorageClass "locked": rpc error: code = Internal'), text
    assert "Microsoft.Compute/disks/write" in text and "AuthorizationFailed" in text, text
    assert cluster.out("get", "pvc", "locked-claim", "-o", "jsonpath={.status.phase}").strip() == "Pending"


def container_waiting(cluster, pod):
    out = cluster.out("get", "pod", pod, "-o", "jsonpath={.status.containerStatuses[0].state.waiting.reason}")
    return out.strip()


def test_acr_pulls_need_acrpull_for_the_kubelet_identity(cluster):
    az = cluster.az
    az.run("acr", "create", "-g", "rg", "-n", "myacr", "--sku", "Basic")
    az.run("acr", "import", "-n", "myacr", "--source", "docker.io/library/nginx:1.27", "--image", "app:v1")
    cluster.kubectl("run", "app", "--image=myacr.azurecr.io/app:v1")
    wait_for("ImagePullBackOff", lambda: container_waiting(cluster, "app") in ("ErrImagePull", "ImagePullBackOff"))
    failed = [e["message"] for e in events(cluster, "app", "Failed")]
    assert any("failed to authorize: failed to fetch anonymous token" in m and "401 Unauthorized" in m
               for m in failed), failed
    assert "Error: ErrImagePull" in failed
    wait_for("the back-off", lambda: container_waiting(cluster, "app") == "ImagePullBackOff")
    row = cluster.out("get", "pod", "app").splitlines()[1].split()
    assert row[1:3] == ["0/1", "ImagePullBackOff"], row

    az.run("aks", "update", "-g", "rg", "-n", "c1", "--attach-acr", "myacr")
    advance(cluster, "61m")  # the AcrPull assignment az made propagates, and the back-off runs out
    wait_on_clock(cluster, "the pod running", lambda: pod_phase(cluster, "app") == "Running")

    # Allowed now, but a tag the registry does not have is a different failure.
    cluster.kubectl("run", "ghost", "--image=myacr.azurecr.io/app:v9")
    wait_for("ErrImagePull", lambda: container_waiting(cluster, "ghost") in ("ErrImagePull", "ImagePullBackOff"))
    missing = [e["message"] for e in events(cluster, "ghost", "Failed")]
    assert any(m.endswith("myacr.azurecr.io/app:v9: not found") for m in missing), missing


def test_an_image_pushed_through_the_registry_token_flow_pulls(cluster):
    """A push the way docker and oras do it: the Entra token exchanged at the
    registry, a token for push, the manifest; the kubelet then pulls the tag."""
    import requests
    env = cluster.server.env
    base = env["AKSEMU_ARM_URL"]
    host = {"Host": "myacr.azurecr.io"}
    ca = env["REQUESTS_CA_BUNDLE"]
    challenge = requests.get(f"{base}/v2/", headers=host, verify=ca, timeout=10)
    assert challenge.status_code == 401
    assert challenge.headers["WWW-Authenticate"] == \
        'Bearer realm="https://myacr.azurecr.io/oauth2/token",service="myacr.azurecr.io"'
    aad = cluster.az.json("account", "get-access-token", "--resource", "https://containerregistry.azure.net")
    r = requests.post(f"{base}/oauth2/exchange", headers=host, verify=ca, timeout=10,
                      data={"grant_type": "access_token", "service": "myacr.azurecr.io",
                            "access_token": aad["accessToken"]})
    assert r.status_code == 200, r.text
    refresh = r.json()["refresh_token"]
    r = requests.get(f"{base}/oauth2/token", headers=host, verify=ca, timeout=10,
                     params={"scope": "repository:pushed:pull,push", "service": "myacr.azurecr.io"},
                     auth=("00000000-0000-0000-0000-000000000000", refresh))
    assert r.status_code == 200, r.text
    bearer = {**host, "Authorization": "Bearer " + r.json()["access_token"],
              "Content-Type": "application/vnd.oci.image.manifest.v1+json"}
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {}, "layers": []})
    r = requests.put(f"{base}/v2/pushed/manifests/v1", headers=bearer, data=manifest, verify=ca, timeout=10)
    assert r.status_code == 201 and r.headers["Docker-Content-Digest"].startswith("sha256:"), r.text
    digest = r.headers["Docker-Content-Digest"]
    assert requests.head(f"{base}/v2/pushed/manifests/v1", headers=bearer, verify=ca, timeout=10).status_code == 200
    assert requests.put(f"{base}/v2/pushed/manifests/v2", headers=host, data=manifest, verify=ca,
                        timeout=10).status_code == 401
    cluster.kubectl("run", "pushed", "--image=myacr.azurecr.io/pushed:v1")
    wait_for("the pushed image running", lambda: pod_phase(cluster, "pushed") == "Running")
    # By digest too; a digest the repository does not hold is not found.
    cluster.kubectl("run", "by-digest", f"--image=myacr.azurecr.io/pushed@{digest}")
    wait_for("the image by digest running", lambda: pod_phase(cluster, "by-digest") == "Running")
    cluster.kubectl("run", "no-digest", "--image=myacr.azurecr.io/pushed@sha256:" + "0" * 64)
    wait_for("a missing digest", lambda: container_waiting(cluster, "no-digest") in ("ErrImagePull", "ImagePullBackOff"))


def test_a_service_principal_cluster_whose_secret_expired_gets_no_load_balancer_until_update_credentials(cluster):
    """Runs last in this module: it moves the clock a year on."""
    az = cluster.az
    sp = az.json("ad", "sp", "create-for-rbac", "-n", "lb-sp")
    az.run("aks", "create", "-g", "rg", "-n", "spc", "--service-principal", sp["appId"],
           "--client-secret", sp["password"], "--node-count", "1")
    kubeconfig = cluster.server.tmp + "/spc.kubeconfig"
    az.run("aks", "get-credentials", "-g", "rg", "-n", "spc", "-f", kubeconfig)
    env = cluster.env()
    env["KUBECONFIG"] = kubeconfig
    sp_cluster = lambda *args: cluster.out(*args, env=env)  # noqa: E731

    advance(cluster, "366d")
    cluster.kubectl("create", "service", "loadbalancer", "api", "--tcp=443:8443", env=env)

    def failure():
        items = json.loads(sp_cluster("get", "events", "-o", "json", "--field-selector",
                                      "involvedObject.name=api,reason=SyncLoadBalancerFailed"))["items"]
        return items[0]["message"] if items else None
    message = wait_for("SyncLoadBalancerFailed", failure)
    assert "ClientSecretCredential authentication failed" in message and "AADSTS7000222" in message, message
    assert sp_cluster("get", "svc", "api", "-o", "jsonpath={.status.loadBalancer.ingress}").strip() == ""

    new = az.json("ad", "app", "credential", "reset", "--id", sp["appId"])["password"]
    az.run("aks", "update-credentials", "-g", "rg", "-n", "spc", "--reset-service-principal",
           "--service-principal", sp["appId"], "--client-secret", new)
    advance(cluster, "5m")  # past the back-off: the next retry signs in with the new secret
    wait_on_clock(cluster, "an address", lambda: sp_cluster("get", "svc", "api", "-o",
                                              "jsonpath={.status.loadBalancer.ingress[0].ip}").strip())
