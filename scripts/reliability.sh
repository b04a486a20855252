#!/usr/bin/env bash
# The reliability suite in its long form: kill -9 of the server during
# concurrent writes on SQLite and an immediate PostgreSQL stop during writes,
# CYCLES times each (default 100), a soak of SOAK_SECS seconds, then the attack tests (forged tokens, RBAC
# and custom-role games, floods, hostile inputs). Prints each figure; the
# results go in RELIABILITY.md with this command. Loopback only.
#   scripts/reliability.sh          env: CYCLES=100 SOAK_SECS=60
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/aksemu/ci-target}
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
pg_install_if_missing
pg_start
trap pg_stop EXIT
export AKSEMU_RELIABILITY_CYCLES=${CYCLES:-100}
export AKSEMU_SOAK_SECS=${SOAK_SECS:-60}
cargo test --quiet -p aksemu-cli --test it -- --nocapture --test-threads 1 \
  reliability hardening forged_tokens rbac::every_endpoint 2>&1 \
  | grep -E 'RELIABILITY|test result|FAILED|panicked'
