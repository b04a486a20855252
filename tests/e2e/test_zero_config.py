"""Zero-configuration clients: unmodified programs with default settings
reach aksemu through `aksemu exec` (the interception proxy answers Azure's
public names; az runs on AzureCloud in its own config dir, signed in as the
administrator): az with the seed walkthrough and the monitoring add-on,
kubectl through the API server's public name, Python and Node SDKs with
DefaultAzureCredential, managed identities through 169.254.169.254, and the
proxy refusing every other host without opening a connection."""

import base64
import json
import os
import re
import socket
import subprocess
import tempfile
import threading

import pytest

from conftest import STORES, Aksemu


@pytest.fixture(scope="module", params=STORES)
def server(request):
    s = Aksemu(request.param)
    s.home = tempfile.mkdtemp(prefix="home-", dir=s.tmp)
    yield s
    s.stop()


def clean_env(server, extra=None):
    """This machine's environment without anything Azure or proxy: what a
    new shell has. `aksemu exec` adds the rest."""
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy")
           and not k.startswith(("AZURE_", "AKSEMU_", "IDENTITY_", "MSI_", "REQUESTS_CA", "SSL_CERT", "NODE_EXTRA"))}
    env["HOME"] = server.home
    env.update(extra or {})
    return env


def run(server, *cmd, run_as=(), extra=None, check=True, timeout=180):
    args = [server.bin, "exec", "--data-dir", server.data_dir, *run_as, "--", *cmd]
    p = subprocess.run(args, env=clean_env(server, extra), capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def az(server, *args):
    return json.loads(run(server, "az", *args, "-o", "json").stdout or "null")


def claims(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_az_on_azurecloud_runs_the_walkthrough_and_kubectl_uses_the_public_name(server):
    account = az(server, "account", "show")
    assert account["environmentName"] == "AzureCloud"
    assert account["user"]["name"] == server.env["AKSEMU_CLIENT_ID"]
    az(server, "group", "create", "-n", "rg", "-l", "westus2")
    kubelet = az(server, "identity", "create", "-g", "rg", "-n", "kubelet-id")
    control = az(server, "identity", "create", "-g", "rg", "-n", "control-id")
    cluster = az(server, "aks", "create", "-g", "rg", "-n", "c1", "--node-count", "1",
                 "--enable-managed-identity", "--assign-identity", control["id"],
                 "--assign-kubelet-identity", kubelet["id"], "--generate-ssh-keys")
    assert cluster["identityProfile"]["kubeletidentity"]["clientId"] == kubelet["clientId"]
    assert re.fullmatch(r"c1-rg-[0-9a-f]{6}-[0-9a-f]{8}\.hcp\.westus2\.azmk8s\.io", cluster["fqdn"]), cluster["fqdn"]
    # The control-plane identity may read the group: a role assignment through az.
    az(server, "role", "assignment", "create", "--assignee-object-id", control["principalId"],
       "--assignee-principal-type", "ServicePrincipal", "--role", "Reader", "--scope",
       cluster["id"].split("/providers/")[0])
    kubeconfig = os.path.join(server.tmp, "kubeconfig")
    run(server, "az", "aks", "get-credentials", "-g", "rg", "-n", "c1", "--file", kubeconfig)
    assert f"server: https://{cluster['fqdn']}:443" in open(kubeconfig).read()
    nodes = run(server, os.environ["AKSEMU_KUBECTL"], "--kubeconfig", kubeconfig, "get", "nodes", "-o", "name").stdout
    assert nodes.strip().startswith("node/aks-nodepool1-"), nodes
    # Without --file, the kubeconfig goes to the data dir (KUBECONFIG under exec), not ~/.kube/config.
    run(server, "az", "aks", "get-credentials", "-g", "rg", "-n", "c1")
    assert not os.path.exists(os.path.join(server.home, ".kube", "config"))
    assert run(server, os.environ["AKSEMU_KUBECTL"], "get", "nodes", "-o", "name").stdout == nodes
    # Graph under its public name, and MSAL's instance discovery.
    sp = az(server, "ad", "sp", "show", "--id", server.env["AKSEMU_CLIENT_ID"])
    assert sp["appId"] == server.env["AKSEMU_CLIENT_ID"]
    discovery = json.loads(run(server, "curl", "-sS", "https://login.microsoftonline.com/common/discovery/instance"
                               "?api-version=1.1&authorization_endpoint=https://login.microsoftonline.com/"
                               f"{server.env['AKSEMU_TENANT_ID']}/oauth2/v2.0/authorize").stdout)
    assert discovery["tenant_discovery_endpoint"] == (
        f"https://login.microsoftonline.com/{server.env['AKSEMU_TENANT_ID']}/v2.0/.well-known/openid-configuration")
    # A registry's own token endpoints answer under its public name.
    az(server, "acr", "create", "-g", "rg", "-n", "zcregistry1", "--sku", "Basic")
    exposed = az(server, "acr", "login", "-n", "zcregistry1", "--expose-token")
    assert exposed["loginServer"] == "zcregistry1.azurecr.io"
    assert claims(exposed["accessToken"])["aud"] == "zcregistry1.azurecr.io"


def test_the_monitoring_addon_creates_its_workspace_rule_association_and_identity(server):
    az(server, "group", "create", "-n", "mon", "-l", "westus2")
    c = az(server, "aks", "create", "-g", "mon", "-n", "m1", "--node-count", "1",
           "--enable-addons", "monitoring", "--generate-ssh-keys")
    sub = server.env["AKSEMU_SUBSCRIPTION_ID"]
    oms = c["addonProfiles"]["omsagent"]
    workspace = f"/subscriptions/{sub}/resourceGroups/DefaultResourceGroup-WUS2/providers/" \
                f"Microsoft.OperationalInsights/workspaces/DefaultWorkspace-{sub}-WUS2"
    assert oms["enabled"] and oms["config"]["useAADAuth"] == "true"
    assert oms["config"]["logAnalyticsWorkspaceResourceID"].lower() == workspace.lower()
    assert f"/resourceGroups/{c['nodeResourceGroup']}/".lower() in oms["identity"]["resourceId"].lower()
    assert az(server, "identity", "show", "--ids", oms["identity"]["resourceId"])["name"] == "omsagent-m1"
    ws = az(server, "resource", "show", "--ids", workspace, "--api-version", "2015-11-01-preview")
    assert re.fullmatch(r"[0-9a-f-]{36}", ws["properties"]["customerId"])
    rule = f"/subscriptions/{sub}/resourceGroups/mon/providers/Microsoft.Insights/dataCollectionRules/MSCI-westus2-m1"
    association = f"{c['id']}/providers/Microsoft.Insights/dataCollectionRuleAssociations/ContainerInsightsExtension"
    url = "https://management.azure.com{}?api-version=2022-06-01"
    assert az(server, "rest", "--url", url.format(rule))["kind"] == "Linux"
    assert az(server, "rest", "--url", url.format(association))["properties"]["dataCollectionRuleId"].lower() == rule.lower()
    run(server, "az", "aks", "disable-addons", "-g", "mon", "-n", "m1", "-a", "monitoring", "-o", "none")
    gone = run(server, "az", "rest", "--url", url.format(association), check=False)
    assert gone.returncode != 0 and "ResourceNotFound" in gone.stderr, gone.stderr
    run(server, "az", "aks", "enable-addons", "-g", "mon", "-n", "m1", "-a", "monitoring", "-o", "none")
    assert az(server, "rest", "--url", url.format(association))["name"] == "ContainerInsightsExtension"


def test_python_sdks_with_default_credential_create_a_cluster(server):
    here = os.path.dirname(__file__)
    p = run(server, "python", os.path.join(here, "zc_python.py"), "pyrg", "pyc")
    out = json.loads(p.stdout.strip().splitlines()[-1])
    assert out["cluster"] == "Succeeded" and out["fqdn"].endswith(".hcp.westus2.azmk8s.io")
    assert out["identity"] and out["clusterPrincipal"] and out["assignments"] >= 1


def test_managed_identity_through_the_metadata_address(server):
    ident = az(server, "identity", "create", "-g", "rg", "-n", "app-id")
    code = ("from azure.identity import ManagedIdentityCredential, DefaultAzureCredential\n"
            "import os\n"
            "print(ManagedIdentityCredential(client_id=os.environ['AZURE_CLIENT_ID'])"
            ".get_token('https://management.azure.com/.default').token)\n"
            "print(DefaultAzureCredential().get_token('https://management.azure.com/.default').token)\n")
    p = run(server, "python", "-c", code, run_as=("--identity", ident["clientId"]))
    for token in p.stdout.split():
        assert claims(token)["oid"] == ident["principalId"]
    # Without a host, the metadata address answers as a VM with no identity does.
    bare = run(server, "curl", "-sS", "-H", "Metadata: true",
               "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
               "&resource=https://management.azure.com/")
    assert json.loads(bare.stdout)["error"] == "invalid_request"


def test_node_sdks_with_default_credential_and_managed_identity(server):
    here = os.path.dirname(__file__)
    extra = {"NODE_PATH": os.environ["AKSEMU_NODE_MODULES"]}
    script = os.path.join(here, "zc_node.js")
    listed = json.loads(run(server, "node", script, extra=extra).stdout)
    assert "c1" in listed["clusters"]
    ident = az(server, "identity", "show", "-g", "rg", "-n", "kubelet-id")
    mi = json.loads(run(server, "node", script, run_as=("--node", "c1"),
                        extra={**extra, "ZC_MANAGED_IDENTITY": "1"}).stdout)
    assert mi["oid"] == ident["principalId"]


class Decoy:
    """A loopback listener standing for "the internet": it counts connections."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.2", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


def test_the_proxy_refuses_other_hosts_and_opens_no_connection(server):
    decoy = Decoy()
    proxy = json.load(open(os.path.join(server.data_dir, "server.json")))["proxyUrl"]
    targets = [f"http://127.0.0.2:{decoy.port}/", f"https://127.0.0.2:{decoy.port}/",
               "https://pypi.org/simple/", "http://example.com/"]
    for url in targets:
        p = subprocess.run(["curl", "-sS", "-o", "/dev/stderr", "-w", "%{http_code} %{http_connect}",
                            "--proxy", proxy, "--noproxy", "", url],
                           capture_output=True, text=True, timeout=30)
        assert p.stdout.split()[0] in ("403", "000") and "403" in p.stdout, (url, p.stdout, p.stderr)
    plain = subprocess.run(["curl", "-sS", "--proxy", proxy, "--noproxy", "", "http://example.com/"],
                           capture_output=True, text=True, timeout=30)
    assert "example.com is not an Azure endpoint" in plain.stdout and "NO_PROXY" in plain.stdout
    assert decoy.connections == 0
    decoy.sock.close()


def test_a_prebuilt_rust_program_signs_in_through_imds_and_with_a_secret(server):
    program = os.environ["AKSEMU_RUST_CLIENT"]
    secret = claims(run(server, program, "secret").stdout.strip())
    assert secret["appid"] == server.env["AKSEMU_CLIENT_ID"]
    kubelet = az(server, "identity", "show", "-g", "rg", "-n", "kubelet-id")
    node = claims(run(server, program, "mi", run_as=("--node", "c1")).stdout.strip())
    assert node["oid"] == kubelet["principalId"]


def test_exec_returns_the_commands_exit_code_and_reports_a_missing_server(server):
    assert run(server, "sh", "-c", "exit 7", check=False).returncode == 7
    missing = subprocess.run([server.bin, "exec", "--data-dir", os.path.join(server.tmp, "none"), "--", "true"],
                             capture_output=True, text=True, timeout=30)
    assert missing.returncode != 0
    assert missing.stderr.startswith("error: no running aksemu server") and missing.stderr.count("\n") == 1
    unknown = subprocess.run([server.bin, "env", "--data-dir", server.data_dir, "--identity", "no-such-identity"],
                             capture_output=True, text=True, timeout=30)
    assert unknown.returncode != 0 and "no-such-identity" in unknown.stderr, unknown.stderr
    assert unknown.stderr.count("\n") == 1
