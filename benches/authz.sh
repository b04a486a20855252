#!/usr/bin/env bash
# RBAC evaluator benchmark: aksemu's evaluator beside the bench-peers harness's
# own indexed reference, cedar-policy and casbin, on the harness's workload
# (1 subscription, 1,000 groups, 20,000 resources, 5,000 principals, 100,000
# assignments; 100,000 queries, half allowed; answers checked against its
# brute-force labeller). One engine per process; bounded by --secs.
# `aksemu-data` is aksemu's evaluator on the same workload with every role's
# patterns as dataActions/notDataActions, decided as data actions (goal: within
# 10% of `aksemu`).
#   benches/authz.sh            env: RUNS=3 SECS=3
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-3}; SECS=${SECS:-3}
WORK=${TMPDIR:-/tmp}/aksemu-bench
PEERS=$WORK/authz-peers
rm -rf "$PEERS"; cp -r "$ROOT/../shared/bench-peers" "$PEERS"; chmod -R u+w "$PEERS"
python3 "$ROOT/benches/authz/patch.py" "$PEERS/authz-bench" "$ROOT"
echo "== building the harness with aksemu's engine (release)" >&2
(cd "$PEERS" && CARGO_TARGET_DIR=$WORK/target cargo build --release --quiet -p authz-bench)
BIN=$WORK/target/release/authz-bench
declare -A RATE HEAP VALS
# Rounds interleave the engines, so drift in the machine's speed hits all alike.
for r in $(seq 1 "$RUNS"); do
  for engine in aksemu aksemu-data ref cedar-attr casbin-domains; do
    line=$(timeout 300 "$BIN" --engine "$engine" --secs "$SECS" 2>/dev/null | tail -n 1)
    echo "$line" >&2
    mism=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["mismatches"])' "$line")
    [ "$mism" = 0 ] || { echo "$engine: $mism mismatches" >&2; exit 1; }
    VALS[$engine]="${VALS[$engine]:-} $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["decisions_per_s"])' "$line")"
    HEAP[$engine]=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["heap_mib"])' "$line")
  done
done
for engine in aksemu aksemu-data ref cedar-attr casbin-domains; do
  RATE[$engine]=$(tr ' ' '\n' <<< "${VALS[$engine]}" | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
done
p99() { timeout 300 "$BIN" --engine "timed-$1" --secs "$SECS" 2>&1 >/dev/null | grep p99_ns | tail -n 1 || echo "-"; }
echo "| engine | decisions/s (median of $RUNS interleaved rounds) | runs | heap for 100k assignments | latency (separate timed run) |"
echo "| --- | --- | --- | --- | --- |"
for engine in aksemu aksemu-data ref cedar-attr casbin-domains; do
  lat="-"
  case $engine in aksemu|aksemu-data|ref|cedar-attr) lat=$(p99 "$engine") ;; esac
  printf '| %s | %.0f | %s | %s MiB | %s |\n' "$engine" "${RATE[$engine]}" "$(echo ${VALS[$engine]} | awk '{for(i=1;i<=NF;i++) printf "%.0f ", $i}')" "${HEAP[$engine]}" "$lat"
done
awk -v a="${RATE[aksemu]}" -v r="${RATE[ref]}" -v c="${RATE[cedar-attr]}" -v k="${RATE[casbin-domains]}" \
  'BEGIN{printf "\naksemu / cedar-policy = %.1fx (goal >= 30), aksemu / casbin = %.1fx, aksemu / reference index = %.2fx (goal >= 1)\n", a/c, a/k, a/r}'
awk -v a="${RATE[aksemu]}" -v d="${RATE[aksemu-data]}" \
  'BEGIN{printf "data actions / actions = %.2fx (goal >= 0.90)\n", d/a}'
