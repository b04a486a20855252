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
