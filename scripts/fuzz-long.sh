#!/usr/bin/env bash
# Runs the property-based fuzz tests (parsers, tokens and token requests, JSON
# bodies of every writable type, endpoint paths) with many more cases than the
# test command does, for about SECONDS_BUDGET seconds in all (default an hour),
# and prints the cases run and the panics found. Loopback only; no network.
#   scripts/fuzz-long.sh            env: SECONDS_BUDGET=3600
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=${SECONDS_BUDGET:-3600}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/aksemu/ci-target}
cargo test --quiet --no-run -p aksemu-core -p aksemu-identity -p aksemu-arm \
  --test fuzz_parsers --test fuzz_tokens --test fuzz_bodies
end=$(( $(date +%s) + BUDGET ))
rounds=0; failures=0; cases=0
while [ "$(date +%s)" -lt "$end" ]; do
  rounds=$((rounds + 1))
  # Each round: fresh random seeds, many cases per property.
  for t in "aksemu-core fuzz_parsers 20000" "aksemu-identity fuzz_tokens 20000" "aksemu-arm fuzz_bodies 400"; do
    set -- $t
    if PROPTEST_CASES=$3 cargo test --quiet -p "$1" --test "$2" > "/tmp/aksemu-fuzz-$2.log" 2>&1; then
      cases=$((cases + $3))
    else
      failures=$((failures + 1)); echo "FAILURE in $2 (round $rounds): /tmp/aksemu-fuzz-$2.log"
      cp "/tmp/aksemu-fuzz-$2.log" "/tmp/aksemu-fuzz-$2-failure-$rounds.log"
    fi
  done
done
echo "fuzz: $rounds rounds, about $cases cases per property group, $failures failing runs (panics or server errors) in ${BUDGET}s"
