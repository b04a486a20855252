"""RBAC with the real az CLI: built-in role definitions, a service principal
created with a role on one group, the assignments az lists, and what that
principal may and may not do."""

import json

from conftest import Az


def test_create_for_rbac_and_enforcement(aksemu, az):
    az.register_cloud()
    az.login_admin()
    acr_pull = az.json("role", "definition", "list", "--name", "AcrPull")
    assert [r["name"] for r in acr_pull] == ["7f951dda-4ed3-4680-a7ca-43fe172d538d"]
    assert acr_pull[0]["roleType"] == "BuiltInRole"

    rg = az.json("group", "create", "-n", "myResourceGroup", "-l", "westus2")["id"]
    bot = az.json("ad", "sp", "create-for-rbac", "-n", "ci-bot", "--role", "Contributor", "--scopes", rg)
    assert bot["displayName"] == "ci-bot" and bot["password"]

    listed = az.json("role", "assignment", "list", "--all")
    mine = [a for a in listed if a["principalName"] == bot["appId"]]
    assert [(a["roleDefinitionName"], a["scope"]) for a in mine] == [("Contributor", rg)]
    table = az.run("role", "assignment", "list", "--all", "-o", "table").stdout
    assert "Owner" in table and "Contributor" in table

    first = az.json("role", "assignment", "create", "--assignee", bot["appId"],
                    "--role", "Network Contributor", "--scope", rg)
    again = az.json("role", "assignment", "create", "--assignee", bot["appId"],
                    "--role", "Network Contributor", "--scope", rg)
    assert first["id"] == again["id"], "a duplicate create returns the existing assignment"

    ci = Az(aksemu)
    ci.register_cloud()
    e = aksemu.env
    ci.json("login", "--service-principal", "-u", bot["appId"], "-p", bot["password"], "--tenant", e["AKSEMU_TENANT_ID"])
    assert [g["name"] for g in ci.json("group", "list")] == ["myResourceGroup"]
    assert ci.json("group", "update", "-n", "myResourceGroup", "--tags", "owner=ci")["tags"] == {"owner": "ci"}
    denied = ci.run("group", "create", "-n", "other", "-l", "westus2", check=False)
    assert denied.returncode == 1
    assert "AuthorizationFailed" in denied.stderr
    assert "Microsoft.Resources/subscriptions/resourceGroups/write" in denied.stderr
    # Contributor does not include role assignment writes.
    nope = ci.run("role", "assignment", "create", "--assignee", bot["appId"], "--role", "Owner",
                  "--scope", rg, check=False)
    assert nope.returncode == 1 and "AuthorizationFailed" in nope.stderr

    az.run("role", "assignment", "delete", "--assignee", bot["appId"], "--role", "Contributor", "--scope", rg)
    remaining = az.json("role", "assignment", "list", "--assignee", bot["appId"], "--all")
    assert [a["roleDefinitionName"] for a in remaining] == ["Network Contributor"]
