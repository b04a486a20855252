"""Microsoft Entra integration and Azure RBAC for Kubernetes authorization,
with the unmodified az and kubectl, and aksemu's kubelogin-compatible plugin
on PATH: an Entra user signs in with az and reaches the cluster through the
exec kubeconfig AKS writes; Azure role assignments at a namespace decide (after
their propagation delay), with AKS's denial text; admin-group members are
cluster-admin; a service principal and a managed identity sign in with
`convert-kubeconfig -l spn` / `-l msi`; local accounts can be switched off."""

import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile

import pytest

from conftest import STORES, Aksemu

PASSWORD = "Dev-Passw0rd!"
DENIED = "User does not have access to the resource in Azure. Update role assignment to allow access."


@pytest.fixture(scope="module", params=STORES)
def server(request):
    s = Aksemu(request.param, extra_args=("--rbac-propagation", "5m"))
    s.home = tempfile.mkdtemp(prefix="home-", dir=s.tmp)
    s.bin_dir = os.path.join(s.tmp, "bin")
    subprocess.run([s.bin, "kubelogin", "link", s.bin_dir], check=True, capture_output=True)
    os.symlink(os.environ["AKSEMU_KUBECTL"], os.path.join(s.bin_dir, "kubectl"))
    yield s
    s.stop()


def base_env(server):
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and not k.startswith(("AZURE_", "AKSEMU_", "REQUESTS_CA", "SSL_CERT", "KUBECONFIG"))}
    env["HOME"] = server.home
    env["PATH"] = f"{server.bin_dir}:{env['PATH']}"
    return env


def admin(server, *args, check=True):
    p = subprocess.run([server.bin, "az", "--data-dir", server.data_dir, *args, "-o", "json"],
                       env=base_env(server), capture_output=True, text=True, timeout=120)
    if check:
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout or "null")
    return p


def proxied_env(server, name, kubeconfig, run_as=()):
    out = subprocess.run([server.bin, "env", "--proxy", "--data-dir", server.data_dir, *run_as],
                         env=base_env(server), capture_output=True, text=True, check=True).stdout
    env = base_env(server)
    for line in out.splitlines():
        if line.startswith("unset "):
            for k in line.split()[1:]:
                env.pop(k, None)
        elif line.startswith("export "):
            k, _, v = line.removeprefix("export ").partition("=")
            env[k] = shlex.split(v)[0]
    if not run_as:
        for k in ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AKSEMU_CLIENT_SECRET"):
            env.pop(k, None)
    env["AZURE_CONFIG_DIR"] = tempfile.mkdtemp(prefix=f"az-{name}-", dir=server.tmp)
    env["KUBECONFIG"] = kubeconfig
    return env


def run(env, *args, check=True):
    p = subprocess.run(list(args), env=env, capture_output=True, text=True, timeout=120)
    if check:
        assert p.returncode == 0, f"{' '.join(args)}: {p.stdout}{p.stderr}"
    return p


def advance(server, duration):
    subprocess.run([server.bin, "clock", "advance", duration, "--data-dir", server.data_dir],
                   env=base_env(server), check=True, capture_output=True)


def user_kubeconfig(server, name):
    path = os.path.join(server.tmp, f"{name}.kubeconfig")
    admin(server, "aks", "get-credentials", "-g", "rg", "-n", "c1", "--file", path)
    text = open(path).read()
    assert "command: kubelogin" in text and "6dae42f8-4368-4678-94ff-3960e28e3630" in text, text
    return path


def test_an_entra_user_under_azure_rbac_for_kubernetes(server):
    upn = "dev@aksemu.onmicrosoft.com"
    oid = admin(server, "ad", "user", "create", "--display-name", "Dev", "--user-principal-name", upn,
                "--password", PASSWORD)["id"]
    admins = admin(server, "ad", "group", "create", "--display-name", "aks-admins", "--mail-nickname", "aks-admins")
    boss = admin(server, "ad", "user", "create", "--display-name", "Boss", "--user-principal-name",
                 "boss@aksemu.onmicrosoft.com", "--password", PASSWORD)["id"]
    admin(server, "ad", "group", "member", "add", "-g", "aks-admins", "--member-id", boss)
    admin(server, "group", "create", "-n", "rg", "-l", "westus2")
    cluster = admin(server, "aks", "create", "-g", "rg", "-n", "c1", "--node-count", "1", "--enable-aad",
                    "--enable-azure-rbac", "--disable-local-accounts", "--aad-admin-group-object-ids", admins["id"])
    aad = cluster["aadProfile"]
    assert (aad["managed"], aad["enableAzureRbac"], aad["adminGroupObjectIDs"]) == (True, True, [admins["id"]])
    refused = admin(server, "aks", "get-credentials", "-g", "rg", "-n", "c1", "--admin", "--file",
                    os.path.join(server.tmp, "admin.kubeconfig"), check=False)
    assert refused.returncode != 0 and "local accounts" in refused.stderr

    env = proxied_env(server, "dev", user_kubeconfig(server, "dev"))
    run(env, "az", "login", "-u", upn, "-p", PASSWORD, "--allow-no-subscriptions", "-o", "none")
    run(env, "kubelogin", "convert-kubeconfig", "-l", "azurecli")
    assert "- azurecli" in open(env["KUBECONFIG"]).read()
    denied = run(env, "kubectl", "get", "pods", check=False)
    assert denied.returncode != 0 and DENIED in denied.stderr, denied.stderr
    assert re.search(r'User "dev@aksemu.onmicrosoft.com" cannot list resource "pods" in API group "" in the namespace "default"',
                     denied.stderr), denied.stderr
    can = run(env, "kubectl", "auth", "can-i", "list", "pods", check=False)
    assert can.stdout.strip() == f"no - {DENIED}", can.stdout

    admin(server, "role", "assignment", "create", "--assignee-object-id", oid, "--assignee-principal-type", "User",
          "--role", "Azure Kubernetes Service RBAC Writer", "--scope", f"{cluster['id']}/namespaces/default")
    # Propagation: nothing yet; after five minutes of cloud time, the namespace only.
    assert run(env, "kubectl", "auth", "can-i", "create", "deployments", check=False).stdout.startswith("no")
    advance(server, "6m")
    run(env, "kubectl", "create", "deployment", "web", "--image=nginx:1.27")
    elsewhere = run(env, "kubectl", "create", "deployment", "web", "-n", "kube-system", "--image=nginx:1.27", check=False)
    assert elsewhere.returncode != 0 and DENIED in elsewhere.stderr
    assert run(env, "kubectl", "auth", "can-i", "list", "secrets").stdout.strip() == "yes"
    assert run(env, "kubectl", "auth", "can-i", "list", "nodes", check=False).stdout.startswith("no")

    # A member of an admin group is cluster-admin, whatever Azure RBAC says.
    boss_env = proxied_env(server, "boss", user_kubeconfig(server, "boss"))
    run(boss_env, "az", "login", "-u", "boss@aksemu.onmicrosoft.com", "-p", PASSWORD, "--allow-no-subscriptions",
        "-o", "none")
    run(boss_env, "kubelogin", "convert-kubeconfig", "-l", "azurecli")
    whoami = run(boss_env, "kubectl", "auth", "whoami", "-o", "json").stdout
    assert "system:masters" in json.loads(whoami)["status"]["userInfo"]["groups"]
    assert run(boss_env, "kubectl", "get", "nodes", "-o", "name").stdout.startswith("node/")
    # Kubernetes RBAC still counts for Entra principals: a RoleBinding naming the UPN.
    run(boss_env, "kubectl", "create", "rolebinding", "dev-view", "-n", "kube-system", "--clusterrole=view",
        f"--user={upn}")
    run(env, "kubectl", "get", "pods", "-n", "kube-system")


def test_local_accounts_switched_off_stop_the_admin_token(server):
    admin(server, "aks", "create", "-g", "rg", "-n", "c2", "--node-count", "1", "--enable-aad")
    path = os.path.join(server.tmp, "c2-admin.kubeconfig")
    admin(server, "aks", "get-credentials", "-g", "rg", "-n", "c2", "--admin", "--file", path)
    env = proxied_env(server, "c2", path)
    run(env, "kubectl", "get", "namespaces")
    admin(server, "aks", "update", "-g", "rg", "-n", "c2", "--disable-local-accounts", "--enable-azure-rbac")
    refused = run(env, "kubectl", "get", "namespaces", check=False)
    assert refused.returncode != 0 and "Unauthorized" in refused.stderr, refused.stderr


def test_a_service_principal_and_a_managed_identity_sign_in(server):
    cluster_id = admin(server, "aks", "show", "-g", "rg", "-n", "c1")["id"]
    sp = admin(server, "ad", "sp", "create-for-rbac", "-n", "ci-bot")
    sp_oid = admin(server, "ad", "sp", "show", "--id", sp["appId"])["id"]
    ident = admin(server, "identity", "create", "-g", "rg", "-n", "ops")
    for principal, kind in ((sp_oid, "ServicePrincipal"), (ident["principalId"], "ServicePrincipal")):
        admin(server, "role", "assignment", "create", "--assignee-object-id", principal, "--assignee-principal-type",
              kind, "--role", "Azure Kubernetes Service RBAC Reader", "--scope", cluster_id)
    advance(server, "6m")

    env = proxied_env(server, "spn", user_kubeconfig(server, "spn"))
    run(env, "kubelogin", "convert-kubeconfig", "-l", "spn", "--client-id", sp["appId"])
    env.update({"AZURE_CLIENT_ID": sp["appId"], "AZURE_CLIENT_SECRET": sp["password"], "AZURE_TENANT_ID": sp["tenant"]})
    who = json.loads(run(env, "kubectl", "auth", "whoami", "-o", "json").stdout)["status"]["userInfo"]
    assert who["username"] == sp_oid
    run(env, "kubectl", "get", "pods", "-A")

    kc = user_kubeconfig(server, "msi")
    msi = proxied_env(server, "msi", kc, run_as=("--identity", ident["clientId"]))
    run(msi, "kubelogin", "convert-kubeconfig", "-l", "msi", "--client-id", ident["clientId"])
    who = json.loads(run(msi, "kubectl", "auth", "whoami", "-o", "json").stdout)["status"]["userInfo"]
    assert who["username"] == ident["principalId"]
    refused = run(msi, "kubectl", "delete", "deployment", "web", check=False)
    assert refused.returncode != 0 and DENIED in refused.stderr
