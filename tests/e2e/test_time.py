"""The virtual clock with the real az CLI: a service principal's one-year secret
expires when the clock moves 366 days; a reset secret works again."""

import subprocess

from conftest import Az


def test_secret_expires_on_the_cloud_clock(aksemu, az):
    e = aksemu.env
    az.register_cloud()
    az.login_admin()
    sp = az.json("ad", "sp", "create-for-rbac", "-n", "aks-sp")

    def login(password):
        fresh = Az(aksemu)  # a cold token cache: the secret is really presented
        fresh.register_cloud()
        return fresh.run("login", "--service-principal", "-u", sp["appId"], "-p", password,
                         "--tenant", e["AKSEMU_TENANT_ID"], "--allow-no-subscriptions", check=False)

    assert login(sp["password"]).returncode == 0
    out = subprocess.run([aksemu.bin, "clock", "advance", "366d", "--data-dir", aksemu.data_dir],
                         check=True, capture_output=True, text=True).stdout
    assert "offset: 31622400 s" in out
    expired = login(sp["password"])
    assert expired.returncode == 1 and "AADSTS7000222" in expired.stderr
    new = az.json("ad", "app", "credential", "reset", "--id", sp["appId"])["password"]
    assert login(new).returncode == 0


def test_service_principal_cluster_needs_a_renewed_secret(aksemu, az):
    """The issue's sequence: a service-principal cluster stops working when its
    secret expires (operations run as the cluster), a managed-identity cluster
    does not care, and update-credentials brings the first back."""
    az.register_cloud()
    az.login_admin()
    az.run("group", "create", "-n", "rg", "-l", "westus2")
    sp = az.json("ad", "sp", "create-for-rbac", "-n", "aks-sp")
    az.run("aks", "create", "-g", "rg", "-n", "spCluster", "--service-principal", sp["appId"],
           "--client-secret", sp["password"])
    az.run("aks", "create", "-g", "rg", "-n", "miCluster", "--enable-managed-identity")
    subprocess.run([aksemu.bin, "clock", "advance", "366d", "--data-dir", aksemu.data_dir],
                   check=True, capture_output=True)

    failed = az.run("aks", "scale", "-g", "rg", "-n", "spCluster", "--node-count", "5", check=False)
    assert failed.returncode == 1
    assert "The credentials in ServicePrincipalProfile were invalid" in failed.stderr
    assert "AADSTS7000222" in failed.stderr
    kept = az.json("aks", "show", "-g", "rg", "-n", "spCluster")
    assert kept["provisioningState"] == "Failed" and kept["agentPoolProfiles"][0]["count"] == 3

    mi = az.json("aks", "scale", "-g", "rg", "-n", "miCluster", "--node-count", "5")
    assert mi["provisioningState"] == "Succeeded" and mi["agentPoolProfiles"][0]["count"] == 5

    new = az.json("ad", "app", "credential", "reset", "--id", sp["appId"])["password"]
    az.run("aks", "update-credentials", "-g", "rg", "-n", "spCluster", "--reset-service-principal",
           "--service-principal", sp["appId"], "--client-secret", new)
    again = az.json("aks", "scale", "-g", "rg", "-n", "spCluster", "--node-count", "5")
    assert again["provisioningState"] == "Succeeded" and again["agentPoolProfiles"][0]["count"] == 5

    refused = az.run("aks", "update-credentials", "-g", "rg", "-n", "miCluster", "--reset-service-principal",
                     "--service-principal", sp["appId"], "--client-secret", new, check=False)
    assert refused.returncode == 1 and "not allowed on MSI cluster" in refused.stderr
