"""A cluster made with the real az and driven with the real kubectl: the
helpers the Kubernetes end-to-end tests share."""

import base64
import os
import shutil
import subprocess
import tempfile

from conftest import Aksemu, Az

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFESTS = os.path.join(HERE, "manifests")
KUBECTL_131 = "/usr/lib/google-cloud-sdk/bin/kubectl.1.31"


def kubectl_137():
    found = os.environ.get("AKSEMU_KUBECTL") or shutil.which("kubectl")
    return found


class Cluster:
    """One aksemu server with one AKS cluster and its kubeconfig."""

    def __init__(self, store, nodes=3, extra_args=()):
        self.server = Aksemu(store, extra_args)
        self.az = Az(self.server)
        self.az.register_cloud()
        self.az.login_admin()
        self.az.run("group", "create", "-n", "rg", "-l", "westus2")
        self.created = self.az.json("aks", "create", "-g", "rg", "-n", "c1", "--enable-managed-identity",
                                    "--node-count", str(nodes))
        self.az.run("aks", "get-credentials", "-g", "rg", "-n", "c1")
        self.kubeconfig = os.path.join(self.az.home, ".kube", "config")

    def env(self, cache=None):
        env = self.az.env()
        env["KUBECONFIG"] = self.kubeconfig
        env["KUBECACHEDIR"] = cache or os.path.join(self.az.home, ".kube", "cache")
        return env

    def kubectl(self, *args, binary=None, check=True, stdin=None, env=None, timeout=60):
        binary = binary or kubectl_137()
        p = subprocess.run([binary, *args], env=env or self.env(), capture_output=True, text=True,
                           input=stdin, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
        return p

    def out(self, *args, **kw):
        return self.kubectl(*args, **kw).stdout

    def kubeconfig_for(self, action):
        """A kubeconfig from one of the list*Credential actions, written to a file."""
        cid = self.created["id"]
        r = self.az.json("rest", "--method", "post", "--url",
                         f"{cid}/{action}?api-version=2024-05-01")
        path = tempfile.mktemp(prefix="kubeconfig-", dir=self.server.tmp)
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["kubeconfigs"][0]["value"]))
        return path

    def stop(self):
        self.server.stop()


def rows(table_text):
    """The data rows of a kubectl table (header dropped), split on whitespace."""
    lines = [line.split() for line in table_text.strip().splitlines()]
    return lines[1:]
