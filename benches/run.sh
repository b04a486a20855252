#!/usr/bin/env bash
# Benchmarks aksemu against its references, side by side in one run (see BENCHMARKS.md).
#   benches/run.sh [rg-get|rg-put|token|rg-get-100k|imds|kube|decision-feed|all]   env: RUNS=3 DUR=10 CONNS=64
#   decision-feed: RG GET with the console's decision feed open vs closed, ≥ 5 interleaved pairs
#   kube: PODS=10000 WATCHES=1000 (a cluster made through ARM, measured with `aksemu bench kube`)
# References come from ../shared/bench-peers (copied to a scratch dir): the bare axum
# HTTPS ceiling, moto's IAM CreateRole, oidc-provider's client_credentials.
# All traffic is loopback; every load is bounded by wrk's -d and timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WHAT=${1:-all}
RUNS=${RUNS:-3}; DUR=${DUR:-10}; CONNS=${CONNS:-64}
WORK=${TMPDIR:-/tmp}/aksemu-bench
PEERS=$WORK/peers
CACHE=${AKSEMU_CACHE_DIR:-$HOME/.cache/aksemu}
BENCH_VENV=$CACHE/bench-venv
LOGS=$WORK/logs; mkdir -p "$LOGS"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

log() { echo "== $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { local i; for i in $(seq 1 150); do (echo > /dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.2; done; echo "port $1 not up" >&2; return 1; }
# Waits (at most 60 s) until no compiler runs and the CPU is mostly idle, so runs are comparable.
wait_quiet() {
  local i a b
  for i in $(seq 1 30); do
    a=$(awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat); sleep 1
    b=$(awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
    busy=$(awk -v a="$a" -v b="$b" 'BEGIN{split(a,x," ");split(b,y," ");t=y[2]-x[2];printf "%d",(t>0?100*(y[1]-x[1])/t:0)}')
    ps -eo comm= | grep -qxE 'rustc|cc1|cargo|ld' || [ "$busy" -ge 25 ] || return 0
  done
}
# rps LOG wrk-args… → requests/s of 2xx responses
rps() {
  local log=$1; shift
  timeout $((DUR + 30)) wrk "$@" > "$log" 2>&1 || true
  awk '/Non-2xx/{bad=$5} /requests in/{r=$1; d=$4; sub("s,","",d); sub("s","",d)} END{if (d>0) printf "%.0f", (r-bad)/d; else print 0}' "$log"
}
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
p99() { awk '/^ +99%/{v=$2; if (v ~ /us$/) {sub("us","",v); v=v/1000} else if (v ~ /ms$/) sub("ms","",v); else if (v ~ /s$/) {sub("s","",v); v=v*1000}; print v}' "$1"; }

prepare() {
  command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
  [ -d "$PEERS" ] || { cp -r "$ROOT/../shared/bench-peers" "$PEERS"; chmod -R u+w "$PEERS"; }
  log "building aksemu (release)"
  cargo build --release --quiet --bin aksemu
  AKSEMU="${CARGO_TARGET_DIR:-$ROOT/target}/release/aksemu"
}

start_aksemu() {  # start_aksemu [assignments to seed]
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; PIDS=()
  DATA=$WORK/data-$$; rm -rf "$DATA"
  if [ -n "${1:-}" ]; then "$AKSEMU" bench seed-rbac --data-dir "$DATA" --assignments "$1" >&2; fi
  "$AKSEMU" serve --listen 127.0.0.1:0 --data-dir "$DATA" > "$LOGS/aksemu.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 150); do [ -f "$DATA/server.json" ] && break; sleep 0.1; done
  eval "$("$AKSEMU" env --data-dir "$DATA")"
  APORT=${AKSEMU_ARM_URL##*:}
  export AKSEMU_BENCH_CLIENT_ID=$AKSEMU_CLIENT_ID AKSEMU_BENCH_CLIENT_SECRET=$AKSEMU_CLIENT_SECRET
  AKSEMU_BENCH_TOKEN=$(curl -sf --cacert "$DATA/ca.pem" "https://localhost:$APORT/$AKSEMU_TENANT_ID/oauth2/v2.0/token" \
    -d grant_type=client_credentials -d "client_id=$AKSEMU_CLIENT_ID" --data-urlencode "client_secret=$AKSEMU_CLIENT_SECRET" \
    --data-urlencode 'scope=https://management.core.windows.net//.default' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  export AKSEMU_BENCH_TOKEN
}

ceiling_port() {
  log "building the HTTPS ceiling (bench-peers/http-ceiling)"
  (cd "$PEERS" && CARGO_TARGET_DIR=$WORK/target cargo build --release --quiet -p http-ceiling)
  CPORT=$(free_port)
  "$WORK/target/release/http-ceiling" --https "127.0.0.1:$CPORT" --workers 2 > "$LOGS/ceiling.log" 2>&1 &
  PIDS+=($!); wait_port "$CPORT"
}

bench_rg_get() {  # bench_rg_get [label]
  ceiling_port; local cport=$CPORT
  local url="https://127.0.0.1:$APORT/subscriptions/$AKSEMU_SUBSCRIPTION_ID/resourceGroups/bench?api-version=2024-11-01"
  curl -sf --cacert "$DATA/ca.pem" -X PUT -H "Authorization: Bearer $AKSEMU_BENCH_TOKEN" -H 'Content-Type: application/json' \
    -d '{"location":"westus2"}' "https://localhost:$APORT/subscriptions/$AKSEMU_SUBSCRIPTION_ID/resourceGroups/bench?api-version=2024-11-01" > /dev/null
  local ours theirs
  ours=$(curl -sf --cacert "$DATA/ca.pem" -H "Authorization: Bearer $AKSEMU_BENCH_TOKEN" "${url/127.0.0.1/localhost}" | wc -c)
  theirs=$(curl -sfk "https://127.0.0.1:$cport/arm" | wc -c)
  timeout 20 wrk -t2 -c"$CONNS" -d2s -H "Authorization: Bearer $AKSEMU_BENCH_TOKEN" "$url" > /dev/null 2>&1 || true
  timeout 20 wrk -t2 -c"$CONNS" -d2s "https://127.0.0.1:$cport/arm" > /dev/null 2>&1 || true
  local a=() c=() r
  for r in $(seq 1 "$RUNS"); do
    wait_quiet; c+=("$(rps "$LOGS/ceiling-$r.log" -t2 -c"$CONNS" -d"${DUR}s" --latency "https://127.0.0.1:$cport/arm")")
    wait_quiet; a+=("$(rps "$LOGS/rg-get-$r.log" -t2 -c"$CONNS" -d"${DUR}s" --latency -H "Authorization: Bearer $AKSEMU_BENCH_TOKEN" "$url")")
  done
  report "authenticated RG GET${1:-} (HTTPS, keep-alive, wrk -t2 -c$CONNS -d${DUR}s; body $ours B)" "${a[*]}" \
    "bare axum HTTPS ceiling GET /arm (body $theirs B)" "${c[*]}" "$LOGS/rg-get-1.log" "$LOGS/ceiling-1.log" 0.5
}

bench_decision_feed() {  # authenticated RG GET with the console's live decision feed open vs closed
  local url="https://127.0.0.1:$APORT/subscriptions/$AKSEMU_SUBSCRIPTION_ID/resourceGroups/bench?api-version=2024-11-01"
  curl -sf --cacert "$DATA/ca.pem" -X PUT -H "Authorization: Bearer $AKSEMU_BENCH_TOKEN" -H 'Content-Type: application/json' \
    -d '{"location":"westus2"}' "${url/127.0.0.1/localhost}" > /dev/null
  local link cookie feed
  link=$("$AKSEMU" console --data-dir "$DATA" 2>/dev/null)
  cookie=$(curl -s --cacert "$DATA/ca.pem" -o /dev/null -D - "$link" | awk 'tolower($1)=="set-cookie:"{sub(";.*","",$2); print $2}')
  [ -n "$cookie" ] || { echo "no console session" >&2; return 1; }
  timeout 20 wrk -t2 -c"$CONNS" -d2s -H "Authorization: Bearer $AKSEMU_BENCH_TOKEN" "$url" > /dev/null 2>&1 || true
  local closed=() open=() r n
  # At least 5 interleaved pairs: drift in the machine's speed hits both alike.
  n=$(( RUNS > 5 ? RUNS : 5 ))
  for r in $(seq 1 "$n"); do
    wait_quiet; closed+=("$(rps "$LOGS/feed-closed-$r.log" -t2 -c"$CONNS" -d"${DUR}s" --latency -H "Authorization: Bearer $AKSEMU_BENCH_TOKEN" "$url")")
    timeout $((DUR + 20)) curl -sN --cacert "$DATA/ca.pem" -H "Cookie: $cookie" \
      "https://localhost:$APORT/console/decisions/stream" > "$LOGS/feed-$r.sse" 2>/dev/null &
    feed=$!; sleep 1
    wait_quiet; open+=("$(rps "$LOGS/feed-open-$r.log" -t2 -c"$CONNS" -d"${DUR}s" --latency -H "Authorization: Bearer $AKSEMU_BENCH_TOKEN" "$url")")
    kill "$feed" 2>/dev/null || true
    log "run $r: the feed sent $(grep -c '^event: decisions' "$LOGS/feed-$r.sse") batches, $(grep -o 'class="decision ' "$LOGS/feed-$r.sse" | wc -l) rows"
  done
  report "authenticated RG GET, console decision feed open (one SSE reader)" "${open[*]}" \
    "the same, feed closed" "${closed[*]}" "$LOGS/feed-open-1.log" "$LOGS/feed-closed-1.log" 0.95
}

bench_rg_put() {
  [ -x "$BENCH_VENV/bin/moto_server" ] || { python3 -m venv "$BENCH_VENV"; "$BENCH_VENV/bin/pip" install -q 'moto[server]'; }
  local mport; mport=$(free_port)
  "$BENCH_VENV/bin/moto_server" -H 127.0.0.1 -p "$mport" > "$LOGS/moto.log" 2>&1 &
  PIDS+=($!); wait_port "$mport"
  local url="https://127.0.0.1:$APORT/"
  local a=() m=() r
  for r in $(seq 1 "$RUNS"); do
    wait_quiet; m+=("$(LUA_DIR="$PEERS/moto-peer" rps "$LOGS/moto-$r.log" -t2 -c"$CONNS" -d"${DUR}s" --latency -s "$PEERS/moto-peer/iam_create_role.lua" "http://127.0.0.1:$mport/" -- "$r$RANDOM")")
    wait_quiet; a+=("$(rps "$LOGS/rg-put-$r.log" -t2 -c"$CONNS" -d"${DUR}s" --latency -s "$ROOT/benches/wrk/rg_put.lua" "$url" -- "$AKSEMU_SUBSCRIPTION_ID" "$r$RANDOM")")
  done
  report "durable RG PUT, new group per request (SQLite WAL, synchronous=FULL)" "${a[*]}" \
    "moto IAM CreateRole (2xx only)" "${m[*]}" "$LOGS/rg-put-1.log" "$LOGS/moto-1.log" 20
}

bench_token() {
  local D="$PEERS/oidc-peer"
  [ -d "$D/node_modules/oidc-provider" ] || (cd "$D" && npm install --no-audit --no-fund oidc-provider@9.13.3 >/dev/null)
  local oport; oport=$(free_port)
  (cd "$D" && NODE_ENV=production node server.mjs "$oport") > "$LOGS/oidc.log" 2>&1 &
  PIDS+=($!); wait_port "$oport"
  local url="https://127.0.0.1:$APORT/$AKSEMU_TENANT_ID/oauth2/v2.0/token"
  timeout 20 wrk -t2 -c"$CONNS" -d3s -s "$D/token.lua" "http://127.0.0.1:$oport/token" > /dev/null 2>&1 || true
  timeout 20 wrk -t2 -c"$CONNS" -d3s -s "$ROOT/benches/wrk/token.lua" "$url" > /dev/null 2>&1 || true
  local a=() o=() r
  for r in $(seq 1 "$RUNS"); do
    wait_quiet; o+=("$(rps "$LOGS/oidc-$r.log" -t2 -c"$CONNS" -d"${DUR}s" --latency -s "$D/token.lua" "http://127.0.0.1:$oport/token")")
    wait_quiet; a+=("$(rps "$LOGS/token-$r.log" -t2 -c"$CONNS" -d"${DUR}s" --latency -s "$ROOT/benches/wrk/token.lua" "$url")")
  done
  report "client_credentials → RS256 JWT (HTTPS)" "${a[*]}" "oidc-provider 9.13.3, 1 Node process (HTTP)" "${o[*]}" \
    "$LOGS/token-1.log" "$LOGS/oidc-1.log" 1.8
}

bench_imds() {
  local D="$PEERS/oidc-peer"
  [ -d "$D/node_modules/oidc-provider" ] || (cd "$D" && npm install --no-audit --no-fund oidc-provider@9.13.3 >/dev/null)
  local oport; oport=$(free_port)
  (cd "$D" && NODE_ENV=production node server.mjs "$oport") > "$LOGS/oidc.log" 2>&1 &
  PIDS+=($!); wait_port "$oport"
  local arm="https://localhost:$APORT" h=(-sf --cacert "$DATA/ca.pem" -H "Authorization: Bearer $AKSEMU_BENCH_TOKEN" -H 'Content-Type: application/json')
  curl "${h[@]}" -X PUT -d '{"location":"westus2"}' "$arm/subscriptions/$AKSEMU_SUBSCRIPTION_ID/resourceGroups/bench?api-version=2024-11-01" > /dev/null
  curl "${h[@]}" -X PUT -d '{"location":"westus2"}' "$arm/subscriptions/$AKSEMU_SUBSCRIPTION_ID/resourceGroups/bench/providers/Microsoft.ManagedIdentity/userAssignedIdentities/bench-id?api-version=2025-05-31-preview" > /dev/null
  local host; host=$(curl "${h[@]}" -X POST -d "{\"identities\":[\"/subscriptions/$AKSEMU_SUBSCRIPTION_ID/resourceGroups/bench/providers/Microsoft.ManagedIdentity/userAssignedIdentities/bench-id\"]}" "$arm/aksemu/admin/hosts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  local url="$AKSEMU_IMDS_URL/hosts/$host/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F"
  curl -sf -H 'Metadata: true' "$url" > /dev/null
  timeout 20 wrk -t2 -c"$CONNS" -d3s -s "$D/token.lua" "http://127.0.0.1:$oport/token" > /dev/null 2>&1 || true
  local a=() o=() r
  for r in $(seq 1 "$RUNS"); do
    wait_quiet; o+=("$(rps "$LOGS/oidc-imds-$r.log" -t2 -c"$CONNS" -d"${DUR}s" --latency -s "$D/token.lua" "http://127.0.0.1:$oport/token")")
    wait_quiet; a+=("$(rps "$LOGS/imds-$r.log" -t2 -c"$CONNS" -d"${DUR}s" --latency -H 'Metadata: true' "$url")")
  done
  report "IMDS managed-identity token (HTTP, cached per identity and resource)" "${a[*]}" \
    "oidc-provider 9.13.3 client_credentials, 1 Node process (HTTP)" "${o[*]}" "$LOGS/imds-1.log" "$LOGS/oidc-imds-1.log" 20
}

# make_cluster → KUBECONFIG_FILE: an AKS cluster through ARM, and its admin kubeconfig.
make_cluster() {
  local arm="https://localhost:$APORT" h=(-sf --cacert "$DATA/ca.pem" -H "Authorization: Bearer $AKSEMU_BENCH_TOKEN" -H 'Content-Type: application/json')
  local rg="$arm/subscriptions/$AKSEMU_SUBSCRIPTION_ID/resourceGroups/kbench"
  curl "${h[@]}" -X PUT -d '{"location":"westus2"}' "$rg?api-version=2024-11-01" > /dev/null
  local c="$rg/providers/Microsoft.ContainerService/managedClusters/kb"
  curl "${h[@]}" -X PUT -d '{"location":"westus2","identity":{"type":"SystemAssigned"},"properties":{"dnsPrefix":"kb","agentPoolProfiles":[{"name":"nodepool1","count":3,"mode":"System"}]}}' \
    "$c?api-version=2024-05-01" > /dev/null
  local i; for i in $(seq 1 100); do
    curl "${h[@]}" "$c?api-version=2024-05-01" | grep -q '"provisioningState":"Succeeded"' && break; sleep 0.2
  done
  KUBECONFIG_FILE=$WORK/kubeconfig
  curl "${h[@]}" -X POST "$c/listClusterAdminCredential?api-version=2024-05-01" \
    | python3 -c 'import json,sys,base64; print(base64.b64decode(json.load(sys.stdin)["kubeconfigs"][0]["value"]).decode())' > "$KUBECONFIG_FILE"
}

bench_kube() {
  make_cluster
  local server token pid
  server=$(awk '/server:/{print $2}' "$KUBECONFIG_FILE"); token=$(awk '/token:/{print $2}' "$KUBECONFIG_FILE")
  pid=${PIDS[0]}
  local rss0; rss0=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
  echo "| measure | result | goal |"
  echo "| --- | --- | --- |"
  wait_quiet
  "$AKSEMU" bench kube --kubeconfig "$KUBECONFIG_FILE" --pods "${PODS:-10000}" --watches "${WATCHES:-1000}"
  local rss1; rss1=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
  echo "| server memory (VmRSS) before → after ${PODS:-10000} pods and the watches | $((rss0 / 1024)) MB → $((rss1 / 1024)) MB | recorded |"
  if command -v kubectl > /dev/null; then
    local t0 t1; t0=$(date +%s%N)
    KUBECONFIG=$KUBECONFIG_FILE KUBECACHEDIR=$WORK/kcache kubectl get pods -A > /dev/null; t0=$(date +%s%N)
    KUBECONFIG=$KUBECONFIG_FILE KUBECACHEDIR=$WORK/kcache kubectl get pods -A > /dev/null; t1=$(date +%s%N)
    echo "| \`kubectl get pods -A\` ($(kubectl version --client 2>/dev/null | head -1)), wall time, warm discovery cache | $(( (t1 - t0) / 1000000 )) ms | beside |"
  fi
  echo
  # Pod GET against the HTTPS ceiling, as the ARM GET is measured.
  ceiling_port; local cport=$CPORT url="${server/localhost/127.0.0.1}/api/v1/namespaces/bench/pods/pod-00042"
  local ours; ours=$(curl -sf --cacert "$DATA/ca.pem" -H "Authorization: Bearer $token" "${url/127.0.0.1/localhost}" | wc -c)
  timeout 20 wrk -t2 -c"$CONNS" -d2s -H "Authorization: Bearer $token" "$url" > /dev/null 2>&1 || true
  local a=() c=() r
  for r in $(seq 1 "$RUNS"); do
    wait_quiet; c+=("$(rps "$LOGS/ceiling-k-$r.log" -t2 -c"$CONNS" -d"${DUR}s" --latency "https://127.0.0.1:$cport/arm")")
    wait_quiet; a+=("$(rps "$LOGS/pod-get-$r.log" -t2 -c"$CONNS" -d"${DUR}s" --latency -H "Authorization: Bearer $token" "$url")")
  done
  echo "| | measure | median of $RUNS | latency |"
  echo "| --- | --- | --- | --- |"
  report "pod GET, ${PODS:-10000} pods stored (HTTPS, keep-alive, wrk -t2 -c$CONNS -d${DUR}s; body $ours B)" "${a[*]}" \
    "bare axum HTTPS ceiling GET /arm" "${c[*]}" "$LOGS/pod-get-1.log" "$LOGS/ceiling-k-1.log" 0.5
}

# report NAME "ours…" REFNAME "theirs…" OURLOG REFLOG GOAL
report() {
  local om rm ratio
  om=$(tr ' ' '\n' <<< "$2" | median); rm=$(tr ' ' '\n' <<< "$4" | median)
  ratio=$(awk -v a="$om" -v b="$rm" 'BEGIN{printf "%.2f", (b>0?a/b:0)}')
  printf '| %s | %s | %s req/s (runs: %s) | p99 %s ms |\n' "aksemu" "$1" "$om" "$2" "$(p99 "$5")"
  printf '| %s | %s | %s req/s (runs: %s) | p99 %s ms |\n' "reference" "$3" "$rm" "$4" "$(p99 "$6")"
  printf '| **ratio** | aksemu / reference (goal ≥ %s) | **%s×** | |\n\n' "$7" "$ratio"
}

prepare
start_aksemu
[ "$WHAT" = kube ] || { echo "| | measure | median of $RUNS | latency |"; echo "| --- | --- | --- | --- |"; }
case "$WHAT" in
  rg-get) bench_rg_get ;;
  rg-put) bench_rg_put ;;
  decision-feed) bench_decision_feed ;;
  token) bench_token ;;
  rg-get-100k) start_aksemu 100000; bench_rg_get ", 100,000 assignments loaded" ;;
  imds) bench_imds ;;
  kube) bench_kube; bench_rg_get ;;
  all) bench_rg_get; bench_rg_put; bench_token; start_aksemu 100000; bench_rg_get ", 100,000 assignments loaded"; start_aksemu; bench_imds ;;
  *) echo "unknown benchmark $WHAT" >&2; exit 2 ;;
esac
