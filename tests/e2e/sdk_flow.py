"""Run by test_sdk.py in a subprocess: Python azure-identity and azure-mgmt-*
against aksemu. Step `admin` (ClientSecretCredential) prints the identity's
clientId; step `identity` runs as that identity (ManagedIdentityCredential)."""

import json
import os
import sys
import uuid

from azure.core.exceptions import HttpResponseError
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.msi import ManagedServiceIdentityClient
from azure.mgmt.resource import ResourceManagementClient

ARM = os.environ["AKSEMU_ARM_URL"]
SUB = os.environ["AKSEMU_SUBSCRIPTION_ID"]
SCOPES = ["https://management.core.windows.net//.default"]


def clients(credential, *kinds):
    return [k(credential, SUB, base_url=ARM, credential_scopes=SCOPES) for k in kinds]


def admin():
    from azure.identity import ClientSecretCredential

    cred = ClientSecretCredential(os.environ["AKSEMU_TENANT_ID"], os.environ["AKSEMU_CLIENT_ID"],
                                  os.environ["AKSEMU_CLIENT_SECRET"], authority=ARM,
                                  disable_instance_discovery=True)
    rm, msi, auth = clients(cred, ResourceManagementClient, ManagedServiceIdentityClient, AuthorizationManagementClient)
    rg = rm.resource_groups.create_or_update("sdk-rg", {"location": "westus2"})
    ident = msi.user_assigned_identities.create_or_update("sdk-rg", "sdk-id", {"location": "westus2"})
    assert [i.name for i in msi.user_assigned_identities.list_by_resource_group("sdk-rg")] == ["sdk-id"]
    reader = list(auth.role_definitions.list(rg.id, filter="roleName eq 'Reader'"))
    assert len(reader) == 1
    auth.role_assignments.create(rg.id, str(uuid.uuid4()), {"properties": {
        "roleDefinitionId": reader[0].id, "principalId": ident.principal_id, "principalType": "ServicePrincipal"}})
    mine = [a for a in auth.role_assignments.list_for_scope(rg.id, filter="atScope()") if a.principal_id == ident.principal_id]
    assert len(mine) == 1
    print(json.dumps({"clientId": ident.client_id, "id": ident.id}))


def identity():
    from azure.identity import ManagedIdentityCredential

    cred = ManagedIdentityCredential(client_id=os.environ["AZURE_CLIENT_ID"])
    (rm,) = clients(cred, ResourceManagementClient)
    assert [g.name for g in rm.resource_groups.list()] == ["sdk-rg"]
    try:
        rm.resource_groups.create_or_update("not-mine", {"location": "westus2"})
        raise AssertionError("the identity has no write access")
    except HttpResponseError as e:
        assert e.error.code == "AuthorizationFailed", e.error.code
    token = cred.get_token("https://management.azure.com/.default")
    assert token.token.count(".") == 2 and token.expires_on > 0
    print("ok")


{"admin": admin, "identity": identity}[sys.argv[1]]()
