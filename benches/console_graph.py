"""The console's graph page for a large subscription, in Debian's headless
Chromium: 100 clusters, 1,000 identities and 10,000 role assignments seeded
with `aksemu bench seed-console`, then the page loaded RUNS times; beside it,
in the same run, the same page for an empty subscription (the reference).
Prints a Markdown table row set for BENCHMARKS.md. Loopback only; bounded.

    AKSEMU=target/release/aksemu RUNS=5 python benches/console_graph.py
"""

import os
import shutil
import statistics
import subprocess
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

AKSEMU = os.environ.get("AKSEMU", "target/release/aksemu")
RUNS = int(os.environ.get("RUNS", "5"))


def serve(data_dir, seed):
    if seed:
        subprocess.run([AKSEMU, "bench", "seed-console", "--data-dir", data_dir], check=True,
                       stdout=subprocess.DEVNULL)
    log = open(os.path.join(os.path.dirname(data_dir), "serve.log"), "w")
    proc = subprocess.Popen([AKSEMU, "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir],
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while not os.path.exists(os.path.join(data_dir, "server.json")):
        if proc.poll() is not None or time.time() > deadline:
            raise RuntimeError("aksemu did not start")
        time.sleep(0.05)
    link = subprocess.run([AKSEMU, "console", "--data-dir", data_dir], check=True,
                          capture_output=True, text=True).stdout.strip()
    return proc, link


def browser():
    os.environ["SE_OFFLINE"] = "true"
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--no-first-run", "--window-size=1400,1000", "--proxy-server=http://127.0.0.1:9"]:
        opts.add_argument(a)
    opts.accept_insecure_certs = True
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=opts)


TIMING = """
const n = performance.getEntriesByType('navigation')[0];
return {server: n.responseStart - n.requestStart, load: n.loadEventEnd - n.startTime,
        bytes: n.transferSize,
        nodes: document.querySelectorAll('svg .node').length,
        edges: document.querySelectorAll('svg .edge').length};
"""


def measure(driver, base):
    driver.get(base + "/console/")
    # Until the load event has fired and been recorded.
    for _ in range(200):
        t = driver.execute_script(TIMING)
        if t["load"] > 0:
            # The first frame after load: the graph has been laid out and painted.
            t["rendered"] = driver.execute_async_script(
                "const done = arguments[0];"
                "requestAnimationFrame(() => setTimeout(() => done(performance.now()), 0));")
            return t
        time.sleep(0.05)
    raise RuntimeError("the page did not finish loading")


def main():
    tmp = tempfile.mkdtemp(prefix="aksemu-console-bench-")
    driver = browser()
    results = {}
    try:
        for label, seed in [("seeded", True), ("empty", False)]:
            data = os.path.join(tmp, label, "data")
            os.makedirs(os.path.dirname(data))
            proc, link = serve(data, seed)
            try:
                driver.delete_all_cookies()
                driver.get(link)
                base = link.split("/console/")[0]
                measure(driver, base)  # warm-up
                results[label] = [measure(driver, base) for _ in range(RUNS)]
            finally:
                proc.terminate()
                proc.wait(10)
    finally:
        driver.quit()
        shutil.rmtree(tmp, ignore_errors=True)
    med = {k: {m: statistics.median([r[m] or 0 for r in v]) for m in ("server", "load", "rendered")}
           for k, v in results.items()}
    s, e = results["seeded"][0], results["empty"][0]
    print(f"| aksemu | console graph, 100 clusters / 1,000 identities / 10,000 assignments "
          f"({s['nodes']} nodes, {s['edges']} edges drawn, {s['bytes'] // 1024} KiB) | "
          f"rendered {med['seeded']['rendered']:.0f} ms (load event {med['seeded']['load']:.0f} ms), "
          f"server {med['seeded']['server']:.0f} ms (median of {RUNS}) |")
    print(f"| reference | the same page, empty subscription ({e['nodes']} nodes) | "
          f"rendered {med['empty']['rendered']:.0f} ms, server {med['empty']['server']:.0f} ms |")
    print(f"| **budget** | rendered under 2,000 ms | **{2000 / med['seeded']['rendered']:.1f}× headroom** |")


if __name__ == "__main__":
    main()
