"""Managed identities with the real az CLI: create, show, list, delete; a role for
the identity; and a process on a host holding it, logging in with
`az login --identity` and acting with exactly the identity's rights."""

from conftest import Az, host_env


def test_identity_walkthrough(aksemu, az):
    e = aksemu.env
    az.register_cloud()
    az.login_admin()
    rg = az.json("group", "create", "-n", "myResourceGroup", "-l", "westus2")["id"]
    ident = az.json("identity", "create", "-g", "myResourceGroup", "-n", "myIdentity")
    assert ident["tenantId"] == e["AKSEMU_TENANT_ID"]
    assert ident["principalId"] and ident["clientId"] and ident["principalId"] != ident["clientId"]
    assert ident["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities"
    assert az.json("identity", "show", "-g", "MYRESOURCEGROUP", "-n", "myidentity")["id"] == ident["id"]
    assert [i["name"] for i in az.json("identity", "list", "-g", "myResourceGroup")] == ["myIdentity"]
    assert [i["name"] for i in az.json("identity", "list")] == ["myIdentity"]
    sp = az.json("ad", "sp", "show", "--id", ident["clientId"])
    assert sp["servicePrincipalType"] == "ManagedIdentity" and sp["id"] == ident["principalId"]

    az.run("role", "assignment", "create", "--assignee", ident["clientId"], "--role", "Reader", "--scope", rg)

    mi = Az(aksemu, env=host_env(aksemu, ident["clientId"]))
    mi.register_cloud()
    accounts = mi.json("login", "--identity", "--client-id", ident["clientId"])
    assert accounts[0]["user"]["assignedIdentityInfo"] == f"MSIClient-{ident['clientId']}"
    assert [g["name"] for g in mi.json("group", "list")] == ["myResourceGroup"]
    denied = mi.run("group", "create", "-n", "other", "-l", "westus2", check=False)
    assert denied.returncode == 1 and "AuthorizationFailed" in denied.stderr

    # The App Service protocol gives the same identity.
    app = Az(aksemu, env=host_env(aksemu, ident["id"], app_service=True))
    app.register_cloud()
    app.json("login", "--identity", "--client-id", ident["clientId"])
    assert [g["name"] for g in app.json("group", "list")] == ["myResourceGroup"]

    az.run("identity", "delete", "-g", "myResourceGroup", "-n", "myIdentity")
    assert az.run("identity", "show", "-g", "myResourceGroup", "-n", "myIdentity", check=False).returncode == 3
    assert az.run("ad", "sp", "show", "--id", ident["clientId"], check=False).returncode != 0
