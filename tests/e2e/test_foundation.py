"""The foundation walkthrough with the real az CLI: cloud registration, service
principal login, resource groups, and the failures a user meets."""

import os
import time

from conftest import Az


def test_walkthrough(aksemu, az):
    env = aksemu.env
    az.register_cloud()
    accounts = az.login_admin()
    assert accounts[0]["cloudName"] == "aksemu"
    assert accounts[0]["id"] == env["AKSEMU_SUBSCRIPTION_ID"]
    assert accounts[0]["tenantId"] == env["AKSEMU_TENANT_ID"]
    assert accounts[0]["user"] == {"name": env["AKSEMU_CLIENT_ID"], "type": "servicePrincipal"}

    group = az.json("group", "create", "--name", "myResourceGroup", "--location", "westus2")
    assert group["name"] == "myResourceGroup"
    assert group["location"] == "westus2"
    assert group["properties"]["provisioningState"] == "Succeeded"
    assert group["id"] == f"/subscriptions/{env['AKSEMU_SUBSCRIPTION_ID']}/resourceGroups/myResourceGroup"

    shown = az.json("group", "show", "-n", "myresourcegroup")
    assert shown["name"] == "myResourceGroup", "found in another casing, original casing kept"

    table = az.run("group", "list", "-o", "table").stdout
    assert "myResourceGroup" in table and "westus2" in table and "Succeeded" in table
    assert az.run("group", "exists", "-n", "myResourceGroup").stdout.strip() == "true"

    started = time.monotonic()
    az.run("group", "delete", "-n", "myResourceGroup", "--yes")
    assert time.monotonic() - started < 10, "polling honoured Retry-After: 1"
    assert az.run("group", "exists", "-n", "myResourceGroup").stdout.strip() == "false"
    missing = az.run("group", "show", "-n", "myResourceGroup", check=False)
    assert missing.returncode == 3
    assert "ResourceGroupNotFound" in missing.stderr


def test_display_name_location_and_domain_tenant(aksemu, az):
    az.register_cloud()
    az.login_admin(tenant="aksemu.onmicrosoft.com")
    group = az.json("group", "create", "-n", "Display", "-l", "West US 2", "--tags", "team=a")
    assert group["location"] == "westus2"
    assert group["tags"] == {"team": "a"}
    assert az.json("account", "show")["tenantId"] == aksemu.env["AKSEMU_TENANT_ID"]


def test_wrong_secret_fails_with_aadsts7000215(aksemu):
    fresh = Az(aksemu)  # a cold token cache, so the secret is really checked
    fresh.register_cloud()
    e = aksemu.env
    p = fresh.run("login", "--service-principal", "-u", e["AKSEMU_CLIENT_ID"], "-p", "not-the-secret",
                  "--tenant", e["AKSEMU_TENANT_ID"], check=False)
    assert p.returncode == 1
    assert "AADSTS7000215" in p.stderr


def test_arm_cloud_metadata_url(aksemu, az):
    """The list-shaped metadata that ARM_CLOUD_METADATA_URL consumers read."""
    arm = aksemu.env["AKSEMU_ARM_URL"]
    env_extra = {"ARM_CLOUD_METADATA_URL": f"{arm}/metadata/endpoints?api-version=2019-05-01"}
    import subprocess
    p = subprocess.run(["az", "cloud", "show", "-o", "json"], env={**az.env(), **env_extra},
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert '"name": "aksemu"' in p.stdout
    assert f'"resourceManager": "{arm}/"' in p.stdout


def test_the_exported_ca_bundle_keeps_the_systems_roots(aksemu):
    """`aksemu env` points Python, OpenSSL and curl at the system's roots plus
    the local CA, so other HTTPS in that shell keeps working."""
    bundle = open(aksemu.env["REQUESTS_CA_BUNDLE"]).read()
    local = open(aksemu.env["NODE_EXTRA_CA_CERTS"]).read().strip()
    assert local in bundle
    assert aksemu.env["SSL_CERT_FILE"] == aksemu.env["CURL_CA_BUNDLE"] == aksemu.env["REQUESTS_CA_BUNDLE"]
    if os.path.exists("/etc/ssl/certs/ca-certificates.crt"):
        assert bundle.count("BEGIN CERTIFICATE") > 10, "the system's roots are in it"


def test_env_finds_the_nearest_server_from_a_subdirectory(aksemu):
    """`aksemu env` with no --data-dir looks for `.aksemu` upwards, then for
    the server this user started last; with none running it says so in one
    line."""
    import shutil
    import subprocess
    import tempfile
    import time
    root = tempfile.mkdtemp(prefix="aksemu-find-")
    try:
        os.symlink(aksemu.data_dir, os.path.join(root, ".aksemu"))
        deep = os.path.join(root, "a", "b")
        os.makedirs(deep)
        env = {k: v for k, v in os.environ.items() if k != "AKSEMU_DATA_DIR"}
        env["XDG_STATE_HOME"] = os.path.join(root, "state")
        out = subprocess.run([aksemu.bin, "env"], cwd=deep, env=env, capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        assert aksemu.env["AKSEMU_ARM_URL"] in out.stdout
        elsewhere = tempfile.mkdtemp(prefix="aksemu-elsewhere-")

        def env_from_elsewhere():
            return subprocess.run([aksemu.bin, "env"], cwd=elsewhere, env=env, capture_output=True, text=True,
                                  timeout=30)
        lost = env_from_elsewhere()
        assert lost.returncode != 0 and len(lost.stderr.strip().splitlines()) == 1, lost.stderr
        assert "no running aksemu server" in lost.stderr
        # A server started by this user is found from any directory while it runs.
        data = os.path.join(root, "last")
        server = subprocess.Popen([aksemu.bin, "serve", "--listen", "127.0.0.1:0", "--store", "memory",
                                   "--data-dir", data], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 30
            while not os.path.exists(os.path.join(data, "server.json")) and time.time() < deadline:
                time.sleep(0.02)
            found = env_from_elsewhere()
            assert found.returncode == 0, found.stderr
            assert f"{os.path.realpath(data)}/ca.pem" in found.stdout
        finally:
            server.terminate()
            server.wait(10)
        assert env_from_elsewhere().returncode != 0
    finally:
        shutil.rmtree(root, ignore_errors=True)
