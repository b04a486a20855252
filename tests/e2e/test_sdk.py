"""The Azure SDKs against aksemu: Python azure-identity's ClientSecretCredential
(instance discovery off) and ManagedIdentityCredential driving azure-mgmt-resource,
azure-mgmt-msi and azure-mgmt-authorization; and Node's @azure/identity
ManagedIdentityCredential on the same host."""

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
    on_host = host_env(aksemu, ident["clientId"])
    assert run(on_host, "identity") == "ok"

    # The same from Node: @azure/identity's ManagedIdentityCredential, unmodified.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "AKSEMU_", "IDENTITY_", "MSI_"))}
    env.update(on_host)
    env["NODE_PATH"] = os.environ["AKSEMU_NODE_MODULES"]
    p = subprocess.run(["node", os.path.join(HERE, "mi_token.js")], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout.strip().splitlines()[-1]) == {"status": 200, "groups": ["sdk-rg"]}
