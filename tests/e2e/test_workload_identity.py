"""Workload identity end to end, with the real az CLI, kubectl and Python
azure-identity: a cluster's OIDC issuer, a federated credential on a
user-assigned identity, a service-account token exchanged at the token
endpoint, and each of Entra's refusals."""

import base64
import json
import os
import subprocess
import time

import pytest
import requests

from conftest import STORES, Az
from kube import Cluster

AUDIENCE = "api://AzureADTokenExchange"


@pytest.fixture(scope="module", params=STORES)
def cluster(request):
    c = Cluster(request.param, nodes=1, extra_args=())
    yield c
    c.stop()


def enable(cluster):
    cluster.az.run("aks", "update", "-g", "rg", "-n", "c1", "--enable-oidc-issuer", "--enable-workload-identity")
    shown = cluster.az.json("aks", "show", "-g", "rg", "-n", "c1")
    assert shown["securityProfile"]["workloadIdentity"]["enabled"] is True
    return shown["oidcIssuerProfile"]["issuerUrl"]


def token_for(cluster, sa, ns="demo", audience=AUDIENCE, duration=None):
    args = ["create", "token", sa, "-n", ns, "--audience", audience]
    if duration:
        args += ["--duration", duration]
    return cluster.out(*args).strip()


def exchange(cluster, client_id, assertion):
    env = cluster.server.env
    return requests.post(f"{env['AKSEMU_ARM_URL']}/{env['AKSEMU_TENANT_ID']}/oauth2/v2.0/token",
                         verify=env["REQUESTS_CA_BUNDLE"], timeout=10,
                         data={"grant_type": "client_credentials", "client_id": client_id,
                               "scope": "https://management.azure.com/.default",
                               "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                               "client_assertion": assertion})


def code(r):
    return r.json().get("error_codes", [None])[0]


def test_a_service_account_token_becomes_an_identitys_access_token(cluster):
    az = cluster.az
    issuer = enable(cluster)
    assert issuer.startswith("https://westus2.oic.prod-aks.azure.com/") and issuer.endswith("/"), issuer
    env = cluster.server.env
    path = issuer.removeprefix("https://westus2.oic.prod-aks.azure.com/")
    base = f"{env['AKSEMU_ARM_URL']}/aksemu/oidc/westus2/{path}"
    disco = requests.get(base + ".well-known/openid-configuration", verify=env["REQUESTS_CA_BUNDLE"], timeout=10)
    assert disco.status_code == 200 and disco.json()["issuer"] == issuer, disco.text
    assert disco.json()["jwks_uri"] == issuer + "openid/v1/jwks"
    jwks = requests.get(base + "openid/v1/jwks", verify=env["REQUESTS_CA_BUNDLE"], timeout=10).json()
    assert jwks["keys"] and jwks["keys"][0]["alg"] == "RS256"

    ident = az.json("identity", "create", "-g", "rg", "-n", "app-id")
    az.run("identity", "federated-credential", "create", "-g", "rg", "--identity-name", "app-id", "-n", "fic1",
           "--issuer", issuer, "--subject", "system:serviceaccount:demo:app", "--audiences", AUDIENCE)
    cluster.kubectl("create", "namespace", "demo")
    cluster.kubectl("create", "sa", "app", "-n", "demo")
    sa_token = token_for(cluster, "app")
    claims = json.loads(base64.urlsafe_b64decode(sa_token.split(".")[1] + "=="))
    assert claims["iss"] == issuer and claims["sub"] == "system:serviceaccount:demo:app"

    r = exchange(cluster, ident["clientId"], sa_token)
    assert r.status_code == 200, r.text
    access = r.json()["access_token"]
    at = json.loads(base64.urlsafe_b64decode(access.split(".")[1] + "=="))
    assert at["oid"] == ident["principalId"] and at["xms_mirid"].lower() == ident["id"].lower()

    # The SDK, as a pod would run it (instance discovery off).
    token_file = os.path.join(cluster.server.tmp, "sa-token")
    with open(token_file, "w") as f:
        f.write(sa_token)
    script = ("from azure.identity import WorkloadIdentityCredential as C;"
              "print(C(disable_instance_discovery=True).get_token('https://management.azure.com/.default').token)")
    penv = {**os.environ, "AZURE_CLIENT_ID": ident["clientId"], "AZURE_TENANT_ID": env["AKSEMU_TENANT_ID"],
            "AZURE_FEDERATED_TOKEN_FILE": token_file, "AZURE_AUTHORITY_HOST": env["AKSEMU_ARM_URL"] + "/",
            "REQUESTS_CA_BUNDLE": env["REQUESTS_CA_BUNDLE"]}
    py = os.path.join(os.path.dirname(os.path.realpath(subprocess.run(["which", "az"], capture_output=True,
                                                                        text=True).stdout.strip())), "python")
    out = subprocess.run([py, "-c", script], env=penv, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    sdk_token = out.stdout.strip()
    node_env = {**penv, "NODE_PATH": os.environ["AKSEMU_NODE_MODULES"], "NODE_EXTRA_CA_CERTS": env["NODE_EXTRA_CA_CERTS"]}
    js = subprocess.run(["node", os.path.join(os.path.dirname(os.path.abspath(__file__)), "wi_token.js")],
                        env=node_env, capture_output=True, text=True, timeout=60)
    assert js.returncode == 0, js.stderr
    js_claims = json.loads(base64.urlsafe_b64decode(js.stdout.strip().split(".")[1] + "=="))
    assert js_claims["oid"] == ident["principalId"]

    # What the identity may do: read its group once granted, nothing else.
    group = az.json("group", "show", "-n", "rg")["id"]
    sub = group.split("/resourceGroups/")[0]
    az.run("role", "assignment", "create", "--assignee-object-id", ident["principalId"],
           "--assignee-principal-type", "ServicePrincipal", "--role", "Reader", "--scope", group)
    arm = lambda p: requests.get(f"{env['AKSEMU_ARM_URL']}{p}?api-version=2024-11-01",  # noqa: E731
                                 headers={"Authorization": f"Bearer {sdk_token}"},
                                 verify=env["REQUESTS_CA_BUNDLE"], timeout=10)
    assert arm(group).status_code == 200
    assert arm(f"{sub}/resourcegroups").json()["value"][0]["name"] == "rg"
    denied = requests.put(f"{env['AKSEMU_ARM_URL']}{sub}/resourceGroups/not-mine?api-version=2024-11-01",
                          json={"location": "westus2"}, headers={"Authorization": f"Bearer {sdk_token}"},
                          verify=env["REQUESTS_CA_BUNDLE"], timeout=10)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "AuthorizationFailed", denied.text
    assert denied.json()["error"]["additionalInfo"], "the denial explains itself"

    # az signs in with the federated token as well.
    fresh = Az(cluster.server)
    fresh.register_cloud()
    login = fresh.run("login", "--service-principal", "-u", ident["clientId"], "--federated-token", sa_token,
                      "--tenant", env["AKSEMU_TENANT_ID"], "--allow-no-subscriptions", check=False)
    assert login.returncode == 0, login.stderr
    assert fresh.json("group", "show", "-n", "rg")["name"] == "rg"


POD = """
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: demo
  labels: {{azure.workload.identity/use: "true"}}
  annotations: {annotations}
spec:
  serviceAccountName: app
  containers:
  - {{name: app, image: myapp:1}}
  - {{name: sidecar, image: envoy:1}}
"""


def test_the_webhook_injects_what_azure_workload_identity_does(cluster):
    ident = cluster.az.json("identity", "show", "-g", "rg", "-n", "app-id")
    cluster.kubectl("annotate", "sa", "app", "-n", "demo", f"azure.workload.identity/client-id={ident['clientId']}")
    cluster.kubectl("apply", "-f", "-", stdin=POD.format(
        name="app", annotations='{azure.workload.identity/skip-containers: sidecar}'))
    pod = json.loads(cluster.out("get", "pod", "app", "-n", "demo", "-o", "json"))
    app, sidecar = pod["spec"]["containers"]
    env = {e["name"]: e["value"] for e in app["env"]}
    assert env == {"AZURE_CLIENT_ID": ident["clientId"], "AZURE_TENANT_ID": cluster.server.env["AKSEMU_TENANT_ID"],
                   "AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/azure/tokens/azure-identity-token",
                   "AZURE_AUTHORITY_HOST": "https://login.microsoftonline.com/"}, env
    assert {"name": "azure-identity-token", "mountPath": "/var/run/secrets/azure/tokens",
            "readOnly": True} in app["volumeMounts"]
    assert "env" not in sidecar or not sidecar["env"]
    volume = [v for v in pod["spec"]["volumes"] if v["name"] == "azure-identity-token"][0]
    assert volume["projected"]["sources"][0]["serviceAccountToken"] == {
        "path": "azure-identity-token", "expirationSeconds": 3600, "audience": "api://AzureADTokenExchange"}
    # This shell as the pod: its environment, and a token file the server renews.
    out = subprocess.run([cluster.server.bin, "env", "--pod", "demo/app", "--data-dir", cluster.server.data_dir],
                         check=True, capture_output=True, text=True).stdout
    shell = {}
    for line in out.splitlines():
        if line.startswith("export "):
            k, _, v = line.removeprefix("export ").partition("=")
            shell[k] = v.strip("'")
    assert shell["AZURE_CLIENT_ID"] == ident["clientId"]
    assert shell["AZURE_AUTHORITY_HOST"] == cluster.server.env["AKSEMU_ARM_URL"] + "/"
    token_file = shell["AZURE_FEDERATED_TOKEN_FILE"]
    first = open(token_file).read()
    claims = json.loads(base64.urlsafe_b64decode(first.split(".")[1] + "=="))
    assert claims["kubernetes.io"]["pod"]["name"] == "app" and claims["aud"] == ["api://AzureADTokenExchange"]
    script = ("from azure.identity import WorkloadIdentityCredential as C;"
              "print(C(disable_instance_discovery=True).get_token('https://management.azure.com/.default').token)")
    penv = {k: v for k, v in os.environ.items() if not k.startswith("AZURE_")}
    penv.update(shell)
    py = os.path.join(os.path.dirname(os.path.realpath(subprocess.run(["which", "az"], capture_output=True,
                                                                        text=True).stdout.strip())), "python")
    sdk = subprocess.run([py, "-c", script], env=penv, capture_output=True, text=True, timeout=60)
    assert sdk.returncode == 0, sdk.stderr
    subprocess.run([cluster.server.bin, "clock", "advance", "50m", "--data-dir", cluster.server.data_dir],
                   check=True, capture_output=True)
    deadline = time.time() + 15
    while open(token_file).read() == first:
        assert time.time() < deadline, "the token file was not renewed"
        time.sleep(0.3)

    cluster.kubectl("apply", "-f", "-", stdin=POD.format(
        name="proxied", annotations='{azure.workload.identity/inject-proxy-sidecar: "true"}'))
    proxied = json.loads(cluster.out("get", "pod", "proxied", "-n", "demo", "-o", "json"))["spec"]
    assert proxied["initContainers"][0]["name"] == "azwi-proxy-init"
    assert proxied["containers"][-1]["name"] == "azwi-proxy"
    assert proxied["containers"][-1]["args"][0] == "--proxy-port=8000"

    bad = cluster.kubectl("apply", "-f", "-", check=False, stdin=POD.format(
        name="short", annotations='{azure.workload.identity/service-account-token-expiration: "100"}'))
    assert bad.returncode != 0 and "token expiration 100 not valid" in bad.stderr, bad.stderr


def test_each_mismatch_is_entras_error(cluster):
    az = cluster.az
    issuer = az.json("aks", "show", "-g", "rg", "-n", "c1")["oidcIssuerProfile"]["issuerUrl"]
    ident = az.json("identity", "show", "-g", "rg", "-n", "app-id")
    cluster.kubectl("create", "sa", "other", "-n", "demo")
    cluster.kubectl("create", "sa", "cased", "-n", "demo")
    az.run("identity", "federated-credential", "create", "-g", "rg", "--identity-name", "app-id", "-n", "fic-case",
           "--issuer", issuer, "--subject", "system:serviceaccount:demo:Cased", "--audiences", AUDIENCE)
    cid = ident["clientId"]
    assert code(exchange(cluster, cid, token_for(cluster, "other"))) == 700213
    assert code(exchange(cluster, cid, token_for(cluster, "cased"))) == 7002138
    assert code(exchange(cluster, cid, token_for(cluster, "app", audience="api://other"))) == 700212
    # A credential naming the issuer without its trailing slash matches nothing.
    az.run("identity", "federated-credential", "create", "-g", "rg", "--identity-name", "app-id", "-n", "fic2",
           "--issuer", issuer.rstrip("/"), "--subject", "system:serviceaccount:demo:other", "--audiences", AUDIENCE)
    assert code(exchange(cluster, cid, token_for(cluster, "other"))) == 700213
    # A token that has expired on the cloud clock.
    stale = token_for(cluster, "app")
    assert exchange(cluster, cid, stale).status_code == 200
    subprocess.run([cluster.server.bin, "clock", "advance", "2h", "--data-dir", cluster.server.data_dir],
                   check=True, capture_output=True)
    assert code(exchange(cluster, cid, stale)) == 700024
    # A token of another cluster's issuer: no credential names that issuer.
    az.run("aks", "create", "-g", "rg", "-n", "c2", "--node-count", "1", "--enable-oidc-issuer")
    other_kc = os.path.join(cluster.server.tmp, "c2.kubeconfig")
    az.run("aks", "get-credentials", "-g", "rg", "-n", "c2", "-f", other_kc)
    other = cluster.out("create", "token", "default", "--audience", AUDIENCE,
                        env={**cluster.env(), "KUBECONFIG": other_kc}).strip()
    assert code(exchange(cluster, cid, other)) == 700211
    # Deleted credentials stop matching; what is left names the issuer without
    # its trailing slash (the most common mistake): no credential has this issuer.
    for name in ("fic1", "fic-case"):
        az.run("identity", "federated-credential", "delete", "-g", "rg", "--identity-name", "app-id", "-n", name,
               "--yes")
    assert code(exchange(cluster, cid, token_for(cluster, "app"))) == 700211
    bad = exchange(cluster, cid, "not.a.jwt")
    assert bad.status_code in (400, 401) and code(bad) == 50027


def test_rotated_keys_keep_old_tokens_valid_for_a_day(cluster):
    az = cluster.az
    issuer = az.json("aks", "show", "-g", "rg", "-n", "c1")["oidcIssuerProfile"]["issuerUrl"]
    ident = az.json("identity", "show", "-g", "rg", "-n", "app-id")
    az.run("identity", "federated-credential", "create", "-g", "rg", "--identity-name", "app-id", "-n", "fic-rot",
           "--issuer", issuer, "--subject", "system:serviceaccount:demo:app", "--audiences", AUDIENCE)
    old = token_for(cluster, "app", duration="72h")
    az.run("aks", "oidc-issuer", "rotate-signing-keys", "-g", "rg", "-n", "c1", "--yes")
    env = cluster.server.env
    path = issuer.removeprefix("https://westus2.oic.prod-aks.azure.com/")
    jwks = requests.get(f"{env['AKSEMU_ARM_URL']}/aksemu/oidc/westus2/{path}openid/v1/jwks",
                        verify=env["REQUESTS_CA_BUNDLE"], timeout=10).json()
    assert len(jwks["keys"]) == 2, jwks
    new = token_for(cluster, "app", duration="72h")
    assert json.loads(base64.urlsafe_b64decode(new.split(".")[0] + "=="))["kid"] != \
        json.loads(base64.urlsafe_b64decode(old.split(".")[0] + "=="))["kid"]
    assert exchange(cluster, ident["clientId"], old).status_code == 200
    assert exchange(cluster, ident["clientId"], new).status_code == 200
    subprocess.run([cluster.server.bin, "clock", "advance", "25h", "--data-dir", cluster.server.data_dir],
                   check=True, capture_output=True)
    assert code(exchange(cluster, ident["clientId"], old)) == 7000272
    assert exchange(cluster, ident["clientId"], new).status_code == 200


def test_an_app_registration_federates_too(cluster):
    az = cluster.az
    issuer = az.json("aks", "show", "-g", "rg", "-n", "c1")["oidcIssuerProfile"]["issuerUrl"]
    app = az.json("ad", "app", "create", "--display-name", "wi-app")
    sp = az.json("ad", "sp", "create", "--id", app["appId"])
    params = json.dumps({"name": "cluster-app", "issuer": issuer, "subject": "system:serviceaccount:demo:app",
                         "audiences": [AUDIENCE], "description": "the demo app"})
    made = az.json("ad", "app", "federated-credential", "create", "--id", app["appId"], "--parameters", params)
    assert made["name"] == "cluster-app" and made["issuer"] == issuer
    listed = az.json("ad", "app", "federated-credential", "list", "--id", app["appId"])
    assert [c["name"] for c in listed] == ["cluster-app"]
    dup = az.run("ad", "app", "federated-credential", "create", "--id", app["appId"], "--parameters",
                 params.replace("cluster-app", "again"), check=False)
    assert dup.returncode != 0, "the same issuer and subject twice is refused"
    r = exchange(cluster, app["appId"], token_for(cluster, "app"))
    assert r.status_code == 200, r.text
    claims = json.loads(base64.urlsafe_b64decode(r.json()["access_token"].split(".")[1] + "=="))
    assert claims["oid"] == sp["id"] and claims["appid"] == app["appId"]
    az.run("ad", "app", "federated-credential", "delete", "--id", app["appId"], "--federated-credential-id",
           "cluster-app")
    assert code(exchange(cluster, app["appId"], token_for(cluster, "app"))) == 700211
