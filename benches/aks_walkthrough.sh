#!/usr/bin/env bash
# The seed's walkthrough with the real az CLI, timed: wall time per command, and
# how much of it aksemu spent (the sum of its own request and operation timings,
# logged with RUST_LOG=aksemu::timing=debug). Loopback only; RUNS fresh servers.
#   benches/aks_walkthrough.sh        env: RUNS=5
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-5}
CACHE=${AKSEMU_CACHE_DIR:-$HOME/.cache/aksemu}
VENV=$CACHE/venv-az-2.91.0
[ -x "$VENV/bin/az" ] || { echo "run scripts/test.sh once to install azure-cli 2.91.0 into $VENV" >&2; exit 1; }
cargo build --release --quiet --bin aksemu
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/aksemu
WORK=${TMPDIR:-/tmp}/aksemu-aks-bench
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true' EXIT

now_us() { date +%s%6N; }
# Sum of micros= in log lines after line $2 of $1.
served_us() { tail -n +"$(($2 + 1))" "$1" | sed "s/\x1b\[[0-9;]*m//g" | sed -n 's/.*micros=\([0-9]*\).*/\1/p' | awk '{s+=$1} END{print s+0}'; }

printf '| run | command | wall (ms) | aksemu (ms) | share |\n| --- | --- | --- | --- | --- |\n'
totals=()
for run in $(seq 1 "$RUNS"); do
  rm -rf "$WORK"; mkdir -p "$WORK/home" "$WORK/az"
  RUST_LOG=info,aksemu::timing=debug "$BIN" serve --listen 127.0.0.1:0 --data-dir "$WORK/data" > "$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 150); do [ -f "$WORK/data/server.json" ] && break; sleep 0.05; done
  eval "$("$BIN" env --data-dir "$WORK/data")"
  export AZURE_CONFIG_DIR=$WORK/az HOME=$WORK/home PATH="$VENV/bin:$PATH"
  export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=localhost,127.0.0.1,::1
  stamp=$(date '+%Y-%m-%d %H:%M:%S.000000')
  printf '{"versions": {"azure-cli": {"local": "2.91.0", "pypi": "2.91.0"}, "core": {"local": "2.91.0", "pypi": "2.91.0"}, "telemetry": {"local": "1.1.0", "pypi": "1.1.0"}}, "update_time": "%s", "check_time": "%s"}' "$stamp" "$stamp" > "$AZURE_CONFIG_DIR/versionCheck.json"
  az cloud register -n aksemu --endpoint-resource-manager "$AKSEMU_ARM_URL" -o none 2>/dev/null
  az cloud set -n aksemu -o none 2>/dev/null
  az login --service-principal -u "$AKSEMU_CLIENT_ID" -p "$AKSEMU_CLIENT_SECRET" --tenant "$AKSEMU_TENANT_ID" -o none
  run_wall=0; run_served=0
  while IFS='|' read -r label cmd; do
    mark=$(wc -l < "$WORK/server.log")
    t0=$(now_us); eval "az $cmd -o none" 2>/dev/null; t1=$(now_us)
    sleep 0.2 # let operations that outlive the command log their time
    wall=$(( (t1 - t0) ))
    served=$(served_us "$WORK/server.log" "$mark")
    run_wall=$((run_wall + wall)); run_served=$((run_served + served))
    awk -v r="$run" -v l="$label" -v w="$wall" -v s="$served" 'BEGIN{printf "| %d | %s | %.0f | %.1f | %.2f%% |\n", r, l, w/1000, s/1000, 100*s/w}'
  done <<'CMDS'
az group create|group create --name myResourceGroup --location westus2
az aks create|aks create -g MyResourceGroup -n MyManagedCluster --enable-managed-identity
az aks get-credentials|aks get-credentials --resource-group myResourceGroup --name MyManagedCluster
CMDS
  awk -v r="$run" -v w="$run_wall" -v s="$run_served" 'BEGIN{printf "| %d | **walkthrough** | **%.0f** | **%.1f** | **%.2f%%** |\n", r, w/1000, s/1000, 100*s/w}'
  totals+=("$(awk -v w="$run_wall" -v s="$run_served" 'BEGIN{printf "%.4f", 100*s/w}')")
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
done
printf '\nmedian aksemu share of the walkthrough: %s%%\n' "$(printf '%s\n' "${totals[@]}" | sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
