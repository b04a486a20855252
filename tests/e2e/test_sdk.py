"""The Azure SDK for Python against aksemu: azure-identity's ClientSecretCredential
(instance discovery off) and ManagedIdentityCredential driving azure-mgmt-resource,
azure-mgmt-msi and azure-mgmt-authorization."""

import json
import os
import subprocess
import sys

from conftest import Az, host_env

HERE = os.path.dirname(__file__)


def run(env, step):
    base = {k: v for k, v in os.environ.items()
            if not k.lower().endswith("_proxy") and not k.startswith(("AZURE_", "AKSEMU_", "IDENTITY_", "MSI_"))}
    base.update(env)
    base.update({"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
                 "NO_PROXY": "localhost,127.0.0.1,::1"})
    p = subprocess.run([sys.executable, os.path.join(HERE, "sdk_flow.py"), step], env=base,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip().splitlines()[-1]


def test_sdk_client_secret_and_managed_identity(aksemu):
    ident = json.loads(run(aksemu.env, "admin"))
    assert run(host_env(aksemu, ident["clientId"]), "identity") == "ok"
