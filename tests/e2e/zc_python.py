"""Run by test_zero_config.py under `aksemu exec`: an unmodified program with
default settings (no endpoint, authority or discovery setting in code).
Creates a group, a user-assigned identity and a cluster with the Python SDKs
and DefaultAzureCredential, waits on the poller, and prints what it saw."""

import json
import os
import sys

from azure.identity import DefaultAzureCredential
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.containerservice import ContainerServiceClient, models
from azure.mgmt.msi import ManagedServiceIdentityClient
from azure.mgmt.resource import ResourceManagementClient

sub = os.environ["AZURE_SUBSCRIPTION_ID"]
group, cluster = sys.argv[1], sys.argv[2]
cred = DefaultAzureCredential()
resources = ResourceManagementClient(cred, sub)
resources.resource_groups.create_or_update(group, {"location": "westus2"})
identity = ManagedServiceIdentityClient(cred, sub).user_assigned_identities.create_or_update(
    group, "py-id", {"location": "westus2"})
aks = ContainerServiceClient(cred, sub)
poller = aks.managed_clusters.begin_create_or_update(group, cluster, models.ManagedCluster(
    location="westus2",
    dns_prefix=cluster,
    identity=models.ManagedClusterIdentity(type="SystemAssigned"),
    agent_pool_profiles=[models.ManagedClusterAgentPoolProfile(
        name="nodepool1", count=1, vm_size="Standard_DS2_v2", mode="System")],
))
created = poller.result()
assignments = AuthorizationManagementClient(cred, sub).role_assignments.list_for_subscription()
print(json.dumps({
    "identity": identity.principal_id,
    "cluster": created.provisioning_state,
    "fqdn": created.fqdn,
    "clusterPrincipal": created.identity.principal_id,
    "assignments": len(list(assignments)),
}))
