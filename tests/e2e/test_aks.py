"""AKS with the real az CLI: the seed's walkthrough verbatim, then what a user
does with the cluster (show, list, the kubelet identity, the node resource
group, role assignments, add-ons, node pools, credentials, a process on a node,
delete); and the flags az sends around identities."""

import base64
import json
import os
import urllib.request

import yaml
from conftest import host_env

CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"


def claims(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_seed_walkthrough(aksemu, az):
    az.register_cloud()
    az.login_admin()
    # The seed, verbatim.
    az.run("group", "create", "--name", "myResourceGroup", "--location", "westus2")
    c = az.json("aks", "create", "-g", "MyResourceGroup", "-n", "MyManagedCluster", "--enable-managed-identity")
    az.run("aks", "get-credentials", "--resource-group", "myResourceGroup", "--name", "MyManagedCluster")

    assert c["provisioningState"] == "Succeeded"
    assert c["servicePrincipalProfile"] == {"clientId": "msi", "secret": None}
    assert c["identity"]["type"] == "SystemAssigned" and c["identity"]["principalId"]
    nrg = "MC_MyResourceGroup_MyManagedCluster_westus2"
    assert c["nodeResourceGroup"] == nrg
    kubelet = c["identityProfile"]["kubeletidentity"]
    assert kubelet["resourceId"].endswith(
        f"/resourceGroups/{nrg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/MyManagedCluster-agentpool")
    assert c["powerState"]["code"] == "Running" and c["fqdn"].endswith(".hcp.westus2.azmk8s.io")

    # The kubeconfig az merged, and a second get-credentials merges the same bytes.
    path = os.path.join(az.home, ".kube", "config")
    first = open(path).read()
    assert az.run("aks", "get-credentials", "-g", "myResourceGroup", "-n", "MyManagedCluster").returncode == 0
    assert open(path).read() == first
    kc = yaml.safe_load(first)
    assert kc["current-context"] == "MyManagedCluster"
    assert kc["users"][0]["name"] == "clusterUser_myResourceGroup_MyManagedCluster"
    assert kc["clusters"][0]["cluster"]["server"].startswith(aksemu.env["AKSEMU_ARM_URL"] + "/aksemu/clusters/")
    ca = base64.b64decode(kc["clusters"][0]["cluster"]["certificate-authority-data"]).decode()
    assert ca == open(aksemu.env["NODE_EXTRA_CA_CERTS"]).read()
    az.run("aks", "get-credentials", "-g", "myResourceGroup", "-n", "MyManagedCluster", "--admin")
    assert "MyManagedCluster-admin" in open(path).read()

    shown = az.json("aks", "show", "-g", "myResourceGroup", "-n", "MyManagedCluster")
    assert shown["id"] == c["id"]
    assert [x["name"] for x in az.json("aks", "list")] == ["MyManagedCluster"]
    assert "MyManagedCluster" in az.run("aks", "list", "-o", "table").stdout
    ident = az.json("identity", "show", "--ids", kubelet["resourceId"])
    assert ident["clientId"] == kubelet["clientId"] and ident["principalId"] == kubelet["objectId"]
    types = {r["type"] for r in az.json("resource", "list", "-g", nrg)}
    assert types == {
        "Microsoft.ManagedIdentity/userAssignedIdentities", "Microsoft.Compute/virtualMachineScaleSets",
        "Microsoft.Network/loadBalancers", "Microsoft.Network/publicIPAddresses",
        "Microsoft.Network/networkSecurityGroups", "Microsoft.Network/virtualNetworks"}
    grants = az.json("role", "assignment", "list", "--assignee", c["identity"]["principalId"], "--all")
    assert [(g["roleDefinitionName"], g["scope"].split("/")[-1]) for g in grants] == [("Contributor", nrg)]

    # Add-ons with identities of their own.
    on = az.json("aks", "enable-addons", "-a", "azure-policy,azure-keyvault-secrets-provider",
                 "-g", "myResourceGroup", "-n", "MyManagedCluster")
    assert on["addonProfiles"]["azurepolicy"]["identity"]["resourceId"].endswith(
        "/userAssignedIdentities/azurepolicy-mymanagedcluster")
    names = {r["name"] for r in az.json("resource", "list", "-g", nrg)}
    assert {"azurepolicy-mymanagedcluster", "azurekeyvaultsecretsprovider-mymanagedcluster"} <= names
    off = az.json("aks", "disable-addons", "-a", "azure-policy", "-g", "myResourceGroup", "-n", "MyManagedCluster")
    assert off["addonProfiles"]["azurepolicy"]["enabled"] is False
    assert "azurepolicy-mymanagedcluster" not in {r["name"] for r in az.json("resource", "list", "-g", nrg)}

    # Node pools.
    az.run("aks", "nodepool", "add", "-g", "myResourceGroup", "--cluster-name", "MyManagedCluster",
           "-n", "pool2", "--node-count", "1")
    pools = az.json("aks", "nodepool", "list", "-g", "myResourceGroup", "--cluster-name", "MyManagedCluster")
    assert sorted(p["name"] for p in pools) == ["nodepool1", "pool2"]
    az.run("aks", "nodepool", "scale", "-g", "myResourceGroup", "--cluster-name", "MyManagedCluster",
           "-n", "pool2", "--node-count", "2")
    scaled = az.json("aks", "nodepool", "show", "-g", "myResourceGroup", "--cluster-name", "MyManagedCluster",
                     "-n", "pool2")
    assert scaled["count"] == 2 and scaled["provisioningState"] == "Succeeded"
    vmss = [r for r in az.json("resource", "list", "-g", nrg)
            if r["type"] == "Microsoft.Compute/virtualMachineScaleSets"]
    assert len(vmss) == 2

    # A process on a node gets the kubelet identity's token from IMDS.
    env = host_env(aksemu, extra=["--node", "MyManagedCluster", "--pool", "pool2"])
    assert env["AZURE_CLIENT_ID"] == kubelet["clientId"]
    url = (env["AZURE_POD_IDENTITY_AUTHORITY_HOST"] + "/metadata/identity/oauth2/token?api-version=2018-02-01"
           "&resource=https://management.azure.com/")
    req = urllib.request.Request(url + "&client_id=" + kubelet["clientId"], headers={"Metadata": "true"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req) as r:
        tok = json.load(r)
    cl = claims(tok["access_token"])
    assert cl["xms_mirid"] == kubelet["resourceId"]
    assert "/virtualMachineScaleSets/aks-pool2-" in cl["xms_az_rid"]

    az.run("aks", "nodepool", "delete", "-g", "myResourceGroup", "--cluster-name", "MyManagedCluster", "-n", "pool2")
    assert [p["name"] for p in az.json("aks", "nodepool", "list", "-g", "myResourceGroup",
                                       "--cluster-name", "MyManagedCluster")] == ["nodepool1"]

    # Upgrades (carried out as the cluster's identity).
    assert "1.33.2" in az.run("aks", "get-upgrades", "-g", "myResourceGroup", "-n", "MyManagedCluster",
                              "-o", "table").stdout
    up = az.json("aks", "upgrade", "-g", "myResourceGroup", "-n", "MyManagedCluster", "-k", "1.33", "--yes")
    assert up["currentKubernetesVersion"] == "1.33.2" and up["provisioningState"] == "Succeeded"

    # Delete: the cluster, its identity and the node resource group go.
    az.run("aks", "delete", "-g", "myResourceGroup", "-n", "MyManagedCluster", "--yes")
    assert az.run("aks", "show", "-g", "myResourceGroup", "-n", "MyManagedCluster", check=False).returncode == 3
    assert az.run("group", "exists", "-n", nrg).stdout.strip() == "false"
    assert az.run("identity", "show", "--ids", kubelet["resourceId"], check=False).returncode == 3
    assert az.json("aks", "list") == []


def test_identity_flags(aksemu, az):
    az.register_cloud()
    az.login_admin()
    az.run("group", "create", "-n", "rg", "-l", "westus2")

    # Bring the control-plane and kubelet identities: az grants Managed Identity
    # Operator on the kubelet identity to the control plane first.
    cp = az.json("identity", "create", "-g", "rg", "-n", "cp")
    kl = az.json("identity", "create", "-g", "rg", "-n", "kl")
    c = az.json("aks", "create", "-g", "rg", "-n", "byo", "--assign-identity", cp["id"],
                "--assign-kubelet-identity", kl["id"])
    assert c["identity"]["type"] == "UserAssigned" and c["identity"]["principalId"] is None
    assert c["identityProfile"]["kubeletidentity"]["objectId"] == kl["principalId"]
    mio = az.json("role", "assignment", "list", "--scope", kl["id"])
    assert [(m["roleDefinitionName"], m["principalId"]) for m in mio] == [("Managed Identity Operator", cp["principalId"])]
    assert az.json("role", "assignment", "list", "--assignee", cp["principalId"], "--all",
                   "--query", "[?roleDefinitionName=='Contributor'].scope")[0].endswith("/MC_rg_byo_westus2")

    # A brought subnet and an attached registry.
    az.run("network", "vnet", "create", "-g", "rg", "-n", "vnet", "--address-prefixes", "10.0.0.0/8",
           "--subnet-name", "sub", "--subnet-prefixes", "10.240.0.0/16")
    subnet = az.run("network", "vnet", "subnet", "show", "-g", "rg", "--vnet-name", "vnet", "-n", "sub",
                    "--query", "id", "-o", "tsv").stdout.strip()
    az.run("acr", "create", "-g", "rg", "-n", "aksemuacr1", "--sku", "Basic")
    acr = az.json("acr", "show", "-n", "aksemuacr1")
    assert acr["loginServer"] == "aksemuacr1.azurecr.io"
    c3 = az.json("aks", "create", "-g", "rg", "-n", "c3", "--vnet-subnet-id", subnet, "--attach-acr", "aksemuacr1")
    assert c3["agentPoolProfiles"][0]["vnetSubnetId"] == subnet
    net = az.json("role", "assignment", "list", "--scope", subnet)
    assert [(n["roleDefinitionName"], n["principalId"]) for n in net] == [
        ("Network Contributor", c3["identity"]["principalId"])]
    pull = az.json("role", "assignment", "list", "--scope", acr["id"])
    assert [(p["roleDefinitionName"], p["principalId"]) for p in pull] == [
        ("AcrPull", c3["identityProfile"]["kubeletidentity"]["objectId"])]
    assert "Microsoft.Network/virtualNetworks" not in {r["type"] for r in az.json("resource", "list", "-g", "MC_rg_c3_westus2")}

    # A service-principal cluster: the secret is checked, never returned, and
    # managed identity cannot be turned on later.
    sp = az.json("ad", "sp", "create-for-rbac", "-n", "aks-sp")
    bad = az.run("aks", "create", "-g", "rg", "-n", "spc", "--service-principal", sp["appId"],
                 "--client-secret", "wrong", check=False)
    assert bad.returncode == 1 and "AADSTS7000215" in bad.stderr
    spc = az.json("aks", "create", "-g", "rg", "-n", "spc", "--service-principal", sp["appId"],
                  "--client-secret", sp["password"])
    assert spc["servicePrincipalProfile"] == {"clientId": sp["appId"], "secret": None}
    assert spc["identity"] is None and spc["identityProfile"] is None
    refused = az.run("aks", "update", "-g", "rg", "-n", "spc", "--enable-managed-identity", "--yes", check=False)
    assert refused.returncode == 1 and "BadRequest" in refused.stderr
    assert sp["password"] not in az.run("aks", "show", "-g", "rg", "-n", "spc").stdout
