"""The README, followed as a new user would: every ```sh block runs, in order,
in one bash session in a fresh directory (its own HOME), with `aksemu` on PATH.
Build and install lines (`cargo …`, `./scripts/…`, `git …`) are skipped: the
binary is already built. `aksemu serve …` lines (re)start the server in the
background on a fixed free port. A ```python / ```js block whose first line
names a file (`# app.py`, `// app.js`) is written to that file first; the
```rust block is the Rust test program (tests/e2e/rust_client), built by the
test command and on PATH as `my-tool`."""

import os
import re
import socket
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
SKIPPED = ("cargo ", "./scripts/", "git ")
FILE_LINE = re.compile(r"^(?:#|//) ([\w.-]+\.(?:py|js|yaml))\n")

PRELUDE = r"""
set -euo pipefail
restart_server() {
  if [ -f .server.pid ]; then
    kill "$(cat .server.pid)" 2>/dev/null || true
    while kill -0 "$(cat .server.pid)" 2>/dev/null; do sleep 0.05; done
  fi
  aksemu serve "$@" >> server.log 2>&1 &
  echo $! > .server.pid
  for _ in $(seq 1 600); do [ -f .aksemu/server.json ] && return 0; sleep 0.05; done
  cat server.log; return 1
}
trap 'kill "$(cat .server.pid)" 2>/dev/null || true' EXIT
"""


def readme_blocks():
    return BLOCK.findall(open(os.path.join(ROOT, "README.md")).read())


def free_ports(n=3):
    """A port p with p, p+1 and p+2 free (HTTPS, managed identity, proxy)."""
    for _ in range(50):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        p = s.getsockname()[1]
        s.close()
        try:
            socks = []
            for i in range(n):
                t = socket.socket()
                t.bind(("127.0.0.1", p + i))
                socks.append(t)
            for t in socks:
                t.close()
            return p
        except OSError:
            continue
    raise RuntimeError("no free port range")


def script(workdir):
    lines = [PRELUDE]
    for lang, text in readme_blocks():
        named = FILE_LINE.match(text)
        if lang in ("python", "js", "yaml") and named:
            with open(os.path.join(workdir, named.group(1)), "w") as f:
                f.write(text)
        if lang != "sh":
            continue
        for line in text.splitlines():
            if line.startswith(SKIPPED):
                continue
            if line.startswith("aksemu serve"):
                args = line.split("#")[0].split()[2:]
                line = "restart_server " + " ".join(args)
            lines.append(line)
    return "\n".join(lines) + "\n"


def test_the_rust_snippet_is_the_tested_program():
    rust = [text for lang, text in readme_blocks() if lang == "rust"]
    program = open(os.path.join(ROOT, "tests/e2e/rust_client/src/main.rs")).read()
    assert rust == [program]


def test_every_readme_command_runs():
    work = tempfile.mkdtemp(prefix="readme-")
    bindir = os.path.join(work, ".bin")
    os.makedirs(bindir)
    os.symlink(os.environ["AKSEMU_BIN"], os.path.join(bindir, "aksemu"))
    os.symlink(os.environ["AKSEMU_RUST_CLIENT"], os.path.join(bindir, "my-tool"))
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy")
           and not k.startswith(("AZURE_", "AKSEMU_", "IDENTITY_", "MSI_", "REQUESTS_CA", "SSL_CERT",
                                 "NODE_EXTRA", "KUBECONFIG"))}
    env.update({
        "HOME": work,
        "XDG_STATE_HOME": os.path.join(work, ".state"),
        "PATH": f"{bindir}:{env['PATH']}",
        "AKSEMU_LISTEN": f"127.0.0.1:{free_ports()}",
        "NODE_PATH": os.environ["AKSEMU_NODE_MODULES"],
        # az outside `aksemu exec` (the explicit way): a closed proxy keeps it off the internet.
        "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "localhost,127.0.0.1,::1",
    })
    path = os.path.join(work, "readme.sh")
    with open(path, "w") as f:
        f.write(script(work))
    p = subprocess.run(["bash", "-x", path], cwd=work, env=env, capture_output=True, text=True, timeout=900)
    log = open(os.path.join(work, "server.log")).read() if os.path.exists(os.path.join(work, "server.log")) else ""
    assert p.returncode == 0, f"{p.stderr[-6000:]}\n--- server log ---\n{log[-3000:]}"
    # Nothing run through the proxy tried to reach a host aksemu does not serve,
    # except az looking for a newer release from a configuration directory of
    # the reader's own (the README's `.az-dev`; `aksemu exec` seeds its own).
    refused = [line for line in log.splitlines() if "proxy refused" in line
               and 'host="azcliprod.blob.core.windows.net"' not in line]
    assert not refused, refused
