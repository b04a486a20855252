#!/usr/bin/env bash
# Runs the property-based fuzz tests (parsers, tokens and token requests, JSON
# bodies of every writable type, endpoint paths) with many more cases than the
# test command does, on every core, until they have used CPU_SECONDS of CPU
# time in all (default 3600: one CPU-hour), and prints the cases run and the
# failing runs (a panic or a server error fails a run). Loopback only.
#   scripts/fuzz-long.sh            env: CPU_SECONDS=3600 WORKERS=<cores>
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=${CPU_SECONDS:-3600}
WORKERS=${WORKERS:-$(nproc)}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/aksemu/ci-target}
OUT=${TMPDIR:-/tmp}/aksemu-fuzz; rm -rf "$OUT"; mkdir -p "$OUT"
# Build once; run the test binaries directly (no cargo lock while they run).
cargo test --no-run -p aksemu-core -p aksemu-identity -p aksemu-arm \
  --test fuzz_parsers --test fuzz_tokens --test fuzz_bodies 2> "$OUT/build.log"
bins=$(grep -o '(/[^)]*/deps/fuzz_[a-z_]*-[0-9a-f]*)' "$OUT/build.log" | tr -d '()' | sort -u)
[ -n "$bins" ] || { echo "no fuzz binaries built" >&2; exit 1; }
cases_of() { case "$1" in *fuzz_bodies*) echo 200 ;; *) echo 20000 ;; esac; }
worker() {  # worker N: runs every binary in turn, logging CPU seconds and cases per run
  local n=$1 b c
  while [ "$( (cat "$OUT"/cpu-* 2>/dev/null || true) | awk '{s+=$1} END{printf "%d", s}')" -lt "$BUDGET" ]; do
    for b in $bins; do
      c=$(cases_of "$b")
      if /usr/bin/time -f "%U %S" -o "$OUT/t-$n" env PROPTEST_CASES="$c" "$b" -q > "$OUT/run-$n.log" 2>&1; then
        echo "$c" >> "$OUT/cases-$n"
      else
        echo 1 >> "$OUT/fail-$n"; cp "$OUT/run-$n.log" "$OUT/failure-$n-$(date +%s).log"
      fi
      awk '{print $1 + $2}' "$OUT/t-$n" >> "$OUT/cpu-$n"
    done
  done
}
for n in $(seq 1 "$WORKERS"); do worker "$n" & done
wait
total() { cat "$@" 2>/dev/null | awk '{s+=$1} END{printf "%d", s}' || true; }
cpu=$(total "$OUT"/cpu-*)
cases=$(total "$OUT"/cases-*)
fails=$(total "$OUT"/fail-*)
echo "fuzz: ${cpu} CPU seconds over $WORKERS workers, $cases cases, $fails failing runs (panics or server errors); failures in $OUT"
