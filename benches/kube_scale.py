"""Scale of the workload plane (issue 12), a benchmark, not a test: one cluster
with NODES nodes (one pool), DEPLOYMENTS Deployments of REPLICAS pods each,
created through the API; prints the time until every pod is Running, the
writes per second that took, the server's RSS and `kubectl get pods -A` time.

    NODES=50 DEPLOYMENTS=20 REPLICAS=100 AKSEMU_BIN=… AKSEMU_KUBECTL=… \
        <venv>/bin/python benches/kube_scale.py

Loopback only; bounded by the counts and a deadline (DEADLINE seconds)."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))

from kube import Cluster  # noqa: E402

NODES = int(os.environ.get("NODES", "50"))
DEPLOYMENTS = int(os.environ.get("DEPLOYMENTS", "20"))
REPLICAS = int(os.environ.get("REPLICAS", "100"))
DEADLINE = int(os.environ.get("DEADLINE", "600"))


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def mark(cluster, name):
    """The store's revision now: that of a ConfigMap written now."""
    made = cluster.out("create", "configmap", name, "-n", "scale", "-o", "json")
    return int(json.loads(made)["metadata"]["resourceVersion"])


def running(cluster):
    items = json.loads(cluster.out("get", "pods", "-n", "scale", "-o", "json", timeout=120))["items"]
    return sum(p["status"].get("phase") == "Running" for p in items)


def main():
    started = time.time()
    c = Cluster("sqlite", nodes=NODES)
    try:
        made = time.time()
        c.out("create", "namespace", "scale")
        rev0 = mark(c, "before")
        t0 = time.time()
        for i in range(DEPLOYMENTS):
            c.out("create", "deployment", f"d{i}", "-n", "scale", "--image=nginx:1.27", f"--replicas={REPLICAS}")
        want = DEPLOYMENTS * REPLICAS
        while (n := running(c)) < want and time.time() - t0 < DEADLINE:
            time.sleep(2)
        elapsed = time.time() - t0
        rev1 = mark(c, "after")
        g0 = time.time()
        c.out("get", "pods", "-A", timeout=300)
        listed = time.time() - g0
        pid = c.server.proc.pid
        print(f"| cluster with {NODES} nodes created (az aks create) | {made - started:.1f} s |")
        print(f"| {want} pods by {DEPLOYMENTS} Deployments: Running | {n} of {want} in {elapsed:.1f} s |")
        print(f"| writes (store revisions) during the roll-out | {rev1 - rev0} ({(rev1 - rev0) / elapsed:.0f}/s) |")
        print(f"| server RSS after | {rss_mb(pid)} MB |")
        print(f"| `kubectl get pods -A` | {listed:.1f} s |")
    finally:
        c.stop()


if __name__ == "__main__":
    main()
