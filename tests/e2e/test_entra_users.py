"""Users and groups in the directory with the unmodified az, through the
interception proxy: `az ad user/group` commands, `az login -u … -p …` (the
password grant, with Entra's errors), `az ad signed-in-user show`, role
assignments to a group granting its members, and user tokens for the AKS
server application carrying the user's groups."""

import base64
import json
import os
import shlex
import subprocess
import tempfile

import pytest

from conftest import STORES, Aksemu

AKS_SERVER = "6dae42f8-4368-4678-94ff-3960e28e3630"
PASSWORD = "Dev-Passw0rd!"


@pytest.fixture(scope="module", params=STORES)
def server(request):
    s = Aksemu(request.param)
    s.home = tempfile.mkdtemp(prefix="home-", dir=s.tmp)
    yield s
    s.stop()


def base_env(server):
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and not k.startswith(("AZURE_", "AKSEMU_", "REQUESTS_CA", "SSL_CERT"))}
    env["HOME"] = server.home
    return env


def admin(server, *args):
    p = subprocess.run([server.bin, "az", "--data-dir", server.data_dir, *args, "-o", "json"],
                       env=base_env(server), capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout or "null")


def user_env(server, name):
    """`aksemu env --proxy`, with az in a configuration directory of this user's own."""
    out = subprocess.run([server.bin, "env", "--proxy", "--data-dir", server.data_dir],
                         env=base_env(server), capture_output=True, text=True, check=True).stdout
    env = base_env(server)
    for line in out.splitlines():
        if line.startswith("export "):
            k, _, v = line.removeprefix("export ").partition("=")
            env[k] = shlex.split(v)[0]
    for k in ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AKSEMU_CLIENT_SECRET"):
        env.pop(k, None)
    env["AZURE_CONFIG_DIR"] = tempfile.mkdtemp(prefix=f"az-{name}-", dir=server.tmp)
    return env


def az(env, *args, check=True):
    p = subprocess.run(["az", *args], env=env, capture_output=True, text=True, timeout=120)
    if check:
        assert p.returncode == 0, f"az {' '.join(args)}: {p.stderr}"
    return p


def claims(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_users_groups_and_a_users_sign_in(server):
    domain = "aksemu.onmicrosoft.com"
    upn = f"dev@{domain}"
    made = admin(server, "ad", "user", "create", "--display-name", "Dev", "--user-principal-name", upn,
                 "--password", PASSWORD)
    oid = made["id"]
    group = admin(server, "ad", "group", "create", "--display-name", "aks-admins", "--mail-nickname", "aks-admins")
    admin(server, "ad", "group", "member", "add", "-g", "aks-admins", "--member-id", oid)
    members = admin(server, "ad", "group", "member", "list", "-g", "aks-admins")
    assert [m["userPrincipalName"] for m in members] == [upn]
    assert admin(server, "ad", "group", "member", "check", "-g", "aks-admins", "--member-id", oid)["value"] is True
    assert [g["id"] for g in admin(server, "ad", "user", "get-member-groups", "--id", oid)] == [group["id"]]
    rg = admin(server, "group", "create", "-n", "team", "-l", "westus2")["id"]
    admin(server, "role", "assignment", "create", "--assignee-object-id", group["id"],
          "--assignee-principal-type", "Group", "--role", "Contributor", "--scope", rg)

    env = user_env(server, "dev")
    wrong = az(env, "login", "-u", upn, "-p", "nope", check=False)
    assert wrong.returncode != 0 and "AADSTS50126" in wrong.stderr, wrong.stderr
    unknown = az(env, "login", "-u", f"ghost@{domain}", "-p", "x", check=False)
    assert unknown.returncode != 0 and "AADSTS50034" in unknown.stderr, unknown.stderr
    accounts = json.loads(az(env, "login", "-u", upn, "-p", PASSWORD, "-o", "json").stdout)
    assert accounts[0]["user"] == {"name": upn, "type": "user"}
    assert json.loads(az(env, "ad", "signed-in-user", "show", "-o", "json").stdout)["id"] == oid
    # The group's role reaches its member: allowed in the group, denied elsewhere.
    az(env, "identity", "create", "-g", "team", "-n", "by-a-member", "-o", "none")
    denied = az(env, "group", "create", "-n", "elsewhere", "-l", "westus2", check=False)
    assert denied.returncode != 0 and "AuthorizationFailed" in denied.stderr
    token = json.loads(az(env, "account", "get-access-token", "--resource", AKS_SERVER, "-o", "json").stdout)
    c = claims(token["accessToken"])
    assert (c["aud"], c["upn"], c["oid"], c["groups"]) == (AKS_SERVER, upn, oid, [group["id"]])
