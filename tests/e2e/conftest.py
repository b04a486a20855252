"""Fixtures for the end-to-end suite: the real aksemu binary on an ephemeral
loopback port, and the unmodified az CLI pointed at it.

Network guard: every az process gets HTTP(S)_PROXY set to a closed loopback port
and NO_PROXY for loopback names, so a request to any other host fails at once on
this machine instead of leaving it."""

import datetime
import json
import os
import shlex
import shutil
import subprocess
import tempfile
import time
import uuid

import pytest

AZ_VERSION = "2.91.0"
STORES = ["sqlite", "postgres"]


def _postgres_url():
    url = os.environ.get("AKSEMU_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("AKSEMU_REQUIRE_POSTGRES"):
            pytest.fail("AKSEMU_REQUIRE_POSTGRES is set but AKSEMU_TEST_POSTGRES_URL is not")
        pytest.skip("no PostgreSQL (AKSEMU_TEST_POSTGRES_URL unset)")
    schema = "e2e_" + uuid.uuid4().hex
    subprocess.run(["psql", "-q", url, "-c", f"CREATE SCHEMA {schema}"], check=True)
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


class Aksemu:
    def __init__(self, store, extra_args=()):
        self.bin = os.environ["AKSEMU_BIN"]
        self.tmp = tempfile.mkdtemp(prefix="aksemu-e2e-")
        self.data_dir = os.path.join(self.tmp, "data")
        self.store = store
        args = [self.bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", self.data_dir, *extra_args]
        if store == "postgres":
            args += ["--store", _postgres_url()]
        self.log = open(os.path.join(self.tmp, "server.log"), "w")
        # The server remembers itself for `aksemu env` in a per-user state dir: keep it here.
        env = dict(os.environ, XDG_STATE_HOME=os.path.join(self.tmp, "state"))
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        info = os.path.join(self.data_dir, "server.json")
        deadline = time.time() + 30
        while not os.path.exists(info):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("aksemu did not start: " + open(self.log.name).read())
            time.sleep(0.02)
        out = subprocess.run([self.bin, "env", "--data-dir", self.data_dir],
                             check=True, capture_output=True, text=True).stdout
        self.env = {}
        for line in out.splitlines():
            if not line.startswith("export "):
                continue
            key, _, value = line.removeprefix("export ").partition("=")
            self.env[key] = shlex.split(value)[0]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def host_env(server, *identities, app_service=False, extra=()):
    """The environment `aksemu env --identity …` (or `extra` arguments such as
    `--node <cluster>`) gives a process on a host."""
    args = [server.bin, "env", "--data-dir", server.data_dir, *extra]
    for i in identities:
        args += ["--identity", i]
    if app_service:
        args.append("--app-service")
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    env = dict(server.env)
    for line in out.splitlines():
        if line.startswith("unset "):
            for k in line.split()[1:]:
                env.pop(k, None)
        elif line.startswith("export "):
            key, _, value = line.removeprefix("export ").partition("=")
            env[key] = shlex.split(value)[0]
    return env


class Az:
    """One az configuration directory (profile, token cache, clouds)."""

    def __init__(self, server, env=None):
        self.server = server
        self.server_env = env if env is not None else server.env
        self.config_dir = tempfile.mkdtemp(prefix="az-", dir=server.tmp)
        # az writes kubeconfigs (and reads ssh keys) under $HOME: keep it here.
        self.home = tempfile.mkdtemp(prefix="home-", dir=server.tmp)
        # A fresh config dir would try to fetch the latest az version; pre-seed
        # the cache az reads so it makes no such attempt.
        now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")
        versions = {k: {"local": v, "pypi": v} for k, v in
                    {"azure-cli": AZ_VERSION, "core": AZ_VERSION, "telemetry": "1.1.0"}.items()}
        with open(os.path.join(self.config_dir, "versionCheck.json"), "w") as f:
            json.dump({"versions": versions, "update_time": now, "check_time": now}, f)

    def env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.lower().endswith("_proxy") and not k.startswith(("AZURE_", "AKSEMU_", "IDENTITY_", "MSI_"))}
        env.update(self.server_env)
        env.update({
            "AZURE_CONFIG_DIR": self.config_dir,
            "HOME": self.home,
            "HTTP_PROXY": "http://127.0.0.1:9",
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "localhost,127.0.0.1,::1",
        })
        return env

    def run(self, *args, check=True):
        p = subprocess.run(["az", *args], env=self.env(), capture_output=True, text=True, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"az {' '.join(args)} exited {p.returncode}\n{p.stderr}")
        return p

    def json(self, *args):
        return json.loads(self.run(*args, "-o", "json").stdout)

    def register_cloud(self):
        e = self.server.env
        self.run("cloud", "register", "-n", "aksemu", "--endpoint-resource-manager", e["AKSEMU_ARM_URL"])
        self.run("cloud", "set", "-n", "aksemu")

    def login_admin(self, tenant=None):
        e = self.server.env
        return self.json("login", "--service-principal", "-u", e["AKSEMU_CLIENT_ID"],
                         "-p", e["AKSEMU_CLIENT_SECRET"], "--tenant", tenant or e["AKSEMU_TENANT_ID"])


@pytest.fixture(params=STORES)
def aksemu(request):
    server = Aksemu(request.param)
    yield server
    server.stop()


@pytest.fixture
def az(aksemu):
    return Az(aksemu)
